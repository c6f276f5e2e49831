import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './grpc-clients';
import { runScript, stopChild } from './tools';
import { waitFor } from './wait';

/**
 * A real tracing backend: Jaeger v2 (v1.76.0 of its Go module, built by
 * scripts/infra/ensure-jaeger.sh when missing; the all-in-one built on the OpenTelemetry
 * Collector), receiving spans over OTLP (gRPC and HTTP) into in-memory storage, and read back
 * through its query API (the HTTP API its UI uses: /api/services, /api/traces).
 */
export interface Jaeger {
  /**
   * Base URL of the OTLP/HTTP receiver, `http://127.0.0.1:<port>`: what OTEL_EXPORTER_OTLP_ENDPOINT
   * is set to with the http/protobuf or http/json protocol (the SDK appends /v1/traces).
   */
  readonly otlpHttpEndpoint: string;
  /** The full traces URL, `<otlpHttpEndpoint>/v1/traces`: the `url` option of @opentelemetry/exporter-trace-otlp-http. */
  readonly otlpHttpTracesUrl: string;
  /** The OTLP/gRPC receiver, `http://127.0.0.1:<port>` (plaintext): OTEL_EXPORTER_OTLP_ENDPOINT with the grpc protocol. */
  readonly otlpGrpcEndpoint: string;
  /** `http://127.0.0.1:<port>`: the query API (and a placeholder UI: the UI's assets are not built in). */
  readonly queryUrl: string;
  /**
   * The standard OpenTelemetry variables that send a process's traces here: OTEL_TRACES_EXPORTER,
   * OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf by default), and a
   * batch delay of 200 ms (OTEL_BSP_SCHEDULE_DELAY) rather than 5 s, so that a test waits less.
   */
  otelEnv(protocol?: 'http/protobuf' | 'http/json' | 'grpc'): Record<string, string>;
  /** The services that have sent spans. */
  services(): Promise<string[]>;
  /** The operations (span names) seen for `service`. */
  operations(service: string): Promise<string[]>;
  /**
   * Traces that have a span of `service` (and of `operation`, and with every tag in `tags`: span,
   * scope or resource attributes, compared as strings), newest first, within the last
   * `lookbackMs` (an hour by default), at most `limit` (100).
   */
  traces(service: string, query?: JaegerTraceQuery): Promise<JaegerTrace[]>;
  /** One trace by its id (32 hex digits); undefined when Jaeger has none. */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  /**
   * Polls traces(service, query) every 250 ms until `check` accepts them (by default: until
   * there is one), and resolves with them.
   */
  waitForTraces(service: string, query?: JaegerTraceQuery, check?: (traces: JaegerTrace[]) => boolean, timeoutMs?: number): Promise<JaegerTrace[]>;
  logs(): string;
  /** Stops it (SIGTERM, SIGKILL after 10 s) and removes its configuration. */
  stop(): Promise<void>;
}

export interface JaegerTraceQuery {
  readonly operation?: string;
  /** Attribute values to match, e.g. `{ 'interview.id': id }`. */
  readonly tags?: Readonly<Record<string, string | number | boolean>>;
  readonly limit?: number;
  readonly lookbackMs?: number;
}

export type TagValue = string | number | boolean;

export interface JaegerSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** The span's parent (a CHILD_OF reference in the same trace), if any. */
  readonly parentSpanId: string | undefined;
  /** The span's name. */
  readonly operationName: string;
  /** Its resource's service.name. */
  readonly service: string;
  /** Microseconds since the epoch. */
  readonly startTimeUs: number;
  readonly durationUs: number;
  /** Its attributes, with Jaeger's additions: span.kind (`server`, `client`, …), otel.status_code, error. */
  readonly tags: Readonly<Record<string, TagValue>>;
  /** Its resource's attributes but service.name. */
  readonly processTags: Readonly<Record<string, TagValue>>;
  readonly references: readonly { readonly refType: string; readonly traceId: string; readonly spanId: string }[];
  /** Its events (OTLP span events), each with its attributes. */
  readonly logs: readonly { readonly timestampUs: number; readonly fields: Readonly<Record<string, TagValue>> }[];
}

