import { NodeSDK } from '@opentelemetry/sdk-node';
import { Env, optionalString } from '../config/env';
import { Logger } from '../log/logger';

/** The process's trace export, started or not. */
export interface Tracing {
  readonly enabled: boolean;
  /** Flushes the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Whether the standard OpenTelemetry variables ask for traces: OTEL_SDK_DISABLED is not `true`,
 * and OTEL_TRACES_EXPORTER names an exporter (not `none`), or an OTLP endpoint is set
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). Off otherwise: the API's
 * no-op tracer costs a function call per span.
 */
export function tracingRequested(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (exporters.length > 0) return !exporters.every((e) => e === 'none');
  return optionalString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined || optionalString(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined;
}

/**
 * Starts OpenTelemetry's Node SDK for traces when the environment asks for them (tracingRequested):
 * the exporter, endpoint, protocol, headers, sampler and resource come from the standard `OTEL_*`
 * variables (OTLP over HTTP/protobuf by default; OpenTelemetry "SDK environment variables"), the
 * propagator is W3C Trace Context. `service.name` is OTEL_SERVICE_NAME, else `serviceName`. No
 * automatic instrumentation: the mesh's own interceptors and bus make its spans
 * (grpc-telemetry.ts, message-tracing.ts); no OpenTelemetry metrics or logs either (the metrics
 * are Prometheus's, the logs pino's). Call once per process, before serving.
 */
export function startTracing(serviceName: string, env: Env, log: Logger): Tracing {
  if (!tracingRequested(env)) return { enabled: false, shutdown: () => Promise.resolve() };
  const name = optionalString(env, 'OTEL_SERVICE_NAME') ?? serviceName;
  const sdk = new NodeSDK({ serviceName: name, instrumentations: [], metricReaders: [], logRecordProcessors: [] });
  sdk.start();
  log.info(
    {
      serviceName: name,
      endpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT,
      exporter: env.OTEL_TRACES_EXPORTER ?? 'otlp',
    },
    'exporting traces (OpenTelemetry)',
  );
  return {
    enabled: true,
    shutdown: async () => {
      await sdk.shutdown().catch((error: unknown) => {
        log.warn({ err: error }, 'could not flush the last spans');
      });
    },
  };
}
