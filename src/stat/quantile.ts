/** One cumulative bucket of a histogram: observations less than or equal to `le` (its upper bound). */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The `q`-quantile (0 ≤ q ≤ 1) of the observations a classic Prometheus histogram's cumulative
 * buckets describe, as PromQL's histogram_quantile computes it (promql/quantile.go, BucketQuantile):
 *
 * - buckets are sorted by upper bound; the last must be `+Inf` (else NaN), and there must be two or
 *   more; with no observation (the `+Inf` bucket's count is 0) the answer is NaN;
 * - counts that decrease from one bucket to the next (a scrape that raced an observation) are
 *   raised to the largest count before them, as Prometheus does;
 * - the rank q × count is looked up: the first bucket whose cumulative count reaches it holds the
 *   quantile, which is interpolated linearly between that bucket's lower bound (the previous
 *   bucket's upper bound, or 0 for the first bucket) and its upper bound, i.e. the observations are
 *   assumed spread evenly inside the bucket;
 * - when the rank falls in the `+Inf` bucket the answer is the largest finite upper bound (nothing
 *   is known past it), and when it falls in a first bucket whose upper bound is ≤ 0, that bound.
 *
 * q < 0 gives -Infinity and q > 1 +Infinity, as in PromQL.
 *
 * Example: buckets ≤0.01: 2, ≤0.05: 6, ≤0.1: 10, +Inf: 10 and q = 0.5: rank 5 falls in (0.01, 0.05],
 * which holds 4 observations, 3 of them up to the rank: 0.01 + 0.04 × 3/4 = 0.04.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = coalesce([...buckets].sort((a, b) => a.le - b.le));
  if (sorted.length < 2 || sorted[sorted.length - 1].le !== Infinity) return NaN;
  // Monotonic: a count below an earlier one is raised to it.
  let max = 0;
  const monotonic = sorted.map((b) => {
    max = Math.max(max, b.count);
    return { le: b.le, count: max };
  });
  const observations = monotonic[monotonic.length - 1].count;
  if (!(observations > 0)) return NaN;
  let rank = q * observations;
  let b = monotonic.findIndex((bucket, i) => i < monotonic.length - 1 && bucket.count >= rank);
  if (b === -1) b = monotonic.length - 1;
  if (b === monotonic.length - 1) return monotonic[monotonic.length - 2].le;
  if (b === 0 && monotonic[0].le <= 0) return monotonic[0].le;
  let bucketStart = 0;
  const bucketEnd = monotonic[b].le;
  let count = monotonic[b].count;
  if (b > 0) {
    bucketStart = monotonic[b - 1].le;
    count -= monotonic[b - 1].count;
    rank -= monotonic[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/** Buckets of one upper bound (from several series summed in different orders) added into one. */
function coalesce(sorted: readonly Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const bucket of sorted) {
    const last = out.at(-1);
    if (last?.le === bucket.le) out[out.length - 1] = { le: last.le, count: last.count + bucket.count };
    else out.push(bucket);
  }
  return out;
}
