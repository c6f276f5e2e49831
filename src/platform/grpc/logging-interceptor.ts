import { status } from '@grpc/grpc-js';
import { DomainError } from '../errors/domain-errors';
import { findPrincipal } from '../identity/principal';
import { RateLimitedError } from '../limits/rate-limit';
import { spiffeId } from '../tls/spiffe';
import { ServerInterceptor } from './async-service';
import { CallContext } from './call-context';
import { toStatus } from './errors';

/**
 * Logs every call once, at info, when it ends: method (the logger's), status code, duration in
 * milliseconds, peer; never a payload (and the span's ids, from the logger's mixin). A call refused
 * for who its caller is or what it may do (UNAUTHENTICATED, PERMISSION_DENIED, a rate limit, a
 * NOT_FOUND that hides another's resource) also gets an audit line at info level: who (subject,
 * role, the caller's workload identity, peer), what (the method, from the logger), why. Never a
 * token or a request's content.
 */
export const loggingInterceptor: ServerInterceptor = async (ctx, next) => {
  const started = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
  try {
    await next();
    ctx.log.info({ code: 'OK', ms: elapsedMs(), peer: ctx.peer }, 'call ended');
  } catch (error) {
    const { code, details } = toStatus(error);
    const level = code === status.INTERNAL ? 'error' : 'info';
    ctx.log[level]({ code: status[code], details, ms: elapsedMs(), peer: ctx.peer }, 'call failed');
    const why = denialOf(error, code, details);
    if (why !== undefined) audit(ctx, code, why, error);
    throw error;
  }
};

/** Why the call was refused access, or undefined when it failed for another reason. */
function denialOf(error: unknown, code: status, details: string): string | undefined {
  if (error instanceof DomainError && error.deniedBecause !== undefined) return error.deniedBecause;
  if (code === status.UNAUTHENTICATED || code === status.PERMISSION_DENIED || error instanceof RateLimitedError) return details;
  return undefined;
}

function audit(ctx: CallContext, code: status, why: string, error: unknown): void {
  const principal = findPrincipal(ctx);
  ctx.log.info(
    {
      audit: 'denied',
      subject: principal?.subject,
      role: principal?.role,
      caller: ctx.caller && spiffeId(ctx.caller),
      peer: ctx.peer,
      code: status[code],
      why,
      ...(error instanceof RateLimitedError ? { limit: error.limit.name } : {}),
    },
    'call refused',
  );
}
