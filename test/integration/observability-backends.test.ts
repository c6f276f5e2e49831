/**
 * The observability backends the tests use, on their own: a real Prometheus (Debian's package)
 * scraping prom-client registries served as the mesh serves them and answering PromQL, and a real
 * Jaeger (v2, built from its Go module) receiving spans over OTLP, HTTP and gRPC, and finding a
 * trace by an attribute through its query API.
 */
import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpHttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SpanExporter } from '@opentelemetry/sdk-trace-node';
import { silentLogger } from '../../src/platform/log/logger';
import { METRIC, MeshMetrics } from '../../src/platform/telemetry/metrics';
import { MetricsServer, startMetricsServer } from '../../src/platform/telemetry/metrics-server';
import { Jaeger, jaegerPath, startJaeger } from '../support/jaeger';
import { Prometheus, prometheusPaths, startPrometheus } from '../support/prometheus';
import { run } from '../support/tools';

jest.setTimeout(60_000);

describe('Prometheus scrapes /metrics and answers PromQL', () => {
  const interviewMetrics = new MeshMetrics();
  const scoringMetrics = new MeshMetrics();
  let interviewServer: MetricsServer;
  let scoringServer: MetricsServer;
  let prometheus: Prometheus;

  beforeAll(async () => {
    // Installs Debian's package when missing (seconds); synchronous, so before the servers start.
    prometheusPaths();
    interviewServer = await startMetricsServer(interviewMetrics, '127.0.0.1', 0, silentLogger());
    scoringServer = await startMetricsServer(scoringMetrics, '127.0.0.1', 0, silentLogger());
    prometheus = await startPrometheus({ targets: [interviewServer.address], scrapeIntervalMs: 500 });
  }, 600_000);

  afterAll(async () => {
    await prometheus.stop();
    await interviewServer.close();
    await scoringServer.close();
  });

  test('its configuration passes promtool', async () => {
    const { stdout } = await run(prometheusPaths().promtool, ['check', 'config', prometheus.configFile]);
    expect(stdout).toContain('SUCCESS');
  });

  test('targets come up, and added ones are discovered without a restart', async () => {
    await prometheus.waitForTargetsUp();
    expect(await prometheus.value(`up{job="mesh",instance="${interviewServer.address}"}`)).toBe(1);

    await prometheus.setTargets([interviewServer.address, { address: scoringServer.address, labels: { process: 'scoring' } }]);
    await prometheus.waitForTargetsUp();
    const targets = await prometheus.targets();
    expect(targets.map((t) => t.address).sort()).toEqual([interviewServer.address, scoringServer.address].sort());
    expect(targets.find((t) => t.address === scoringServer.address)?.labels).toMatchObject({ job: 'mesh', process: 'scoring' });
  });

  test("a counter's increments reach PromQL, by the series' own service label", async () => {
    await prometheus.waitForTargetsUp();
    interviewMetrics.messages.inc({ service: 'interview', queue: 'interview.scored', outcome: 'handled' }, 3);
    scoringMetrics.messages.inc({ service: 'scoring', queue: 'scoring.requested', outcome: 'handled' }, 2);
    scoringMetrics.messages.inc({ service: 'scoring', queue: 'scoring.requested', outcome: 'dead_lettered' });

    expect(await prometheus.waitForValue(`sum(${METRIC.messages}{outcome="handled"})`, (v) => v === 5)).toBe(5);
    const byService = await prometheus.query(`sum by (service) (${METRIC.messages})`);
    expect(byService.resultType).toBe('vector');
    const counts = byService.resultType === 'vector' ? Object.fromEntries(byService.samples.map((s) => [s.metric.service, s.value])) : {};
    expect(counts).toEqual({ interview: 3, scoring: 3 });
    // A scalar, and the target label beside the exposed ones.
    expect(await prometheus.value(`scalar(sum(${METRIC.messages}{process="scoring",outcome="dead_lettered"}))`)).toBe(1);
    // A refused query says why.
    await expect(prometheus.query('sum(')).rejects.toThrow(/bad_data/);
  });
});

