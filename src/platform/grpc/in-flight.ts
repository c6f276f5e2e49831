import { ServerInterceptor } from './async-service';

/**
 * Counts handlers still running. A graceful stop waits for them, not only for the server: grpc-js
 * ends a call when its HTTP/2 session closes at shutdown (grpc-node #2091) while its handler may
 * still be writing, and what the handler commits (an outbox row) must be there before the outbox
 * is flushed.
 */
export class InFlightHandlers {
  private running = 0;
  private readonly idle = new Set<() => void>();

  readonly interceptor: ServerInterceptor = async (_ctx, next) => {
    this.running += 1;
    try {
      await next();
    } finally {
      this.running -= 1;
      if (this.running === 0) for (const resolve of this.idle) resolve();
    }
  };

  /** Resolves once no handler runs. */
  drained(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.idle.delete(done);
        resolve();
      };
      this.idle.add(done);
    });
  }
}
