import { CallOptions, ClientUnaryCall, Metadata, ServiceError as GrpcServiceError } from '@grpc/grpc-js';

/** A ts-proto client's unary method: (request, metadata, options, callback). */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: GrpcServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export interface UnaryCallOptions {
  /** Absolute deadline of the call. */
  deadline: Date;
  /** Cancels the call when aborted, e.g. the caller's own CallContext.signal. */
  signal?: AbortSignal;
  metadata?: Metadata;
}

/**
 * Calls a unary method as a promise, with a deadline and cancellation. Rejects with grpc-js's
 * ServiceError (code, details) on a non-OK status.
 */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: UnaryCallOptions): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const call = method(request, options.metadata ?? new Metadata(), { deadline: options.deadline }, (error, response) => {
      options.signal?.removeEventListener('abort', cancel);
      if (error) reject(error);
      else resolve(response);
    });
    const cancel = () => {
      call.cancel();
    };
    if (options.signal?.aborted) call.cancel();
    else options.signal?.addEventListener('abort', cancel, { once: true });
  });
}
