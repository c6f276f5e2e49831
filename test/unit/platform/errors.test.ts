import { Metadata, status } from '@grpc/grpc-js';
import { classifyError, ErrorClass, isRetryable } from '../../../src/platform/errors/classify';
import {
  AlreadyExistsError,
  CancelledError,
  DomainError,
  deserializeDomainError,
  ErrorKind,
  InvalidInputError,
  LimitExceededError,
  NotFoundError,
  NotImplementedError,
  serializeDomainError,
  TimeoutError,
  UnavailableError,
  WrongStateError,
} from '../../../src/platform/errors/domain-errors';
import { ServiceError, STATUS_OF_KIND, toStatus } from '../../../src/platform/grpc/errors';

/** Every DomainError class with its kind, the class the mesh gives it and its gRPC status. */
const KINDS: readonly [new (message: string) => DomainError, ErrorKind, ErrorClass, status][] = [
  [InvalidInputError, 'invalid-input', 'rejected', status.INVALID_ARGUMENT],
  [NotFoundError, 'not-found', 'rejected', status.NOT_FOUND],
  [AlreadyExistsError, 'already-exists', 'rejected', status.ALREADY_EXISTS],
  [WrongStateError, 'wrong-state', 'rejected', status.FAILED_PRECONDITION],
  [LimitExceededError, 'limit-exceeded', 'rejected', status.RESOURCE_EXHAUSTED],
  [NotImplementedError, 'not-implemented', 'rejected', status.UNIMPLEMENTED],
  [UnavailableError, 'unavailable', 'transient', status.UNAVAILABLE],
  [TimeoutError, 'timeout', 'transient', status.DEADLINE_EXCEEDED],
  [CancelledError, 'cancelled', 'cancelled', status.CANCELLED],
];

/** An error shaped as grpc-js's client errors: `code`, `details`, `metadata`, message `<code> <NAME>: <details>`. */
function grpcClientError(code: status, details: string): Error {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });
}

