import { Metadata, status, StatusObject } from '@grpc/grpc-js';
import { carriesStatus, classifyError } from '../errors/classify';
import { DomainError, ErrorKind } from '../errors/domain-errors';
import { RateLimitedError } from '../limits/rate-limit';
import { rateLimitTrailers } from './status-details';

/**
 * An error with a gRPC status code, thrown at the gRPC edge (request validation in handlers);
 * domain code throws DomainErrors instead. The message is shown to clients: say what was wrong
 * with their request, never internals.
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
  static unimplemented(method: string): ServiceError {
    return new ServiceError(status.UNIMPLEMENTED, `${method} is not implemented yet`);
  }
}

const STATUS_OF_NUMBER = new Map<number, status>(
  Object.values(status)
    .filter((value): value is status => typeof value === 'number')
    .map((value) => [value, value]),
);

/** A status code read off the wire (a proto field) as grpc-js's `status`; UNKNOWN for a number that is none. */
export function statusOfCode(code: number): status {
  return STATUS_OF_NUMBER.get(code) ?? status.UNKNOWN;
}

/** The one table from domain error kinds to gRPC status codes (gRPC's status code guide). */
export const STATUS_OF_KIND: Readonly<Record<ErrorKind, status>> = {
  'invalid-input': status.INVALID_ARGUMENT,
  'not-found': status.NOT_FOUND,
  'already-exists': status.ALREADY_EXISTS,
  'wrong-state': status.FAILED_PRECONDITION,
  'limit-exceeded': status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  timeout: status.DEADLINE_EXCEEDED,
  cancelled: status.CANCELLED,
  'not-implemented': status.UNIMPLEMENTED,
  unauthenticated: status.UNAUTHENTICATED,
  'permission-denied': status.PERMISSION_DENIED,
};

/** A call's status as the edge sends it; `metadata` carries trailers such as the status details. */
export type EdgeStatus = Pick<StatusObject, 'code' | 'details'> & { metadata?: Metadata };

/**
 * The one place where errors become statuses at the edge (nice-grpc's createErrorStatusObject does
 * the same): a ServiceError keeps its code and message; a DomainError gets its kind's code and its
 * message; a status from elsewhere (a downstream's error that was not turned into a DomainError by
 * its client) never passes its details on: a transient one is UNAVAILABLE with a generic message;
 * a database outage is UNAVAILABLE; anything else is INTERNAL with a generic message (the details
 * go to the log, not to the client). A rate limit's refusal carries RetryInfo and ErrorInfo in its
 * status details (rateLimitTrailers).
 */
export function toStatus(error: unknown): EdgeStatus {
  if (error instanceof ServiceError) return { code: error.code, details: error.message };
  if (error instanceof RateLimitedError) {
    const code = STATUS_OF_KIND[error.kind];
    return { code, details: error.message, metadata: rateLimitTrailers(code, error.message, error) };
  }
  if (error instanceof DomainError) return { code: STATUS_OF_KIND[error.kind], details: error.message };
  const kind = classifyError(error);
  if (kind === 'cancelled') return { code: status.CANCELLED, details: 'cancelled' };
  if (kind === 'transient') {
    return carriesStatus(error)
      ? { code: status.UNAVAILABLE, details: 'a downstream service is unavailable; retry shortly' }
      : { code: status.UNAVAILABLE, details: 'the database is unavailable; retry shortly' };
  }
  return { code: status.INTERNAL, details: 'internal error' };
}
