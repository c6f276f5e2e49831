import { isIP } from 'node:net';
import { CallContext } from '../grpc/call-context';
import { ServerInterceptor } from '../grpc/async-service';
import { allows, Caller } from '../tls/call-policy';
import { RateLimit } from './rate-limit';

/** Metadata key of the client's address that a trusted forwarder (the gateway) passes on. */
export const FORWARDED_FOR = 'x-forwarded-for';
/** The longest x-forwarded-for value read (bytes): an address is at most 45 characters (IPv6 with an IPv4 tail). */
const MAX_FORWARDED_LENGTH = 256;

/**
 * Counts each call against `limit` under the key `keyOf` gives (a stream counts once, when it
 * opens); a call without a key (`undefined`) is not counted. A refused call ends
 * RESOURCE_EXHAUSTED with RetryInfo and ErrorInfo (RateLimitedError); the logging interceptor
 * writes its audit line.
 */
export function limitInterceptor(limit: RateLimit, keyOf: (ctx: CallContext) => string | undefined): ServerInterceptor {
  return async (ctx, next) => {
    const key = keyOf(ctx);
    if (key !== undefined) await limit.take(key);
    await next();
  };
}

/**
 * The client's address in a grpc-js peer string, without the port. grpc-js's server gives
 * `<remoteAddress>:<remotePort>` (`10.0.0.7:51234`, `::1:51234`, IPv6 unbracketed); the URI forms
 * `ipv4:10.0.0.7:51234` and `ipv6:[::1]:51234` are read too. An IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.7`, a dual-stack socket's view of an IPv4 client) is its IPv4 address, so a
 * client counts once whichever way it connected. Anything else (a Unix socket's path) is returned
 * whole. Behind a proxy this is the proxy's address.
 */
export function clientAddress(peer: string): string {
  const uri = /^ipv[46]:(.*)$/.exec(peer);
  const rest = uri ? uri[1] : peer;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(rest);
  const host = bracketed ? bracketed[1] : withoutPort(rest);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return mapped ? mapped[1] : host;
}

/**
 * The address a call is counted under by a per-address limit: the client's address the caller
 * forwarded (`x-forwarded-for` metadata) when the caller is one of `forwarders`, as proven by its
 * verified mTLS client certificate (`ctx.caller`, the SPIFFE ID's workload identity); else the TCP
 * peer's (clientAddress). From anyone else the header is ignored: a client cannot pick its own
 * counter. Of a forwarder's value, the last comma-separated entry (the one it added) is taken, and
 * only when it is an IP address (IPv4-mapped IPv6 read as IPv4); a malformed or oversized value
 * falls back to the peer, so a broken forwarder shares one counter rather than escaping it.
 */
export function forwardedClientAddress(ctx: Pick<CallContext, 'peer' | 'caller' | 'metadata'>, forwarders: readonly Caller[]): string {
  const peer = clientAddress(ctx.peer);
  if (forwarders.length === 0 || !allows(forwarders, ctx.caller)) return peer;
  const values = ctx.metadata.get(FORWARDED_FOR);
  const last = values.at(-1);
  if (typeof last !== 'string' || last.length > MAX_FORWARDED_LENGTH) return peer;
  const entry = last.split(',').at(-1)?.trim() ?? '';
  const address = clientAddress(entry);
  return isIP(address) !== 0 ? address : peer;
}

/** `host:port` without `:port`, when it ends in one and what is left is an IP address. */
function withoutPort(hostPort: string): string {
  const match = /^(.*):(\d+)$/.exec(hostPort);
  if (!match) return hostPort;
  const host = match[1];
  return isIP(host) !== 0 ? host : hostPort;
}
