import { InterceptingCall, Interceptor, Metadata, ServiceDefinition, status } from '@grpc/grpc-js';
import { context, propagation, SpanKind, SpanStatusCode, TextMapGetter, TextMapSetter, trace } from '@opentelemetry/api';
import { ServerInterceptor } from '../grpc/async-service';
import { toStatus } from '../grpc/errors';
import { RateLimitedError } from '../limits/rate-limit';
import { MeshMetrics, RefusalReason } from './metrics';

/** The tracer of the mesh's own spans (the SDK behind it is started by startTracing, or none: no-op). */
export const TRACER_NAME = 'interview-mesh';

/** W3C trace context (`traceparent`, `tracestate`) read from gRPC metadata. */
const METADATA_GETTER: TextMapGetter<Metadata> = {
  get(carrier, key) {
    const [value] = carrier.get(key);
    return typeof value === 'string' ? value : undefined;
  },
  keys: (carrier) => Object.keys(carrier.getMap()),
};

/** W3C trace context written into gRPC metadata. */
const METADATA_SETTER: TextMapSetter<Metadata> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

/** `/emotion.EmotionService/AnalyzeFrame` → service and method, as OpenTelemetry's RPC conventions name them. */
export function rpcNames(path: string): { rpcService: string; rpcMethod: string } {
  const [, rpcService = '', rpcMethod = ''] = path.split('/');
  return { rpcService, rpcMethod };
}

/**
 * Status codes that make a server span an error (OpenTelemetry, "Semantic conventions for gRPC":
 * UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS); the others are the
 * caller's doing.
 */
export const SERVER_ERRORS: ReadonlySet<status> = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

/**
 * The server side of every RPC of `service`: a SERVER span named `<rpc.service>/<rpc.method>`,
 * child of the caller's span when its metadata carries a W3C `traceparent`, active while the rest
 * of the chain and the handler run (their logs carry its ids, their calls and events continue the
 * trace); and the call's duration, by status code, in `rpc_server_call_duration_seconds`.
 */
export function serverTelemetryInterceptor(metrics: MeshMetrics, service: string): ServerInterceptor {
  const tracer = trace.getTracer(TRACER_NAME);
  return async (ctx, next) => {
    const { rpcService, rpcMethod } = rpcNames(ctx.method);
    const parent = propagation.extract(context.active(), ctx.metadata, METADATA_GETTER);
    const span = tracer.startSpan(
      `${rpcService}/${rpcMethod}`,
      { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc', 'rpc.service': rpcService, 'rpc.method': rpcMethod, 'network.peer.address': ctx.peer } },
      parent,
    );
    const started = process.hrtime.bigint();
    let code = status.OK;
    try {
      await context.with(trace.setSpan(parent, span), next);
    } catch (error) {
      code = toStatus(error).code;
      const refusal = refusalOf(error, code);
      if (refusal) metrics.callsRefused.inc({ service, ...refusal });
      throw error;
    } finally {
      span.setAttribute('rpc.grpc.status_code', code);
      if (SERVER_ERRORS.has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: status[code] });
      span.end();
      metrics.rpcServerDuration.observe(
        { service, rpc_system: 'grpc', rpc_service: rpcService, rpc_method: rpcMethod, rpc_grpc_status_code: String(code) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  };
}

/**
 * The client side of calls `caller` makes to `server`, as a grpc-js client interceptor: a CLIENT
 * span (child of the active one: the handler's server span) whose W3C trace context goes out in
 * the call's metadata, and the call's duration, by status code, in `rpc_client_call_duration_seconds`.
 */
export function clientTelemetryInterceptor(metrics: MeshMetrics, caller: string, server: string): Interceptor {
  const tracer = trace.getTracer(TRACER_NAME);
  return (options, nextCall) => {
    const { rpcService, rpcMethod } = rpcNames(options.method_definition.path);
    const span = tracer.startSpan(`${rpcService}/${rpcMethod}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'rpc.system': 'grpc', 'rpc.service': rpcService, 'rpc.method': rpcMethod, 'server.address': server },
    });
    const started = process.hrtime.bigint();
    return new InterceptingCall(nextCall(options), {
      // The listener given to `next` is partial: grpc-js passes the methods it lacks through to the caller's.
      start(metadata, _listener, next) {
        propagation.inject(trace.setSpan(context.active(), span), metadata, METADATA_SETTER);
        next(metadata, {
          onReceiveStatus(received, nextStatus) {
            span.setAttribute('rpc.grpc.status_code', received.code);
            if (received.code !== status.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: status[received.code] });
            span.end();
            metrics.rpcClientDuration.observe(
              { service: caller, server, rpc_system: 'grpc', rpc_service: rpcService, rpc_method: rpcMethod, rpc_grpc_status_code: String(received.code) },
              Number(process.hrtime.bigint() - started) / 1e9,
            );
            nextStatus(received);
          },
        });
      },
    });
  };
}

/** Why a call was refused, as `mesh_calls_refused_total` labels it; undefined for any other failure. */
function refusalOf(error: unknown, code: status): { reason: RefusalReason; limit: string } | undefined {
  if (error instanceof RateLimitedError) return { reason: 'rate_limited', limit: error.limit.name };
  if (code === status.UNAUTHENTICATED) return { reason: 'unauthenticated', limit: '' };
  if (code === status.PERMISSION_DENIED) return { reason: 'permission_denied', limit: '' };
  return undefined;
}

/**
 * Starts the OK series of every method of `definition` at zero, server side (`service` serving it)
 * or client side (`caller` calling `server`): a series born at its first call would hide that call
 * from Prometheus's rate() and increase(), which need a sample before it.
 */
export function zeroRpcSeries(metrics: MeshMetrics, definition: ServiceDefinition, side: { service: string } | { caller: string; server: string }): void {
  for (const method of Object.values(definition)) {
    const { rpcService, rpcMethod } = rpcNames(method.path);
    const labels = { rpc_system: 'grpc', rpc_service: rpcService, rpc_method: rpcMethod, rpc_grpc_status_code: String(status.OK) };
    if ('service' in side) metrics.rpcServerDuration.zero({ service: side.service, ...labels });
    else metrics.rpcClientDuration.zero({ service: side.caller, server: side.server, ...labels });
  }
}
