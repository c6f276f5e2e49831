import { Metadata, status } from '@grpc/grpc-js';
import { ErrorInfo, RetryInfo } from '../../gen/google/rpc/error_details';
import { Status } from '../../gen/google/rpc/status';
import { RateLimitedError } from '../limits/rate-limit';

/** The trailer carrying a google.rpc.Status with details (gRPC's richer error model). */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

/** `ErrorInfo.domain` of the mesh's errors (Google AIP-193: the service or product that raised it). */
export const ERROR_DOMAIN = 'interview-mesh';

/** `ErrorInfo.reason` of a call refused by a rate limit; `metadata.limit` names the limit. */
export const RATE_LIMIT_EXCEEDED = 'RATE_LIMIT_EXCEEDED';

const TYPE_URL = 'type.googleapis.com/';

/**
 * The trailers of a call refused by a rate limit: a google.rpc.Status (`code`, `message`) whose
 * details are a google.rpc.RetryInfo (when to try again, whole milliseconds) and a
 * google.rpc.ErrorInfo (reason RATE_LIMIT_EXCEEDED; metadata `limit`, `max` and `window_seconds`),
 * as Google's AIP-193 and the gRPC richer error model describe. grpcio-status, Go's
 * `status.FromError(err).Details()` and grpcurl (through reflection, which serves these types) read it.
 */
export function rateLimitTrailers(code: status, message: string, error: RateLimitedError): Metadata {
  const retryAfterMs = Math.max(0, Math.ceil(error.retryAfterMs));
  const retry = RetryInfo.encode({ retryDelay: { seconds: Math.floor(retryAfterMs / 1000), nanos: (retryAfterMs % 1000) * 1_000_000 } }).finish();
  const info = ErrorInfo.encode({
    reason: RATE_LIMIT_EXCEEDED,
    domain: ERROR_DOMAIN,
    metadata: { limit: error.limit.name, max: String(error.limit.max), window_seconds: String(error.limit.windowSeconds) },
  }).finish();
  const body = Status.encode({
    code,
    message,
    details: [
      { typeUrl: `${TYPE_URL}google.rpc.RetryInfo`, value: Buffer.from(retry) },
      { typeUrl: `${TYPE_URL}google.rpc.ErrorInfo`, value: Buffer.from(info) },
    ],
  }).finish();
  const trailers = new Metadata();
  trailers.set(STATUS_DETAILS_KEY, Buffer.from(body));
  return trailers;
}
