import { Metadata } from '@grpc/grpc-js';
import { Logger } from '../log/logger';
import { WorkloadIdentity } from '../tls/spiffe';

/**
 * What a handler knows about its call besides the request. `signal` aborts when the client
 * cancels or the deadline passes; pass it, and `deadline`, to every downstream call so that no
 * downstream call outlives its caller.
 */
export interface CallContext {
  /** Full method path, e.g. `/emotion.EmotionService/AnalyzeFrame`. */
  readonly method: string;
  readonly metadata: Metadata;
  /** The client's deadline, or undefined when it set none. */
  readonly deadline: Date | undefined;
  readonly signal: AbortSignal;
  readonly peer: string;
  /** The workload identity of the caller's verified client certificate (mTLS); undefined without one. */
  readonly caller: WorkloadIdentity | undefined;
  readonly log: Logger;
}

/**
 * The earlier of the caller's deadline and `now + budgetMs`: the deadline for a downstream call made
 * on behalf of `ctx` (or of no caller at all).
 */
export function downstreamDeadline(budgetMs: number, ctx?: Pick<CallContext, 'deadline'>): Date {
  const own = Date.now() + budgetMs;
  const parent = ctx?.deadline?.getTime() ?? Infinity;
  return new Date(Math.min(own, parent));
}
