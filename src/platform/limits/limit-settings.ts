import { Env, integerOr } from '../config/env';
import { LimitSpec } from './rate-limit';

/** The environment variable setting a limit's maximum: `LIMIT_` and its name in capitals (`LIMIT_REQUESTS_PER_USER_PER_MINUTE`). */
export function limitVariable(name: string): string {
  return `LIMIT_${name.toUpperCase()}`;
}

/** The limit `name` with its maximum from `LIMIT_<NAME>` (a positive integer), `defaultMax` when unset; ConfigError otherwise. */
export function limitFromEnv(env: Env, name: string, defaultMax: number, windowSeconds: number, unit: string, perReplica = false): LimitSpec {
  return Object.freeze({ name, max: integerOr(env, limitVariable(name), defaultMax, 1, 1_000_000_000), windowSeconds, unit, perReplica });
}

/**
 * Calls per client address per minute, each service counting its own (seed 002 section 7: 1000).
 * The first line against floods from one place, before a caller is even authenticated; counted per
 * replica (LimitSpec.perReplica), being checked on every call.
 */
export function addressRequestLimit(env: Env): LimitSpec {
  return limitFromEnv(env, 'requests_per_address_per_minute', 1000, 60, 'requests', true);
}
