import { once } from 'node:events';
import {
  Deadline,
  handleBidiStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  Metadata,
  sendUnaryData,
  ServerDuplexStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  status,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { Logger } from '../log/logger';
import { identityOfSubjectAltName } from '../tls/spiffe';
import { CallContext } from './call-context';
import { EdgeStatus, toStatus } from './errors';

/**
 * Async handlers for grpc-js: a unary handler returns a promise, a server-streaming handler an
 * async iterable, a bidirectional one consumes an async iterable of requests. Errors thrown
 * anywhere become statuses in one place (`toStatus`), so a handler can never answer twice.
 */
type MethodOf<D> = D extends {
  requestStream: infer ReqStream;
  responseStream: infer ResStream;
  requestDeserialize: (b: Buffer) => infer Req;
  responseDeserialize: (b: Buffer) => infer Res;
}
  ? ReqStream extends true
    ? ResStream extends true
      ? (requests: AsyncIterable<Req>, ctx: CallContext) => AsyncIterable<Res>
      : never // client streaming: no RPC of ours uses it
    : ResStream extends true
      ? (request: Req, ctx: CallContext) => AsyncIterable<Res>
      : (request: Req, ctx: CallContext) => Promise<Res>
  : never;

/** The async implementation of a ts-proto service definition (e.g. EmotionServiceService). */
export type AsyncService<D> = { [K in keyof D]: MethodOf<D[K]> };

/** Wraps every call: logging, metrics, auth. `next` runs the rest of the chain and the handler. */
export type ServerInterceptor = (ctx: CallContext, next: () => Promise<void>) => Promise<void>;

export interface AdaptOptions {
  log: Logger;
  interceptors?: readonly ServerInterceptor[];
}

/** Turns an AsyncService into the callback-style implementation grpc-js's Server.addService takes. */
export function adaptService<D extends ServiceDefinition>(definition: D, implementation: AsyncService<D>, options: AdaptOptions): UntypedServiceImplementation {
  const adapted: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = (implementation as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
    if (method.requestStream && !method.responseStream) {
      throw new Error(`${method.path}: client-streaming methods are not supported by adaptService`);
    }
    if (!method.requestStream && !method.responseStream) {
      adapted[name] = unary(method.path, handler, options);
    } else if (!method.requestStream) {
      adapted[name] = streaming(method.path, handler, options, (call) => (call as ServerWritableStream<unknown, unknown>).request);
    } else {
      // The call's requests as an async iterable. Not the call itself: a `for await` over a Node
      // stream destroys it when the loop ends, and grpc-js then never sends the call's status (the
      // client waits until its deadline). destroyOnReturn: false leaves the call to end normally.
      adapted[name] = streaming(method.path, handler, options, (call) => (call as ServerDuplexStream<unknown, unknown>).iterator({ destroyOnReturn: false }));
    }
  }
  return adapted;
}

interface AnyCall {
  metadata: Metadata;
  getDeadline(): Deadline;
  getPeer(): string;
  getAuthContext(): ReturnType<ServerUnaryCall<unknown, unknown>['getAuthContext']>;
  on(event: 'cancelled', listener: () => void): unknown;
}

/** `log` is the method's logger (a child with `method`), made once per method rather than per call. */
function createContext(path: string, call: AnyCall, log: Logger): { ctx: CallContext; dispose: () => void } {
  const controller = new AbortController();
  const deadline = toDate(call.getDeadline());
  let timer: NodeJS.Timeout | undefined;
  if (deadline) {
    timer = setTimeout(
      () => {
        controller.abort(new Error('deadline exceeded'));
      },
      Math.max(0, deadline.getTime() - Date.now()),
    );
  }
  call.on('cancelled', () => {
    controller.abort(new Error('cancelled by the client'));
  });
  const ctx: CallContext = {
    method: path,
    metadata: call.metadata,
    deadline,
    signal: controller.signal,
    peer: call.getPeer(),
    caller: identityOfSubjectAltName(call.getAuthContext().sslPeerCertificate?.subjectaltname),
    log,
  };
  return {
    ctx,
    dispose: () => {
      if (timer) clearTimeout(timer);
    },
  };
}

function toDate(deadline: Deadline): Date | undefined {
  if (deadline instanceof Date) return deadline;
  return Number.isFinite(deadline) ? new Date(deadline) : undefined;
}

/** Runs the interceptor chain around `body`; rejects with what the handler threw. */
async function intercept(ctx: CallContext, options: AdaptOptions, body: () => Promise<void>): Promise<void> {
  const chain = options.interceptors ?? [];
  const run = (index: number): Promise<void> => (index < chain.length ? chain[index](ctx, () => run(index + 1)) : body());
  return run(0);
}

/** The status for what a handler threw (toStatus); an INTERNAL one is logged at error level with `message`. */
export function fail(ctx: CallContext, error: unknown, message = 'handler failed'): EdgeStatus {
  const result = toStatus(error);
  if (result.code === status.INTERNAL) ctx.log.error({ err: error }, message);
  return result;
}

function unary(path: string, handler: (...args: unknown[]) => unknown, options: AdaptOptions): handleUnaryCall<unknown, unknown> {
  const log = options.log.child({ method: path });
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    const { ctx, dispose } = createContext(path, call, log);
    let response: unknown;
    intercept(ctx, options, async () => {
      response = await handler(call.request, ctx);
    })
      .then(
        () => {
          callback(null, response);
        },
        (error: unknown) => {
          callback(fail(ctx, error));
        },
      )
      .finally(dispose);
  };
}

async function writeAll(call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>, source: AsyncIterable<unknown>): Promise<void> {
  for await (const message of source) {
    if (call.cancelled) return;
    // Respect backpressure: wait for the client to read before producing more.
    if (!call.write(message)) await once(call, 'drain');
  }
}

/** Server-streaming and bidirectional calls: the handler's iterable is written out, then the status. */
function streaming(
  path: string,
  handler: (...args: unknown[]) => unknown,
  options: AdaptOptions,
  input: (call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>) => unknown,
): handleServerStreamingCall<unknown, unknown> & handleBidiStreamingCall<unknown, unknown> {
  const log = options.log.child({ method: path });
  return (call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>) => {
    const { ctx, dispose } = createContext(path, call, log);
    intercept(ctx, options, () => writeAll(call, handler(input(call), ctx) as AsyncIterable<unknown>))
      .then(
        () => call.end(),
        // grpc-js turns an 'error' event carrying a code into the call's status.
        (error: unknown) => call.emit('error', fail(ctx, error)),
      )
      .finally(dispose);
  };
}
