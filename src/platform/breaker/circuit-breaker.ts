import CircuitBreaker from 'opossum';
import { classifyError } from '../errors/classify';
import { TimeoutError, UnavailableError } from '../errors/domain-errors';
import { Logger } from '../log/logger';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Name in logs and health, e.g. `emotion.AnalyzeFrame`. */
  name: string;
  /**
   * Milliseconds after which a call counts as failed; keep it below the gRPC deadline so that
   * the breaker, not the deadline, decides.
   */
  timeoutMs: number;
  /** Failure percentage over the rolling window that opens the circuit. */
  errorThresholdPercentage?: number;
  /** Calls needed in the window before the percentage counts. */
  volumeThreshold?: number;
  /** Milliseconds the circuit stays open before letting one trial call through (half-open). */
  resetTimeoutMs?: number;
  log: Logger;
  onStateChange?: (state: BreakerState) => void;
}

/**
 * An opossum circuit breaker around one downstream call. `fire` rejects fast with UnavailableError
 * while the circuit is open, with TimeoutError when the breaker's timeout passes, and otherwise
 * with the downstream's own error. State changes are logged and reported.
 */
export class Breaker<A extends unknown[], R> {
  private readonly breaker: CircuitBreaker<A, R>;

  constructor(
    action: (...args: A) => Promise<R>,
    private readonly options: BreakerOptions,
  ) {
    this.breaker = new CircuitBreaker(action, {
      timeout: options.timeoutMs,
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      volumeThreshold: options.volumeThreshold ?? 5,
      resetTimeout: options.resetTimeoutMs ?? 5_000,
      rollingCountTimeout: 10_000,
      // A bad frame, an unknown id or a caller who gave up says nothing about the downstream's
      // health: only transient failures and real failures count. Opossum counts a filtered error
      // as a success, though, and a success closes a half-open circuit: a cancelled trial call
      // proves nothing, so then it counts as a failure and the circuit stays open a while longer.
      errorFilter: (error: unknown) => {
        const kind = classifyError(error);
        return kind === 'rejected' || (kind === 'cancelled' && !this.breaker.halfOpen);
      },
      name: options.name,
    });
    const report = (state: BreakerState) => {
      options.log.warn({ breaker: options.name, state }, `circuit ${state}`);
      options.onStateChange?.(state);
    };
    this.breaker.on('open', () => {
      report('open');
    });
    this.breaker.on('halfOpen', () => {
      report('half-open');
    });
    this.breaker.on('close', () => {
      report('closed');
    });
  }

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  async fire(...args: A): Promise<R> {
    try {
      return await this.breaker.fire(...args);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EOPENBREAKER') {
        throw new UnavailableError(`${this.options.name} is unavailable (circuit open); retry later`);
      }
      if (code === 'ETIMEDOUT') {
        throw new TimeoutError(`${this.options.name} did not answer within ${this.options.timeoutMs} ms`);
      }
      throw error;
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
