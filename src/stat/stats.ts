/**
 * What `npm run stat` shows, computed from two scrapes of the same targets: per service and RPC the
 * requests per second, success rate and latency quantiles of the window between them (counters'
 * differences, as PromQL's increase() and histogram_quantile() over that window), and the state the
 * latest scrape gives: breakers, outboxes, dead letters.
 */
import { BREAKER_STATE_VALUE, METRIC } from '../platform/telemetry/metrics';
import { Exposition, labelOf, Sample } from './exposition';
import { Bucket, histogramQuantile } from './quantile';
import { ScrapeResult, Target } from './targets';

/** The results of scraping every target once. */
export interface ScrapeRound {
  readonly results: readonly ScrapeResult[];
}

/** One RPC of one service, over every instance that answered. */
export interface RpcRow {
  readonly service: string;
  /** `<rpc_service>/<rpc_method>`, e.g. `auth.v1.AuthService/Login`. */
  readonly method: string;
  /** Calls served since the processes started (the latest scrape's `_count`s). */
  readonly total: number;
  /** The window's figures; undefined when no instance serving it answered both scrapes. */
  readonly window?: RpcWindow;
}

export interface RpcWindow {
  /** Calls served in the window (the `_count`s' increase). */
  readonly requests: number;
  /** Calls per second: each instance's increase over its own time between scrapes, added. */
  readonly rps: number;
  /** Share of the window's calls that ended OK (status code 0), 0 to 1; undefined with no call. */
  readonly success?: number;
  /** Latency quantiles of the window's calls, seconds; undefined with no call. */
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
}

export type BreakerStateName = keyof typeof BREAKER_STATE_VALUE | 'unknown';

export interface BreakerRow {
  readonly service: string;
  readonly downstream: string;
  readonly state: BreakerStateName;
  /** The target it was read from. */
  readonly instance: string;
}

export interface OutboxRow {
  readonly service: string;
  readonly waiting?: number;
  readonly oldestAgeSeconds?: number;
  readonly instance: string;
}

export interface DeadLetterRow {
  readonly service: string;
  readonly queue: string;
  /** Messages dead-lettered since the processes started, over every instance that answered. */
  readonly total: number;
  /** Their increase in the window; undefined when no instance of it answered both scrapes. */
  readonly increase?: number;
}

export interface StatView {
  /** Seconds between the two scrapes (the longest of any target's); undefined for a first scrape. */
  readonly windowSeconds?: number;
  readonly answered: readonly Target[];
  readonly failed: readonly { readonly target: Target; readonly error: string }[];
  readonly rpcs: readonly RpcRow[];
  readonly breakers: readonly BreakerRow[];
  readonly outboxes: readonly OutboxRow[];
  readonly deadLetters: readonly DeadLetterRow[];
}

/** The quantiles shown. */
export const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

const OK = '0';

/** One histogram series: its labels (but `le`), count and cumulative buckets. */
interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly count: number;
  readonly buckets: ReadonlyMap<number, number>;
}

/** Accumulates one RPC row over instances. */
interface RpcAccumulator {
  service: string;
  method: string;
  total: number;
  measured: boolean;
  requests: number;
  ok: number;
  rps: number;
  buckets: Map<number, number>;
}

/**
 * The view of `current`, with the window between `previous` and it. A target's rates count only
 * when it answered both scrapes; a series it did not have at the first (no call yet) counts from
 * 0, and a counter lower than before (the process restarted) counts from 0 too, as PromQL's
 * increase() takes it.
 */
