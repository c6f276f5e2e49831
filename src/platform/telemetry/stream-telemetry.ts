import { status } from '@grpc/grpc-js';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { rpcNames, SERVER_ERRORS, TRACER_NAME } from './grpc-telemetry';
import { MeshMetrics } from './metrics';

/**
 * A bidirectional stream's messages, each answered by one message back (AnalyzeStream's frames),
 * seen one by one: a stream's gRPC metadata, its interceptors and its span are the whole stream's,
 * so each message carries its own W3C trace context (a `map<string, string>` field of the message)
 * and gets a span of its own on each side, named as the RPC's.
 */

/** The caller's side of one message: started before it is sent, finished with its answer's status code. */
export interface StreamMessageClient {
  /**
   * Starts a CLIENT span, child of the active one (the handler's), writes its W3C trace context
   * into `carrier` (the message's field), and returns what ends it: the answer's gRPC status code,
   * recorded with the time since in `mesh_stream_message_duration_seconds`.
   */
  start(carrier: Record<string, string>): (code: number) => void;
}

/** The messages `caller` sends `server` on the stream `path` (e.g. `/emotion.EmotionService/AnalyzeStream`). */
export function streamMessageClient(metrics: MeshMetrics, caller: string, server: string, path: string): StreamMessageClient {
  const tracer = trace.getTracer(TRACER_NAME);
  const { rpcService, rpcMethod } = rpcNames(path);
  const attributes = { 'rpc.system': 'grpc', 'rpc.service': rpcService, 'rpc.method': rpcMethod, 'server.address': server };
  const labels = { service: caller, server, rpc_system: 'grpc', rpc_service: rpcService, rpc_method: rpcMethod };
  // The OK series from 0, so that Prometheus's rate() sees the first message (as zeroRpcSeries does for calls).
  metrics.streamMessageDuration.zero({ ...labels, rpc_grpc_status_code: String(status.OK) });
  return {
    start(carrier) {
      const span = tracer.startSpan(`${rpcService}/${rpcMethod}`, { kind: SpanKind.CLIENT, attributes });
      propagation.inject(trace.setSpan(context.active(), span), carrier);
      const started = process.hrtime.bigint();
      return (code) => {
        span.setAttribute('rpc.grpc.status_code', code);
        if (code !== (status.OK as number)) span.setStatus({ code: SpanStatusCode.ERROR, message: status[code] });
        span.end();
        metrics.streamMessageDuration.observe({ ...labels, rpc_grpc_status_code: String(code) }, Number(process.hrtime.bigint() - started) / 1e9);
      };
    },
  };
}

/** The server's side of a stream's messages, one by one. */
export interface StreamMessageServer {
  /**
   * Answers one message: a SERVER span, child of the context in `carrier` (the caller's message
   * span), active while `answer` runs (its logs, models' work and writes continue the caller's
   * trace), ended with the status code `codeOf` reads from the answer.
   */
  answer<T>(carrier: Readonly<Record<string, string>>, answer: () => Promise<T>, codeOf: (answer: T) => number): Promise<T>;
}

/** The messages a server answers on the stream `path` (e.g. `/emotion.EmotionService/AnalyzeStream`). */
export function streamMessageServer(path: string): StreamMessageServer {
  const tracer = trace.getTracer(TRACER_NAME);
  const { rpcService, rpcMethod } = rpcNames(path);
  const attributes = { 'rpc.system': 'grpc', 'rpc.service': rpcService, 'rpc.method': rpcMethod };
  return {
    async answer(carrier, answer, codeOf) {
      const parent = propagation.extract(context.active(), carrier);
      const span = tracer.startSpan(`${rpcService}/${rpcMethod}`, { kind: SpanKind.SERVER, attributes }, parent);
      let code: number = status.INTERNAL;
      try {
        const result = await context.with(trace.setSpan(parent, span), answer);
        code = codeOf(result);
        return result;
      } finally {
        span.setAttribute('rpc.grpc.status_code', code);
        if ((SERVER_ERRORS as ReadonlySet<number>).has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: status[code] });
        span.end();
      }
    },
  };
}
