import { Logger } from '../log/logger';
import { HealthState } from './health';

/** One thing a service needs before it can serve: models loaded, database answering, broker connected. */
export interface ReadinessCheck {
  name: string;
  check: () => boolean | Promise<boolean>;
}

export interface ReadinessMonitor {
  /** Runs the checks now and sets health; resolves with the result. */
  refresh(): Promise<boolean>;
  stop(): void;
}

/**
 * Keeps a server's health true: SERVING while every check passes, NOT_SERVING otherwise (a lost
 * database or broker turns it NOT_SERVING until it is back). Checks run every `intervalMs`
 * milliseconds; transitions are logged with the failing checks.
 */
export function monitorReadiness(health: HealthState, checks: readonly ReadinessCheck[], log: Logger, intervalMs = 2_000): ReadinessMonitor {
  let ready: boolean | undefined;
  let stopped = false;
  const refresh = async () => {
    const failing: string[] = [];
    for (const { name, check } of checks) {
      const ok = await Promise.resolve()
        .then(check)
        .catch(() => false);
      if (!ok) failing.push(name);
    }
    const now = failing.length === 0;
    if (stopped) return now;
    if (now !== ready) {
      if (now) {
        health.markServing();
        log.info('ready: health SERVING');
      } else {
        health.markNotServing();
        log.warn({ waitingFor: failing }, 'not ready: health NOT_SERVING');
      }
      ready = now;
    }
    return now;
  };
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  return {
    refresh,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
