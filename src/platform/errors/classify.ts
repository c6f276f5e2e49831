import { status } from '@grpc/grpc-js';
import { isDatabaseUnavailable } from '../db/db-errors';
import { DomainError, ErrorKind } from './domain-errors';

/**
 * What a failure says, the one classification the mesh uses everywhere (breakers, consumers,
 * outbox relay, the interview service's fallback):
 * - `rejected`: the request or message is at fault (bad input, unknown id, wrong state, a limit).
 *   Trying it again cannot help, and it says nothing about the health of whoever refused it.
 * - `transient`: the callee, the database or the broker cannot serve now; the same request may
 *   succeed later (gRPC UNAVAILABLE or DEADLINE_EXCEEDED, a database restarting, a service
 *   overloaded or shutting down).
 * - `cancelled`: the caller gave up; nothing is known about the callee.
 * - `failure`: anything else (INTERNAL, a bug): counted against the callee, retried with limits.
 */
export type ErrorClass = 'rejected' | 'transient' | 'cancelled' | 'failure';

const CLASS_OF_KIND: Readonly<Record<ErrorKind, ErrorClass>> = {
  'invalid-input': 'rejected',
  'not-found': 'rejected',
  'already-exists': 'rejected',
  'wrong-state': 'rejected',
  'limit-exceeded': 'rejected',
  'not-implemented': 'rejected',
  unauthenticated: 'rejected',
  'permission-denied': 'rejected',
  unavailable: 'transient',
  timeout: 'transient',
  cancelled: 'cancelled',
};

/** gRPC status codes by class (the rest are `failure`); gRPC's own guidance on retryable codes. */
const CLASS_OF_CODE: ReadonlyMap<status, ErrorClass> = new Map<status, ErrorClass>([
  [status.INVALID_ARGUMENT, 'rejected'],
  [status.NOT_FOUND, 'rejected'],
  [status.ALREADY_EXISTS, 'rejected'],
  [status.FAILED_PRECONDITION, 'rejected'],
  [status.OUT_OF_RANGE, 'rejected'],
  [status.RESOURCE_EXHAUSTED, 'rejected'],
  [status.UNIMPLEMENTED, 'rejected'],
  [status.UNAUTHENTICATED, 'rejected'],
  [status.PERMISSION_DENIED, 'rejected'],
  [status.UNAVAILABLE, 'transient'],
  [status.DEADLINE_EXCEEDED, 'transient'],
  [status.CANCELLED, 'cancelled'],
]);

/** An error carrying a gRPC status code: grpc-js's client errors, and ServiceError. */
export interface StatusCarrier {
  readonly code: status;
  readonly details: string;
}

export function carriesStatus(error: unknown): error is Error & StatusCarrier {
  return error instanceof Error && typeof (error as Partial<StatusCarrier>).code === 'number' && 'details' in error;
}

/** The class of `error` (see ErrorClass). */
export function classifyError(error: unknown): ErrorClass {
  if (error instanceof DomainError) return CLASS_OF_KIND[error.kind];
  if (carriesStatus(error)) return CLASS_OF_CODE.get(error.code) ?? 'failure';
  if (isDatabaseUnavailable(error)) return 'transient';
  return 'failure';
}

/** True when the same request or message may succeed later without change (class `transient`). */
export function isRetryable(error: unknown): boolean {
  return classifyError(error) === 'transient';
}
