import { Metadata } from '@grpc/grpc-js';
import { ErrorInfo, RetryInfo } from '../../src/gen/google/rpc/error_details';
import { Status } from '../../src/gen/google/rpc/status';

/** A google.rpc.Status as a client reads it from the `grpc-status-details-bin` trailer, its RetryInfo and ErrorInfo decoded. */
export interface StatusDetails {
  readonly code: number;
  readonly message: string;
  /** The type URLs of the details, in order. */
  readonly typeUrls: readonly string[];
  /** RetryInfo.retry_delay in milliseconds; undefined without a RetryInfo. */
  readonly retryDelayMs: number | undefined;
  readonly errorInfo: ErrorInfo | undefined;
}

/**
 * Decodes the status details in `metadata` (a call's trailers, or toStatus's metadata) as any gRPC
 * client would: google.rpc.Status, then each Any by its type URL. Undefined when there are none.
 */
export function statusDetails(metadata: Metadata | undefined): StatusDetails | undefined {
  const value = metadata?.get('grpc-status-details-bin')[0];
  if (!(value instanceof Buffer)) return undefined;
  const decoded = Status.decode(value);
  let retryDelayMs: number | undefined;
  let errorInfo: ErrorInfo | undefined;
  for (const detail of decoded.details) {
    if (detail.typeUrl === 'type.googleapis.com/google.rpc.RetryInfo') {
      const delay = RetryInfo.decode(detail.value).retryDelay;
      retryDelayMs = delay && delay.seconds * 1000 + delay.nanos / 1_000_000;
    } else if (detail.typeUrl === 'type.googleapis.com/google.rpc.ErrorInfo') {
      errorInfo = ErrorInfo.decode(detail.value);
    }
  }
  return { code: decoded.code, message: decoded.message, typeUrls: decoded.details.map((d) => d.typeUrl), retryDelayMs, errorInfo };
}