describe('Jaeger receives OTLP spans and finds a trace through its query API', () => {
  let jaeger: Jaeger;

  beforeAll(async () => {
    // Built from source when missing (minutes, the first time on a machine; `npm test` builds it
    // in the background before the integration tests). Synchronous: jest's timeout cannot cut it.
    jaegerPath();
    jaeger = await startJaeger();
  }, 1_800_000);

  afterAll(async () => {
    await jaeger.stop();
  });

  /** Sends one interview's trace (a server span and a client span under it) and returns its ids. */
  async function sendTrace(exporter: SpanExporter, service: string, interviewId: string): Promise<{ traceId: string; rootSpanId: string }> {
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'service.version': 'test' }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 100 })],
    });
    const tracer = provider.getTracer('observability-backends.test');
    // The parent is passed explicitly: this provider is not registered, so there is no active context.
    const root = tracer.startSpan('interview.Interviews/SubmitAnswer', {
      kind: SpanKind.SERVER,
      attributes: { 'interview.id': interviewId, 'rpc.system': 'grpc' },
    });
    const child = tracer.startSpan('scoring.Scoring/Score', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, root));
    child.addEvent('scored', { score: 7 });
    child.setStatus({ code: SpanStatusCode.OK });
    child.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    return { traceId: root.spanContext().traceId, rootSpanId: root.spanContext().spanId };
  }

  test('a trace sent over OTLP/HTTP is found by its interview.id', async () => {
    const interviewId = randomUUID();
    const { traceId, rootSpanId } = await sendTrace(new OtlpHttpTraceExporter({ url: jaeger.otlpHttpTracesUrl }), 'smoke-http', interviewId);
    // Another interview's trace, which the query must leave out.
    await sendTrace(new OtlpHttpTraceExporter({ url: jaeger.otlpHttpTracesUrl }), 'smoke-http', randomUUID());

    const [found, ...others] = await jaeger.waitForTraces('smoke-http', { tags: { 'interview.id': interviewId } });
    expect(others).toEqual([]);
    expect(found.traceId).toBe(traceId);
    expect(found.services).toEqual(['smoke-http']);
    const root = found.spans.find((s) => s.spanId === rootSpanId)!;
    expect(root).toMatchObject({ operationName: 'interview.Interviews/SubmitAnswer', parentSpanId: undefined, processTags: { 'service.version': 'test' } });
    expect(root.tags).toMatchObject({ 'interview.id': interviewId, 'rpc.system': 'grpc', 'span.kind': 'server' });
    const child = found.spans.find((s) => s.spanId !== rootSpanId)!;
    expect(child).toMatchObject({ operationName: 'scoring.Scoring/Score', parentSpanId: rootSpanId });
    expect(child.tags['span.kind']).toBe('client');
    expect(child.logs[0]?.fields).toMatchObject({ event: 'scored', score: 7 });

    expect(await jaeger.services()).toContain('smoke-http');
    expect(await jaeger.operations('smoke-http')).toEqual(['interview.Interviews/SubmitAnswer', 'scoring.Scoring/Score']);
    expect((await jaeger.trace(traceId))?.spans).toHaveLength(2);
    expect(await jaeger.trace('0123456789abcdef0123456789abcdef')).toBeUndefined();
  });

  test('a trace sent over OTLP/gRPC arrives too', async () => {
    const interviewId = randomUUID();
    const { traceId } = await sendTrace(new OtlpGrpcTraceExporter({ url: jaeger.otlpGrpcEndpoint }), 'smoke-grpc', interviewId);
    const [found] = await jaeger.waitForTraces('smoke-grpc', { tags: { 'interview.id': interviewId } });
    expect(found.traceId).toBe(traceId);
    expect(jaeger.otelEnv('grpc')).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpcEndpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
  });
});
