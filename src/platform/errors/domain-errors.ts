/**
 * Typed errors of the mesh's domain code. They say what went wrong in the domain's words and carry
 * no status code: the gRPC edge maps each kind to one (src/platform/grpc/errors.ts), the consumers
 * and breakers classify them (classify.ts). Services subclass them for their own cases
 * (`InterviewNotFoundError extends NotFoundError`). Messages are shown to callers: say what was
 * wrong with their request, never internals.
 */
export type ErrorKind =
  | 'invalid-input'
  | 'not-found'
  | 'already-exists'
  | 'wrong-state'
  | 'limit-exceeded'
  | 'unavailable'
  | 'timeout'
  | 'cancelled'
  | 'not-implemented'
  | 'unauthenticated'
  | 'permission-denied';

/** ErrorOptions, and what the audit log is told that the caller is not. */
export interface DomainErrorOptions extends ErrorOptions {
  /**
   * Why the caller was refused access, for the audit log only: set on an error that hides a
   * refusal from the caller (NOT_FOUND for another candidate's interview).
   */
  readonly deniedBecause?: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  readonly deniedBecause: string | undefined;

  constructor(message: string, options?: DomainErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.deniedBecause = options?.deniedBecause;
  }
}

/** The request or message is malformed or out of range. */
export class InvalidInputError extends DomainError {
  readonly kind = 'invalid-input';
}

/** What the request names does not exist. */
export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
}

/** What the request would create exists already. */
export class AlreadyExistsError extends DomainError {
  readonly kind = 'already-exists';
}

/** The request does not fit the current state (an interview already completed, say). */
export class WrongStateError extends DomainError {
  readonly kind = 'wrong-state';
}

/** The request is over a limit (size, pixels, rate). */
export class LimitExceededError extends DomainError {
  readonly kind = 'limit-exceeded';
}

/** The work cannot be done now (overloaded, shutting down, a dependency down); the same request may succeed later. */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

/** The work did not finish in the time it had. */
export class TimeoutError extends DomainError {
  readonly kind = 'timeout';
}

/** The caller gave up (cancelled, or its deadline passed) before the work was done. */
export class CancelledError extends DomainError {
  readonly kind = 'cancelled';
}

/** The operation exists in the contract but is not built yet. */
export class NotImplementedError extends DomainError {
  readonly kind = 'not-implemented';
}

/** The caller did not prove who they are: no credential, or one that is invalid or expired. */
export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}

/** The caller is known but may not do this. */
export class PermissionDeniedError extends DomainError {
  readonly kind = 'permission-denied';
}

const BY_KIND: Readonly<Record<ErrorKind, new (message: string) => DomainError>> = {
  'invalid-input': InvalidInputError,
  'not-found': NotFoundError,
  'already-exists': AlreadyExistsError,
  'wrong-state': WrongStateError,
  'limit-exceeded': LimitExceededError,
  unavailable: UnavailableError,
  timeout: TimeoutError,
  cancelled: CancelledError,
  'not-implemented': NotImplementedError,
  unauthenticated: UnauthenticatedError,
  'permission-denied': PermissionDeniedError,
};

/** A domain error as plain data, e.g. to cross a worker thread (classes do not survive structured cloning). */
export interface SerializedDomainError {
  readonly kind: ErrorKind;
  readonly message: string;
}

export function serializeDomainError(error: DomainError): SerializedDomainError {
  return { kind: error.kind, message: error.message };
}

/** The error of `kind` with `message` again, on the other side of a thread. */
export function deserializeDomainError(data: SerializedDomainError): DomainError {
  return new BY_KIND[data.kind](data.message);
}
