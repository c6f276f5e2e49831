/**
 * The one table from gRPC codes to HTTP statuses (google.api's mapping in google/rpc/code.proto)
 * and the error body (google.rpc.Status in JSON), with Retry-After from a limit's RetryInfo, here
 * or a downstream's.
 */
import { status } from '@grpc/grpc-js';
import { HTTP_STATUS_OF_GRPC, httpErrorOf } from '../../../src/platform/http/http-errors';
import { rateLimitTrailers } from '../../../src/platform/grpc/status-details';
import { LimitExceededError, NotFoundError, UnauthenticatedError } from '../../../src/platform/errors/domain-errors';
import { RateLimitedError } from '../../../src/platform/limits/rate-limit';
import { execFileSync } from 'node:child_process';
import { openApiDocument } from '../../../src/services/gateway/openapi';
import { closeCodeOf } from '../../../src/services/gateway/web-sockets';

test('every gRPC code maps as google.api says', () => {
  expect(HTTP_STATUS_OF_GRPC).toEqual({
    [status.OK]: 200,
    [status.CANCELLED]: 499,
    [status.UNKNOWN]: 500,
    [status.INVALID_ARGUMENT]: 400,
    [status.DEADLINE_EXCEEDED]: 504,
    [status.NOT_FOUND]: 404,
    [status.ALREADY_EXISTS]: 409,
    [status.PERMISSION_DENIED]: 403,
    [status.RESOURCE_EXHAUSTED]: 429,
    [status.FAILED_PRECONDITION]: 400,
    [status.ABORTED]: 409,
    [status.OUT_OF_RANGE]: 400,
    [status.UNIMPLEMENTED]: 501,
    [status.INTERNAL]: 500,
    [status.UNAVAILABLE]: 503,
    [status.DATA_LOSS]: 500,
    [status.UNAUTHENTICATED]: 401,
  });
});

test('domain errors keep their message; internals do not leak', () => {
  expect(httpErrorOf(new NotFoundError('interview x not found'))).toEqual({
    httpStatus: 404,
    body: { error: { code: 404, status: 'NOT_FOUND', message: 'interview x not found', details: [] } },
    retryAfterSeconds: undefined,
  });
  expect(httpErrorOf(new UnauthenticatedError('no token')).httpStatus).toBe(401);
  const internal = httpErrorOf(new Error('password=hunter2 at db.ts:12'));
  expect(internal.httpStatus).toBe(500);
  expect(internal.body.error.message).toBe('internal error');
});

test("a limit's refusal, own or a downstream's, is 429 with Retry-After and RetryInfo", () => {
  const spec = { name: 'requests_per_user_per_minute', max: 100, windowSeconds: 60, unit: 'requests' };
  const own = httpErrorOf(new RateLimitedError(spec, 1500));
  expect(own.httpStatus).toBe(429);
  expect(own.retryAfterSeconds).toBe(2);
  expect(own.body.error.details[0]).toEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.500s' });
  // As the downstream client hands it over: a LimitExceededError whose cause is the gRPC error with its trailers.
  const cause = Object.assign(new Error('limited'), {
    code: status.RESOURCE_EXHAUSTED,
    details: 'limited',
    metadata: rateLimitTrailers(status.RESOURCE_EXHAUSTED, 'limited', new RateLimitedError(spec, 30_000)),
  });
  const downstream = httpErrorOf(new LimitExceededError('limited', { cause }));
  expect(downstream).toMatchObject({ httpStatus: 429, retryAfterSeconds: 30 });
  expect(downstream.body.error.details).toEqual(
    expect.arrayContaining([expect.objectContaining({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED' })]),
  );
});

test('WebSocket close codes follow the same table', () => {
  expect(closeCodeOf(status.UNAUTHENTICATED)).toBe(4401);
  expect(closeCodeOf(status.PERMISSION_DENIED)).toBe(4403);
  expect(closeCodeOf(status.NOT_FOUND)).toBe(4404);
  expect(closeCodeOf(status.RESOURCE_EXHAUSTED)).toBe(4429);
  expect(closeCodeOf(status.UNAVAILABLE)).toBe(1013);
  expect(closeCodeOf(status.INTERNAL)).toBe(1011);
  expect(closeCodeOf(status.OK)).toBe(1000);
});

// The validator is an ES module, which this suite's CommonJS cannot load: it runs in a node of its own.
const VALIDATE = `
import { Validator } from '@seriousme/openapi-schema-validator';
let text = '';
for await (const chunk of process.stdin) text += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(text));
console.log(JSON.stringify({ valid: result.valid, errors: result.errors ?? [], version: validator.version }));
`;

test('the OpenAPI document is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', () => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', VALIDATE], {
    input: JSON.stringify(openApiDocument('https://localhost:8080')),
    cwd: process.cwd(),
  });
  expect(JSON.parse(out.toString())).toEqual({ valid: true, errors: [], version: '3.1' });
});
