import { Metadata, status } from '@grpc/grpc-js';
import { ErrorInfo, RetryInfo } from '../../gen/google/rpc/error_details';
import { Status } from '../../gen/google/rpc/status';
import { RateLimitedError } from '../limits/rate-limit';
import { toStatus } from '../grpc/errors';
import { ERROR_DOMAIN, RATE_LIMIT_EXCEEDED, STATUS_DETAILS_KEY } from '../grpc/status-details';

/**
 * The one table from gRPC status codes to HTTP statuses, as google.api's HTTP mapping gives it
 * (google/rpc/code.proto, each code's "HTTP Mapping" comment). FAILED_PRECONDITION is 400, not
 * 412: HTTP's precondition is about conditional headers, which this API does not use. CANCELLED
 * is 499, nginx's "client closed request", which code.proto names too.
 */
export const HTTP_STATUS_OF_GRPC: Readonly<Record<status, number>> = Object.freeze({
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

/** The HTTP status of a gRPC status code (500 for a number that is no code). */
export function httpStatusOf(code: status): number {
  return (HTTP_STATUS_OF_GRPC as Readonly<Partial<Record<number, number>>>)[code] ?? 500;
}

/** The name of a gRPC status code (`NOT_FOUND`), `UNKNOWN` for a number that is none. */
export function statusName(code: status): string {
  return (status as unknown as Readonly<Partial<Record<number, string>>>)[code] ?? 'UNKNOWN';
}

/** One entry of `error.details`: a google.rpc detail in its proto3 JSON form, typed by `@type`. */
export type HttpErrorDetail =
  | { readonly '@type': 'type.googleapis.com/google.rpc.RetryInfo'; readonly retryDelay: string }
  | {
      readonly '@type': 'type.googleapis.com/google.rpc.ErrorInfo';
      readonly reason: string;
      readonly domain: string;
      readonly metadata: Record<string, string>;
    };

/**
 * An error response's body, Google's JSON form of google.rpc.Status (AIP-193):
 * `{"error": {"code": 404, "status": "NOT_FOUND", "message": "...", "details": [...]}}`, where
 * `code` is the HTTP status and `status` the gRPC code's name.
 */
export interface HttpErrorBody {
  readonly error: {
    readonly code: number;
    readonly status: string;
    readonly message: string;
    readonly details: readonly HttpErrorDetail[];
  };
}

/** An error as an HTTP answer: status, body, and `Retry-After` in whole seconds (RFC 9110 section 10.2.3) when the caller may retry later. */
export interface HttpErrorResponse {
  readonly httpStatus: number;
  readonly body: HttpErrorBody;
  readonly retryAfterSeconds: number | undefined;
}

/** The body of an error with gRPC code `code` and `message` (an error the HTTP edge raises itself, e.g. a schema's refusal). */
export function errorBody(code: status, message: string, details: readonly HttpErrorDetail[] = []): HttpErrorBody {
  return { error: { code: httpStatusOf(code), status: statusName(code), message, details } };
}

/**
 * Any error as an HTTP answer: its gRPC status by the mesh's one rule (toStatus: a domain error's
 * kind, generic messages for internals), then HTTP_STATUS_OF_GRPC. A rate limit's refusal, here or
 * a downstream's (its RetryInfo and ErrorInfo in the `grpc-status-details-bin` trailer of the
 * error's `cause`), keeps both details and sets Retry-After.
 */
export function httpErrorOf(error: unknown): HttpErrorResponse {
  const { code, details } = toStatus(error);
  const rpcDetails = statusDetailsOf(error);
  const retryDelayMs = rpcDetails.retryDelayMs;
  const body = errorBody(code, details, [
    ...(retryDelayMs === undefined ? [] : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo' as const, retryDelay: durationJson(retryDelayMs) }]),
    ...(rpcDetails.errorInfo
      ? [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo' as const,
            reason: rpcDetails.errorInfo.reason,
            domain: rpcDetails.errorInfo.domain,
            metadata: rpcDetails.errorInfo.metadata,
          },
        ]
      : []),
  ]);
  return { httpStatus: httpStatusOf(code), body, retryAfterSeconds: retryDelayMs === undefined ? undefined : Math.max(1, Math.ceil(retryDelayMs / 1000)) };
}

/** A google.protobuf.Duration in proto3 JSON: seconds with up to 9 decimals and an `s`, e.g. `1.500s`. */
function durationJson(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(3)}s`;
}

/** The RetryInfo and ErrorInfo of a refusal: this process's own RateLimitedError, or the status details a downstream sent. */
function statusDetailsOf(error: unknown): { retryDelayMs: number | undefined; errorInfo: ErrorInfo | undefined } {
  if (error instanceof RateLimitedError) {
    return {
      retryDelayMs: error.retryAfterMs,
      errorInfo: {
        reason: RATE_LIMIT_EXCEEDED,
        domain: ERROR_DOMAIN,
        metadata: { limit: error.limit.name, max: String(error.limit.max), window_seconds: String(error.limit.windowSeconds) },
      },
    };
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const metadata = (cause as { metadata?: unknown } | undefined)?.metadata;
  const value = metadata instanceof Metadata ? metadata.get(STATUS_DETAILS_KEY)[0] : undefined;
  if (!(value instanceof Buffer)) return { retryDelayMs: undefined, errorInfo: undefined };
  let retryDelayMs: number | undefined;
  let errorInfo: ErrorInfo | undefined;
  try {
    for (const detail of Status.decode(value).details) {
      if (detail.typeUrl.endsWith('/google.rpc.RetryInfo')) {
        const delay = RetryInfo.decode(detail.value).retryDelay;
        if (delay) retryDelayMs = delay.seconds * 1000 + delay.nanos / 1_000_000;
      } else if (detail.typeUrl.endsWith('/google.rpc.ErrorInfo')) {
        errorInfo = ErrorInfo.decode(detail.value);
      }
    }
  } catch {
    // Details that do not decode are left out; the status itself still stands.
  }
  return { retryDelayMs, errorInfo };
}
