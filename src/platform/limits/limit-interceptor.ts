import { CallContext } from '../grpc/call-context';
import { ServerInterceptor } from '../grpc/async-service';
import { RateLimit, RateLimitedError } from './rate-limit';

/**
 * Counts each call against `limit` under the key `keyOf` gives (a stream counts once, when it
 * opens); a call without a key (`undefined`) is not counted. A refused call ends
 * RESOURCE_EXHAUSTED with RetryInfo and ErrorInfo (RateLimitedError), and is logged as an audit
 * line (who: the peer and key, what: the method, why: the limit).
 */
export function limitInterceptor(limit: RateLimit, keyOf: (ctx: CallContext) => string | undefined): ServerInterceptor {
  return async (ctx, next) => {
    const key = keyOf(ctx);
    if (key !== undefined) {
      try {
        await limit.take(key);
      } catch (error) {
        if (error instanceof RateLimitedError) {
          ctx.log.info({ audit: 'denied', peer: ctx.peer, key, limit: limit.spec.name, retryAfterMs: error.retryAfterMs }, 'call refused: rate limit');
        }
        throw error;
      }
    }
    await next();
  };
}

/**
 * The client's address in a grpc-js peer string, without the port: `ipv4:10.0.0.7:51234` gives
 * `10.0.0.7`, `ipv6:[::1]:51234` gives `::1`; anything else (a Unix socket) is returned whole.
 * Behind a proxy this is the proxy's address.
 */
export function clientAddress(peer: string): string {
  const ipv6 = /^ipv6:\[([^\]]+)\](?::\d+)?$/.exec(peer);
  if (ipv6) return ipv6[1];
  const ipv4 = /^ipv4:([^:]+)(?::\d+)?$/.exec(peer);
  if (ipv4) return ipv4[1];
  return peer;
}