/** An error shaped as pg's: a string SQLSTATE or socket error code. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyError', () => {
  it.each(KINDS.map(([Class, kind, expected]) => [Class.name, kind, expected, Class] as const))('%s (%s) is %s', (_name, kind, expected, Class) => {
    const error = new Class('what went wrong');
    expect(error.kind).toBe(kind);
    expect(classifyError(error)).toBe(expected);
  });

  it('classifies subclasses by their kind', () => {
    class InterviewNotFoundError extends NotFoundError {}
    expect(classifyError(new InterviewNotFoundError('no interview i-1'))).toBe('rejected');
  });

  it.each([
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
    [status.INTERNAL, 'failure'],
    [status.UNKNOWN, 'failure'],
    [status.DATA_LOSS, 'failure'],
    [status.ABORTED, 'failure'],
  ] as const)('a grpc-js client error with status %s is %s', (code, expected) => {
    expect(classifyError(grpcClientError(code, 'details'))).toBe(expected);
  });

  it('classifies a ServiceError by its code', () => {
    expect(classifyError(ServiceError.invalidArgument('session_id is required'))).toBe('rejected');
    expect(classifyError(new ServiceError(status.UNAVAILABLE, 'overloaded'))).toBe('transient');
  });

  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['08006', 'connection failure'],
    ['53300', 'sorry, too many clients already'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['ECONNRESET', 'read ECONNRESET'],
  ])('a database-unavailable error (code %s) is transient', (code, message) => {
    expect(classifyError(pgError(code, message))).toBe('transient');
  });

  it('a connection closed under a query (pg, no code) is transient', () => {
    expect(classifyError(new Error('Connection terminated unexpectedly'))).toBe('transient');
  });

  it('a query error of the database (not an outage) is a failure', () => {
    expect(classifyError(pgError('23505', 'duplicate key value violates unique constraint'))).toBe('failure');
    expect(classifyError(pgError('42P01', 'relation "nope" does not exist'))).toBe('failure');
  });

  it('a plain Error, or something that is not an Error at all, is a failure', () => {
    expect(classifyError(new Error('bug'))).toBe('failure');
    expect(classifyError(new TypeError('x is undefined'))).toBe('failure');
    expect(classifyError('a string')).toBe('failure');
    expect(classifyError(undefined)).toBe('failure');
    expect(classifyError({ code: status.UNAVAILABLE, details: 'not an Error' })).toBe('failure');
  });
});

describe('isRetryable', () => {
  it('is true for transient failures only', () => {
    expect(isRetryable(new UnavailableError('overloaded'))).toBe(true);
    expect(isRetryable(new TimeoutError('slow'))).toBe(true);
    expect(isRetryable(grpcClientError(status.UNAVAILABLE, 'No connection established'))).toBe(true);
    expect(isRetryable(grpcClientError(status.DEADLINE_EXCEEDED, 'Deadline exceeded'))).toBe(true);
    expect(isRetryable(pgError('57P01', 'terminating connection'))).toBe(true);

    expect(isRetryable(new InvalidInputError('bad'))).toBe(false);
    expect(isRetryable(new CancelledError('gave up'))).toBe(false);
    expect(isRetryable(grpcClientError(status.INTERNAL, 'boom'))).toBe(false);
    expect(isRetryable(grpcClientError(status.CANCELLED, 'Cancelled on client'))).toBe(false);
    expect(isRetryable(new Error('bug'))).toBe(false);
  });
});

describe('toStatus', () => {
  it('keeps a ServiceError code and message', () => {
    expect(toStatus(ServiceError.invalidArgument('session_id is required'))).toEqual({ code: status.INVALID_ARGUMENT, details: 'session_id is required' });
    expect(toStatus(ServiceError.unimplemented('AnalyzeFrame'))).toEqual({ code: status.UNIMPLEMENTED, details: 'AnalyzeFrame is not implemented yet' });
    expect(toStatus(new ServiceError(status.PERMISSION_DENIED, 'not yours'))).toEqual({ code: status.PERMISSION_DENIED, details: 'not yours' });
  });

  it.each(KINDS.map(([Class, kind, , code]) => [Class.name, code, kind, Class] as const))('maps %s to %s with its message', (_name, code, kind, Class) => {
    expect(STATUS_OF_KIND[kind]).toBe(code);
    expect(toStatus(new Class(`message of ${kind}`))).toEqual({ code, details: `message of ${kind}` });
  });

  it('maps a transient raw downstream status to UNAVAILABLE without its details', () => {
    const details = 'connect ECONNREFUSED 10.1.2.3:50053';
    for (const code of [status.UNAVAILABLE, status.DEADLINE_EXCEEDED]) {
      const result = toStatus(grpcClientError(code, details));
      expect(result).toEqual({ code: status.UNAVAILABLE, details: 'a downstream service is unavailable; retry shortly' });
      expect(result.details).not.toContain('10.1.2.3');
    }
  });

  it('does not pass a raw caller-fault status through: it is INTERNAL with a generic message', () => {
    expect(toStatus(grpcClientError(status.INVALID_ARGUMENT, 'answers[3].question is empty'))).toEqual({ code: status.INTERNAL, details: 'internal error' });
    expect(toStatus(grpcClientError(status.NOT_FOUND, 'interview i-1 in schema interview'))).toEqual({ code: status.INTERNAL, details: 'internal error' });
    expect(toStatus(grpcClientError(status.INTERNAL, 'stack trace here'))).toEqual({ code: status.INTERNAL, details: 'internal error' });
  });

  it('maps a raw CANCELLED to CANCELLED', () => {
    expect(toStatus(grpcClientError(status.CANCELLED, 'Cancelled on client'))).toEqual({ code: status.CANCELLED, details: 'cancelled' });
  });

  it('maps a database outage to UNAVAILABLE without the database address', () => {
    for (const error of [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:5432'),
    ]) {
      expect(toStatus(error)).toEqual({ code: status.UNAVAILABLE, details: 'the database is unavailable; retry shortly' });
    }
  });

  it('maps anything else to INTERNAL "internal error", leaking nothing', () => {
    expect(toStatus(new Error('password authentication failed for user "mesh"'))).toEqual({ code: status.INTERNAL, details: 'internal error' });
    expect(toStatus(pgError('42P01', 'relation "interview.secret" does not exist'))).toEqual({ code: status.INTERNAL, details: 'internal error' });
    expect(toStatus('thrown string')).toEqual({ code: status.INTERNAL, details: 'internal error' });
  });
});

describe('serializeDomainError / deserializeDomainError', () => {
  it.each(KINDS.map(([Class]) => [Class.name, Class] as const))('%s survives the round trip with its class and message', (name, Class) => {
    const original = new Class(`the ${name} message`);
    const data = serializeDomainError(original);
    // Plain data: what structured cloning keeps.
    const cloned = structuredClone(data);
    expect(cloned).toEqual({ kind: original.kind, message: original.message });

    const again = deserializeDomainError(cloned);
    expect(again).toBeInstanceOf(Class);
    expect(again).toBeInstanceOf(DomainError);
    expect(again.name).toBe(name);
    expect(again.kind).toBe(original.kind);
    expect(again.message).toBe(original.message);
    expect(toStatus(again)).toEqual(toStatus(original));
  });
});