export function computeView(previous: ScrapeRound | undefined, current: ScrapeRound): StatView {
  const before = new Map<string, { at: number; exposition: Exposition }>();
  for (const result of previous?.results ?? []) if (result.ok) before.set(result.target.url, result);

  const rpcs = new Map<string, RpcAccumulator>();
  const breakers: BreakerRow[] = [];
  const outboxes = new Map<string, { service: string; instance: string; waiting?: number; oldestAgeSeconds?: number }>();
  const deadLetters = new Map<string, { service: string; queue: string; total: number; increase?: number }>();
  const answered: Target[] = [];
  const failed: { target: Target; error: string }[] = [];
  let windowSeconds: number | undefined;

  for (const result of current.results) {
    if (!result.ok) {
      failed.push({ target: result.target, error: result.error });
      continue;
    }
    answered.push(result.target);
    const instance = result.target.label;
    const earlier = before.get(result.target.url);
    const seconds = earlier ? (result.at - earlier.at) / 1000 : undefined;
    const measured = seconds !== undefined && seconds > 0;
    if (measured) windowSeconds = Math.max(windowSeconds ?? 0, seconds);

    // RPCs.
    const now = histogramSeries(result.exposition, METRIC.rpcServerDuration);
    const then = earlier ? histogramSeries(earlier.exposition, METRIC.rpcServerDuration) : new Map<string, HistogramSeries>();
    for (const [key, series] of now) {
      const service = labelOf(series.labels, 'service');
      const method = `${labelOf(series.labels, 'rpc_service')}/${labelOf(series.labels, 'rpc_method')}`;
      const rowKey = `${service}\u0000${method}`;
      let row = rpcs.get(rowKey);
      if (!row) {
        row = { service, method, total: 0, measured: false, requests: 0, ok: 0, rps: 0, buckets: new Map() };
        rpcs.set(rowKey, row);
      }
      row.total += series.count;
      if (!measured) continue;
      row.measured = true;
      const old = then.get(key);
      const reset = old !== undefined && series.count < old.count;
      const base = old && !reset ? old : undefined;
      const increase = series.count - (base?.count ?? 0);
      row.requests += increase;
      row.rps += increase / seconds;
      if (series.labels.rpc_grpc_status_code === OK) row.ok += increase;
      for (const [le, count] of series.buckets) {
        row.buckets.set(le, (row.buckets.get(le) ?? 0) + count - (base?.buckets.get(le) ?? 0));
      }
    }

    // Breakers.
    for (const sample of samplesOf(result.exposition, METRIC.breakerState)) {
      breakers.push({
        service: labelOf(sample.labels, 'service'),
        downstream: labelOf(sample.labels, 'downstream'),
        state: breakerState(sample.value),
        instance,
      });
    }

    // Outboxes.
    const outbox = (service: string) => {
      const key = `${instance}\u0000${service}`;
      let row = outboxes.get(key);
      if (!row) {
        row = { service, instance };
        outboxes.set(key, row);
      }
      return row;
    };
    for (const sample of samplesOf(result.exposition, METRIC.outboxWaiting)) outbox(labelOf(sample.labels, 'service')).waiting = sample.value;
    for (const sample of samplesOf(result.exposition, METRIC.outboxOldestAge)) outbox(labelOf(sample.labels, 'service')).oldestAgeSeconds = sample.value;

    // Dead letters.
    const deadBefore = new Map<string, number>();
    if (earlier) {
      for (const sample of samplesOf(earlier.exposition, METRIC.messages)) {
        if (sample.labels.outcome === 'dead_lettered')
          deadBefore.set(`${labelOf(sample.labels, 'service')}\u0000${labelOf(sample.labels, 'queue')}`, sample.value);
      }
    }
    for (const sample of samplesOf(result.exposition, METRIC.messages)) {
      if (sample.labels.outcome !== 'dead_lettered') continue;
      const service = labelOf(sample.labels, 'service');
      const queue = labelOf(sample.labels, 'queue');
      const key = `${service}\u0000${queue}`;
      let row = deadLetters.get(key);
      if (!row) {
        row = { service, queue, total: 0 };
        deadLetters.set(key, row);
      }
      row.total += sample.value;
      if (measured) {
        const old = deadBefore.get(key) ?? 0;
        row.increase = (row.increase ?? 0) + (sample.value < old ? sample.value : sample.value - old);
      }
    }
  }

  const byServiceThen =
    <T extends { service: string }>(second: (row: T) => string) =>
    (a: T, b: T) =>
      a.service.localeCompare(b.service) || second(a).localeCompare(second(b));
  return {
    windowSeconds,
    answered,
    failed,
    // A method never called is left out: the mesh starts every method's series at zero, for Prometheus's rate().
    rpcs: [...rpcs.values()]
      .filter((row) => row.total > 0)
      .map(rpcRow)
      .sort(byServiceThen((r) => r.method)),
    breakers: breakers.sort(byServiceThen((r) => `${r.downstream}\u0000${r.instance}`)),
    outboxes: [...outboxes.values()].sort(byServiceThen((r) => r.instance)),
    deadLetters: [...deadLetters.values()].sort(byServiceThen((r) => r.queue)),
  };
}

function rpcRow(row: RpcAccumulator): RpcRow {
  const base = { service: row.service, method: row.method, total: row.total };
  if (!row.measured) return base;
  if (row.requests <= 0) return { ...base, window: { requests: 0, rps: 0 } };
  const buckets: Bucket[] = [...row.buckets].map(([le, count]) => ({ le, count }));
  const quantile = (q: number) => {
    const value = histogramQuantile(q, buckets);
    return Number.isFinite(value) ? value : undefined;
  };
  return {
    ...base,
    window: {
      requests: row.requests,
      rps: row.rps,
      success: row.ok / row.requests,
      p50: quantile(QUANTILES.p50),
      p95: quantile(QUANTILES.p95),
      p99: quantile(QUANTILES.p99),
    },
  };
}

function breakerState(value: number): BreakerStateName {
  const entry = Object.entries(BREAKER_STATE_VALUE).find(([, v]) => v === value);
  return entry ? (entry[0] as BreakerStateName) : 'unknown';
}

function samplesOf(exposition: Exposition, name: string): readonly Sample[] {
  return exposition.samples.get(name) ?? [];
}

/** The series of the histogram `name`, keyed by their labels but `le`. */
function histogramSeries(exposition: Exposition, name: string): Map<string, HistogramSeries> {
  const series = new Map<string, { labels: Record<string, string>; count: number; buckets: Map<number, number> }>();
  const entry = (labels: Readonly<Record<string, string>>) => {
    const rest = Object.fromEntries(Object.entries(labels).filter(([name]) => name !== 'le'));
    const key = labelKey(rest);
    let found = series.get(key);
    if (!found) {
      found = { labels: rest, count: 0, buckets: new Map() };
      series.set(key, found);
    }
    return found;
  };
  for (const sample of samplesOf(exposition, `${name}_count`)) entry(sample.labels).count = sample.value;
  for (const sample of samplesOf(exposition, `${name}_bucket`)) {
    const le = Object.hasOwn(sample.labels, 'le') ? parseLe(sample.labels.le) : NaN;
    if (!Number.isNaN(le)) entry(sample.labels).buckets.set(le, sample.value);
  }
  return series;
}

function parseLe(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  const value = Number(text);
  return text.trim() === '' ? NaN : value;
}

/** A series' identity: its labels, sorted by name. */
function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
