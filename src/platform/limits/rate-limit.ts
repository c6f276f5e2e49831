import { RateLimiterAbstract, RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { LimitExceededError } from '../errors/domain-errors';

/** One limit: at most `max` units per key in a fixed window of `windowSeconds` seconds. */
export interface LimitSpec {
  /** Stable snake_case name, shown to callers and in `ErrorInfo.metadata.limit`: `requests_per_user_per_minute`. */
  readonly name: string;
  readonly max: number;
  readonly windowSeconds: number;
  /** What is counted, plural, for messages: `requests`, `frames`. */
  readonly unit: string;
  /**
   * Counted by each replica in its own memory, not in the shared store: for the limits checked on
   * every call (a shared counter costs a database round trip each), the first line against floods,
   * where a client spreading its calls over R replicas getting up to R times the limit is
   * acceptable (as with Envoy's local rate limit).
   */
  readonly perReplica?: boolean;
}

/**
 * A call refused by a limit: RESOURCE_EXHAUSTED at the edge, with google.rpc.RetryInfo (retry in
 * `retryAfterMs` milliseconds) and google.rpc.ErrorInfo naming the limit in its status details.
 */
export class RateLimitedError extends LimitExceededError {
  constructor(
    readonly limit: LimitSpec,
    /** Milliseconds until the window that refused the call ends. */
    readonly retryAfterMs: number,
  ) {
    super(`limit ${limit.name} reached (${limit.max} ${limit.unit} per ${window(limit.windowSeconds)}); retry in ${delay(retryAfterMs)}`);
  }
}

/** Runs one parameterised SQL statement on PostgreSQL (pg's `pool.query`). */
export type SqlQuery = (text: string, values: readonly unknown[]) => Promise<{ rows: unknown[] }>;

/**
 * Where counters live. `postgres`: the table `rate_limits` of the service's schema (created by
 * rateLimitsMigration), shared by every replica; `memory`: this process only (embedded PGlite,
 * where the process is the whole deployment).
 */
export type LimitStore = { readonly kind: 'memory' } | { readonly kind: 'postgres'; readonly query: SqlQuery; readonly schema: string };

/** The counters of one limit, by key (a user id, an address, an interview). */
export interface RateLimit {
  readonly spec: LimitSpec;
  /** Counts one unit for `key`; throws RateLimitedError when the window already holds `max`. */
  take(key: string): Promise<void>;
  /** Gives one unit back (a stream that closed, for a concurrency limit). */
  giveBack(key: string): Promise<void>;
}

/** The table each service's rate limits share (rate-limiter-flexible's layout), one row per key and limit. */
export const RATE_LIMITS_TABLE = 'rate_limits';

/**
 * A limit counted by rate-limiter-flexible in `store` (in memory when `spec.perReplica`). With PostgreSQL, a database error falls
 * back to a counter in this process's memory (the library's insurance limiter) rather than
 * refusing or waving through every call.
 */
export function createRateLimit(spec: LimitSpec, store: LimitStore): RateLimit {
  const options = { keyPrefix: spec.name, points: spec.max, duration: spec.windowSeconds };
  const limiter: RateLimiterAbstract =
    store.kind === 'memory' || spec.perReplica
      ? new RateLimiterMemory(options)
      : new RateLimiterPostgres({
          ...options,
          storeClient: unnamedQueries(store.query),
          storeType: 'client',
          schemaName: store.schema,
          tableName: RATE_LIMITS_TABLE,
          tableCreated: true,
          insuranceLimiter: new RateLimiterMemory(options),
        });
  return {
    spec,
    async take(key) {
      try {
        await limiter.consume(key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        // The library counts the unit before refusing it: give it back, or a concurrency limit
        // would stay full after its holders left (each refused retry adding one more).
        await limiter.reward(key);
        throw new RateLimitedError(spec, rejection.msBeforeNext);
      }
    },
    async giveBack(key) {
      // Not below zero: a window that ended while units were held starts again at zero, and a
      // unit given back into it would allow one more than `max`.
      const held = await limiter.get(key);
      if (held && held.consumedPoints > 0) await limiter.reward(key);
    },
  };
}

/**
 * `query` as the client rate-limiter-flexible calls, every statement run unnamed: the library
 * names its statements (`rlflx-upsert`) whatever the table, and pg refuses a name prepared on a
 * connection for another text, so two services' limits on one pool would clash.
 */
function unnamedQueries(query: SqlQuery): { query(q: { text: string; values?: unknown[] }): Promise<unknown> } {
  return { query: (q) => query(q.text, q.values ?? []) };
}

/** A retry delay for people: `250 ms` under a second, else whole seconds rounded up. */
function delay(ms: number): string {
  return ms < 1000 ? `${Math.max(1, Math.ceil(ms))} ms` : `${Math.ceil(ms / 1000)} s`;
}

function window(seconds: number): string {
  if (seconds === 1) return 'second';
  if (seconds === 60) return 'minute';
  if (seconds === 3600) return 'hour';
  return `${seconds} s`;
}