export interface JaegerTrace {
  readonly traceId: string;
  readonly spans: readonly JaegerSpan[];
  /** The services of its spans, sorted, each once. */
  readonly services: readonly string[];
}

interface RawTag {
  key: string;
  type: string;
  value: TagValue;
}

interface RawTrace {
  traceID: string;
  spans: {
    traceID: string;
    spanID: string;
    operationName: string;
    references: { refType: string; traceID: string; spanID: string }[] | null;
    startTime: number;
    duration: number;
    tags: RawTag[] | null;
    logs: { timestamp: number; fields: RawTag[] | null }[] | null;
    processID: string;
  }[];
  processes: Partial<Record<string, { serviceName: string; tags: RawTag[] | null }>>;
}

interface RawResponse<T> {
  data: T | null;
  errors: { code: number; msg: string }[] | null;
}

function tagMap(tags: RawTag[] | null): Record<string, TagValue> {
  return Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));
}

function toTrace(raw: RawTrace): JaegerTrace {
  const spans = raw.spans.map((s): JaegerSpan => {
    const references = (s.references ?? []).map((r) => ({ refType: r.refType, traceId: r.traceID, spanId: r.spanID }));
    const owner = raw.processes[s.processID];
    return {
      traceId: s.traceID,
      spanId: s.spanID,
      parentSpanId: references.find((r) => r.refType === 'CHILD_OF' && r.traceId === s.traceID)?.spanId,
      operationName: s.operationName,
      service: owner?.serviceName ?? '',
      startTimeUs: s.startTime,
      durationUs: s.duration,
      tags: tagMap(s.tags),
      processTags: tagMap(owner?.tags ?? null),
      references,
      logs: (s.logs ?? []).map((l) => ({ timestampUs: l.timestamp, fields: tagMap(l.fields) })),
    };
  });
  return { traceId: raw.traceID, spans, services: [...new Set(spans.map((s) => s.service))].sort() };
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/** The Jaeger binary, built when missing (minutes, the first time on a machine). */
export function jaegerPath(): string {
  return runScript('scripts/infra/ensure-jaeger.sh', [], { timeoutMs: 1_800_000 });
}

/**
 * Starts Jaeger on free loopback ports with a configuration of its own (memory storage, the OTLP
 * receiver only, its query extension without self-tracing, no telemetry endpoint of its own: the
 * embedded all-in-one configuration, used when no --config is given, would take the fixed ports
 * 4317, 4318, 16686, 8888 and more), and resolves once its receivers and query API answer.
 */
export async function startJaeger(): Promise<Jaeger> {
  const binary = jaegerPath();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mesh-jaeger-'));
  const [otlpGrpc, otlpHttp, queryHttp, queryGrpc] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const at = (port: number) => `127.0.0.1:${port}`;
  // An OpenTelemetry Collector configuration (JSON is YAML).
  const config = {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: { metrics: { level: 'none' }, traces: { level: 'none' }, logs: { level: 'warn' } },
    },
    extensions: {
      jaeger_storage: { backends: { memory_store: { memory: { max_traces: 100_000 } } } },
      // enable_tracing (on by default in v2) would export Jaeger's own spans through OTEL_* to 4317.
      jaeger_query: { storage: { traces: 'memory_store' }, enable_tracing: false, http: { endpoint: at(queryHttp) }, grpc: { endpoint: at(queryGrpc) } },
    },
    receivers: { otlp: { protocols: { grpc: { endpoint: at(otlpGrpc) }, http: { endpoint: at(otlpHttp) } } } },
    processors: { batch: { timeout: '100ms' } },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memory_store' } },
  };
  const configFile = path.join(dir, 'jaeger.yaml');
  await writeFile(configFile, JSON.stringify(config, null, 2));

  // None of the test process's OTEL_* settings: they would be Jaeger's own.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const child: ChildProcess = spawn(binary, ['--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, env });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.once('error', (error) => output.push(`spawn failed: ${error.message}\n`));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };

  const queryUrl = `http://${at(queryHttp)}`;
  /** The `data` of a query API answer (null for a 404: no such trace). */
  const api = async (pathAndQuery: string): Promise<unknown> => {
    const response = await fetch(`${queryUrl}${pathAndQuery}`);
    if (response.status === 404) return null;
    const body = (await response.json()) as RawResponse<unknown>;
    if (!response.ok || (body.errors?.length ?? 0) > 0) {
      throw new Error(`Jaeger ${pathAndQuery}: HTTP ${response.status}: ${JSON.stringify(body.errors)}`);
    }
    return body.data;
  };

  const traces = async (service: string, query: JaegerTraceQuery = {}): Promise<JaegerTrace[]> => {
    const params = new URLSearchParams({ service, limit: String(query.limit ?? 100) });
    if (query.operation !== undefined) params.set('operation', query.operation);
    if (query.tags !== undefined) params.set('tags', JSON.stringify(Object.fromEntries(Object.entries(query.tags).map(([k, v]) => [k, String(v)]))));
    const nowUs = Date.now() * 1000;
    params.set('start', String(nowUs - (query.lookbackMs ?? 3_600_000) * 1000));
    params.set('end', String(nowUs + 60_000_000));
    const data = (await api(`/api/traces?${params.toString()}`)) as RawTrace[] | null;
    return (data ?? []).map(toTrace);
  };

  try {
    await waitFor(
      "Jaeger's receivers and query API",
      async () => {
        if (!running()) throw new Error('Jaeger exited');
        if (!(await connects(otlpGrpc)) || !(await connects(otlpHttp))) return false;
        return (await fetch(`${queryUrl}/api/services`).catch(() => undefined))?.ok === true;
      },
      30_000,
      100,
    );
  } catch (error) {
    await stop();
    throw new Error(`Jaeger did not start (${(error as Error).message}):\n${output.join('')}`, { cause: error });
  }

  const otlpHttpEndpoint = `http://${at(otlpHttp)}`;
  const otlpGrpcEndpoint = `http://${at(otlpGrpc)}`;
  return {
    otlpHttpEndpoint,
    otlpHttpTracesUrl: `${otlpHttpEndpoint}/v1/traces`,
    otlpGrpcEndpoint,
    queryUrl,
    otelEnv: (protocol = 'http/protobuf') => ({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_ENDPOINT: protocol === 'grpc' ? otlpGrpcEndpoint : otlpHttpEndpoint,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    }),
    services: async () => (((await api('/api/services')) as string[] | null) ?? []).sort(),
    operations: async (service) => (((await api(`/api/services/${encodeURIComponent(service)}/operations`)) as string[] | null) ?? []).sort(),
    traces,
    trace: async (traceId) => {
      const data = (await api(`/api/traces/${encodeURIComponent(traceId)}`)) as RawTrace[] | null;
      return data?.[0] ? toTrace(data[0]) : undefined;
    },
    waitForTraces: async (service, query = {}, check = (found) => found.length > 0, timeoutMs = 30_000) => {
      let last: JaegerTrace[] = [];
      await waitFor(
        `Jaeger traces of ${service} ${JSON.stringify(query)}`,
        async () => {
          last = await traces(service, query);
          return check(last);
        },
        timeoutMs,
      ).catch((error: unknown) => {
        const summary = last.map((t) => `${t.traceId}: ${t.spans.map((s) => `${s.service}/${s.operationName}`).join(', ')}`);
        throw new Error(`${(error as Error).message}; last found: ${JSON.stringify(summary)}`, { cause: error });
      });
      return last;
    },
    logs: () => output.join(''),
    stop,
  };
}
