import { Metadata, status, StatusObject } from '@grpc/grpc-js';
import { isDatabaseUnavailable } from '../db/db-errors';

/**
 * An error with a gRPC status code, thrown by handlers and domain code; `toStatus` turns it (and
 * anything else) into the status the client sees. The message is shown to clients: say what was
 * wrong with their request, never internals.
 */
export class ServiceError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }

  /** The message, under the name grpc-js gives it on client errors, so both read alike. */
  get details(): string {
    return this.message;
  }

  static invalidArgument(message: string): ServiceError {
    return new ServiceError(status.INVALID_ARGUMENT, message);
  }
  static notFound(message: string): ServiceError {
    return new ServiceError(status.NOT_FOUND, message);
  }
  static failedPrecondition(message: string): ServiceError {
    return new ServiceError(status.FAILED_PRECONDITION, message);
  }
  static alreadyExists(message: string): ServiceError {
    return new ServiceError(status.ALREADY_EXISTS, message);
  }
  static resourceExhausted(message: string): ServiceError {
    return new ServiceError(status.RESOURCE_EXHAUSTED, message);
  }
  static unavailable(message: string): ServiceError {
    return new ServiceError(status.UNAVAILABLE, message);
  }
  static unimplemented(method: string): ServiceError {
    return new ServiceError(status.UNIMPLEMENTED, `${method} is not implemented yet`);
  }
}

/** An error as grpc-js clients report it: a status code and details. */
export interface GrpcCallError extends Error {
  code: status;
  details: string;
  metadata?: Metadata;
}

export function isGrpcCallError(error: unknown): error is GrpcCallError {
  return error instanceof Error && typeof (error as Partial<GrpcCallError>).code === 'number' && 'details' in error;
}

/** Codes a downstream may return that are the caller's fault, passed through to our caller as is. */
const CALLER_FAULT_CODES = new Set<status>([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.RESOURCE_EXHAUSTED,
  status.ALREADY_EXISTS,
  status.UNIMPLEMENTED,
]);

/** True for a downstream's answer that is the caller's fault (bad input, unknown id, wrong state). */
export function isCallerFault(error: unknown): boolean {
  return isGrpcCallError(error) && CALLER_FAULT_CODES.has(error.code);
}

/**
 * The one place where errors become statuses (nice-grpc's createErrorStatusObject does the same):
 * ServiceError keeps its code and message; a downstream's caller-fault codes pass through; a
 * downstream's UNAVAILABLE and DEADLINE_EXCEEDED stay retryable; anything else is INTERNAL with a
 * generic message (the details go to the log, not to the client).
 */
export function toStatus(error: unknown): Pick<StatusObject, 'code' | 'details'> {
  if (error instanceof ServiceError) return { code: error.code, details: error.message };
  if (isGrpcCallError(error)) {
    if (isCallerFault(error)) return { code: error.code, details: error.details };
    if (error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED) {
      return { code: error.code, details: `a downstream service did not answer: ${error.details}` };
    }
    if (error.code === status.CANCELLED) return { code: status.CANCELLED, details: 'cancelled' };
  }
  if (isDatabaseUnavailable(error)) return { code: status.UNAVAILABLE, details: 'the database is unavailable; retry shortly' };
  return { code: status.INTERNAL, details: 'internal error' };
}
