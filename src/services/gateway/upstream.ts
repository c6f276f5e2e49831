import { Metadata } from '@grpc/grpc-js';
import { AuthServiceClient } from '../../gen/auth';
import { InterviewServiceClient } from '../../gen/interview';
import { CallContext } from '../../platform/grpc/call-context';
import { DownstreamClient } from '../../platform/service/downstream-client';
import type { FastifyBaseLogger } from 'fastify';
import { FORWARDED_FOR } from '../../platform/limits/limit-interceptor';
import { Logger } from '../../platform/log/logger';

/** The services behind the gateway, through the platform's client stack (Consul, breaker, deadline, mTLS). */
export interface Upstreams {
  readonly interview: DownstreamClient<InterviewServiceClient>;
  readonly auth: DownstreamClient<AuthServiceClient>;
}

/**
 * Metadata key of the HTTP client's address (its TCP peer: Fastify's trustProxy is off, so a
 * client's own X-Forwarded-For header is never passed on), by which the interview and auth
 * services count their per-address limits, believing it from the gateway's certificate alone
 * (forwardedClientAddress).
 */
export { FORWARDED_FOR };

/** Who an HTTP request or WebSocket is from: its bearer token (when it has one) and its address. */
export interface Caller {
  readonly token: string | undefined;
  readonly address: string;
}

/** The metadata of a call on behalf of `caller`: `authorization: Bearer <token>` (RFC 6750) as the interview service reads it, and its address. */
export function callerMetadata(caller: Caller): Metadata {
  const metadata = new Metadata();
  if (caller.token !== undefined) metadata.set('authorization', `Bearer ${caller.token}`);
  metadata.set(FORWARDED_FOR, caller.address);
  return metadata;
}

/**
 * The CallContext of a downstream call made for an HTTP request: no deadline of its own (the
 * downstream's budget applies), cancelled by `signal` when the HTTP client goes away.
 */
export function httpCallContext(route: string, caller: Caller, signal: AbortSignal, log: FastifyBaseLogger): CallContext {
  // Fastify's request logger is a child of the service's pino logger (app.ts's loggerInstance).
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- it is pino's Logger, typed by Fastify as its narrower interface
  return { method: route, metadata: new Metadata(), deadline: undefined, signal, peer: caller.address, caller: undefined, log: log as Logger };
}
