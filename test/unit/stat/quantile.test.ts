/**
 * histogramQuantile against values worked out by hand with PromQL's histogram_quantile rule: find
 * the bucket whose cumulative count reaches q × total, interpolate linearly inside it.
 */
import { Bucket, histogramQuantile } from '../../../src/stat/quantile';

const buckets = (pairs: readonly [number, number][]): Bucket[] => pairs.map(([le, count]) => ({ le, count }));

describe('histogramQuantile', () => {
  // 10 observations: 2 in (0, 0.01], 4 in (0.01, 0.05], 4 in (0.05, 0.1].
  const ten = buckets([
    [0.01, 2],
    [0.05, 6],
    [0.1, 10],
    [Infinity, 10],
  ]);

  it('interpolates linearly inside the bucket that holds the rank', () => {
    // q 0.1: rank 1, in (0, 0.01] holding 2: 0 + 0.01 × 1/2.
    expect(histogramQuantile(0.1, ten)).toBeCloseTo(0.005, 12);
    // q 0.5: rank 5, in (0.01, 0.05]: 3 of its 4 → 0.01 + 0.04 × 3/4.
    expect(histogramQuantile(0.5, ten)).toBeCloseTo(0.04, 12);
    // q 0.95: rank 9.5, in (0.05, 0.1]: 3.5 of its 4 → 0.05 + 0.05 × 0.875.
    expect(histogramQuantile(0.95, ten)).toBeCloseTo(0.09375, 12);
    // q 0.99: rank 9.9 → 0.05 + 0.05 × 3.9/4.
    expect(histogramQuantile(0.99, ten)).toBeCloseTo(0.09875, 12);
    // q 1: the top of the last bucket that holds observations.
    expect(histogramQuantile(1, ten)).toBeCloseTo(0.1, 12);
  });

  it('lands on a bucket boundary when the rank is exactly a cumulative count', () => {
    // q 0.6: rank 6 = the count up to 0.05.
    expect(histogramQuantile(0.6, ten)).toBeCloseTo(0.05, 12);
  });

  it('does not depend on the order the buckets come in', () => {
    expect(histogramQuantile(0.5, [...ten].reverse())).toBeCloseTo(0.04, 12);
  });

  it('answers the largest finite bound when the rank falls in the +Inf bucket', () => {
    const slow = buckets([
      [0.1, 1],
      [1, 2],
      [Infinity, 10],
    ]);
    expect(histogramQuantile(0.5, slow)).toBe(1);
    expect(histogramQuantile(0.99, slow)).toBe(1);
  });

  it('raises a count below an earlier one to it, as Prometheus does', () => {
    // Read as 5, 5, 10, 10. q 0.5: rank 5 → the first bucket, at its top; q 0.75: rank 7.5 → 2 + 2 × 2.5/5.
    const racy = buckets([
      [1, 5],
      [2, 3],
      [4, 10],
      [Infinity, 10],
    ]);
    expect(histogramQuantile(0.5, racy)).toBeCloseTo(1, 12);
    expect(histogramQuantile(0.75, racy)).toBeCloseTo(3, 12);
  });

  it('adds up buckets of one bound given twice (series summed)', () => {
    const twice = buckets([
      [0.01, 1],
      [0.01, 1],
      [0.05, 3],
      [0.05, 3],
      [0.1, 5],
      [0.1, 5],
      [Infinity, 5],
      [Infinity, 5],
    ]);
    expect(histogramQuantile(0.5, twice)).toBeCloseTo(0.04, 12);
  });

  it('answers the bound of a first bucket at or below zero', () => {
    expect(
      histogramQuantile(
        0.3,
        buckets([
          [0, 5],
          [1, 10],
          [Infinity, 10],
        ]),
      ),
    ).toBe(0);
  });

  it('is NaN without observations, without a +Inf bucket, or with fewer than two buckets', () => {
    expect(
      histogramQuantile(
        0.5,
        buckets([
          [0.1, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNaN();
    expect(
      histogramQuantile(
        0.5,
        buckets([
          [0.1, 1],
          [1, 2],
        ]),
      ),
    ).toBeNaN();
    expect(histogramQuantile(0.5, buckets([[Infinity, 3]]))).toBeNaN();
    expect(histogramQuantile(0.5, [])).toBeNaN();
    expect(histogramQuantile(NaN, ten)).toBeNaN();
  });

  it('is -Inf below q 0 and +Inf above q 1, as in PromQL', () => {
    expect(histogramQuantile(-0.1, ten)).toBe(-Infinity);
    expect(histogramQuantile(1.1, ten)).toBe(Infinity);
  });
});
