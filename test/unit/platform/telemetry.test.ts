/**
 * Telemetry through a real mesh (auth and interview through startMesh: PGlite in memory, the
 * in-process bus, TLS): the /metrics endpoint's RPC histograms, refusals, messages and outbox
 * gauges; one trace from a client's span through the auth service's server span, the outbox, the
 * relay's publish and the interview service's consumer; every call logged at info with its span's
 * ids. Spans go to an in-memory exporter registered as the global tracer provider (as startTracing
 * registers OpenTelemetry's Node SDK), with W3C trace context propagation.
 */
import { startAuthAndInterview } from '../../support/auth-interview-mesh';
import fs from 'node:fs/promises';
import { Writable } from 'node:stream';
import { randomBytes, randomUUID } from 'node:crypto';
import { Metadata, status, ServiceError as GrpcClientError } from '@grpc/grpc-js';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import pino from 'pino';
import { AuthServiceClient, Role } from '../../../src/gen/auth';
import { Mesh } from '../../../src/mesh/start-mesh';
import { callUnary } from '../../../src/platform/grpc/unary-call';
import { traceIds } from '../../../src/platform/log/logger';
import { clientTelemetryInterceptor } from '../../../src/platform/telemetry/grpc-telemetry';
import { MeshMetrics } from '../../../src/platform/telemetry/metrics';
import { TEST_CHANNEL_OPTIONS, testCredentials } from '../../support/tls';
import { waitFor } from '../../support/wait';

jest.setTimeout(60_000);

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();

const deadline = () => new Date(Date.now() + 20_000);

/** The finished span named `name` (the first, when several), or undefined. */
const spanNamed = (name: string): ReadableSpan | undefined => exporter.getFinishedSpans().find((s) => s.name === name);

/** The value of the sample `series` (exact `name{labels}` as the exposition writes it), or undefined. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('telemetry of a running mesh', () => {
  let mesh: Mesh;
  let keysDir: string;
  const lines: Record<string, unknown>[] = [];
  const clientMetrics = new MeshMetrics();
  let auth: AuthServiceClient;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    // The logger the mesh's processes make (createLogger), writing here: the same mixin of trace ids.
    const log = pino({ level: 'info', mixin: traceIds }, sink);
    ({ mesh, keysDir } = await startAuthAndInterview('telemetry', { OUTBOX_POLL_MS: '50' }, log));
    auth = new AuthServiceClient(mesh.address('auth'), testCredentials(), {
      ...TEST_CHANNEL_OPTIONS,
      interceptors: [clientTelemetryInterceptor(clientMetrics, 'test-client', 'auth')],
    });
  });

  afterAll(async () => {
    auth.close();
    await mesh.stop(1_000);
    await fs.rm(keysDir, { recursive: true, force: true });
    await provider.shutdown();
  });

  it('follows one request from the client through the server, the outbox and the broker to the consumer, in one trace', async () => {
    const email = `telemetry-${randomUUID()}@example.com`;
    const password = randomBytes(18).toString('base64url');
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('test: register and delete an account', async (root) => {
      await callUnary(
        auth.register.bind(auth),
        { email, password, role: Role.ROLE_CANDIDATE, invitationCode: '' },
        { deadline: deadline(), metadata: new Metadata() },
      );
      await callUnary(auth.deleteAccount.bind(auth), { email, password }, { deadline: deadline(), metadata: new Metadata() });
      root.end();
    });
    await waitFor('the interview service to consume auth.user.deleted', () => spanNamed('interview.user-deleted process') !== undefined, 20_000);

    const root = spanNamed('test: register and delete an account')!;
    const traceId = root.spanContext().traceId;
    const clientSpans = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
    const deleteClient = clientSpans.find((s) => s.name === 'auth.v1.AuthService/DeleteAccount')!;
    const deleteServer = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && s.name === 'auth.v1.AuthService/DeleteAccount')!;
    const publish = spanNamed('auth.user.deleted publish')!;
    const consume = spanNamed('interview.user-deleted process')!;
    // One trace, each span the child of the one before: client -> server -> (outbox row) -> publish -> consumer.
    for (const span of [deleteClient, deleteServer, publish, consume]) expect(span.spanContext().traceId).toBe(traceId);
    expect(deleteClient.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(deleteServer.parentSpanContext?.spanId).toBe(deleteClient.spanContext().spanId);
    expect(publish.parentSpanContext?.spanId).toBe(deleteServer.spanContext().spanId);
    expect(consume.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
    expect(deleteServer.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'auth.v1.AuthService',
      'rpc.method': 'DeleteAccount',
      'rpc.grpc.status_code': 0,
    });
    expect(consume.kind).toBe(SpanKind.CONSUMER);
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(consume.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': 'interview.user-deleted',
      'mesh.service': 'interview',
    });

    // Every call logged once at info, with its span's ids; the consumer's lines carry the consumer span's.
    const ended = lines.filter((l) => l.msg === 'call ended' && l.method === '/auth.v1.AuthService/DeleteAccount');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ level: 30, code: 'OK', trace_id: traceId, span_id: deleteServer.spanContext().spanId });
    expect(typeof ended[0].ms).toBe('number');
    expect(typeof ended[0].peer).toBe('string');
    expect(lines.filter((l) => l.trace_id === traceId && l.span_id === consume.spanContext().spanId).length).toBeGreaterThan(0);
  });

  it('serves the golden signals, refusals, messages and outbox at /metrics', async () => {
    // A refused call: wrong password.
    const refused = await callUnary(
      auth.login.bind(auth),
      { email: 'nobody@example.com', password: 'wrong-password-123' },
      { deadline: deadline(), metadata: new Metadata() },
    ).catch((error: unknown) => error as GrpcClientError);
    expect((refused as GrpcClientError).code).toBe(status.UNAUTHENTICATED);

    const response = await fetch(`http://${mesh.metricsAddress!}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const server = (method: string, code: number) =>
      `rpc_server_call_duration_seconds_count{service="auth",rpc_system="grpc",rpc_service="auth.v1.AuthService",rpc_method="${method}",rpc_grpc_status_code="${code}"}`;
    expect(sample(text, server('Register', 0))).toBeGreaterThanOrEqual(1);
    expect(sample(text, server('DeleteAccount', 0))).toBeGreaterThanOrEqual(1);
    expect(sample(text, server('Login', status.UNAUTHENTICATED))).toBe(1);
    expect(sample(text, 'mesh_calls_refused_total{service="auth",reason="unauthenticated",limit=""}')).toBe(1);
    expect(sample(text, 'mesh_messages_total{service="interview",queue="interview.user-deleted",outcome="handled"}')).toBe(1);
    expect(sample(text, 'mesh_outbox_waiting_messages{service="auth"}')).toBe(0);
    expect(sample(text, 'mesh_outbox_oldest_age_seconds{service="auth"}')).toBe(0);
    // The interview service's breakers, closed (0), and the process's own metrics.
    expect(sample(text, 'mesh_breaker_state{service="interview",downstream="emotion"}')).toBe(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);

    // The client's side, in its own registry.
    const client = await clientMetrics.exposition();
    expect(
      sample(
        client,
        'rpc_client_call_duration_seconds_count{service="test-client",server="auth",rpc_system="grpc",rpc_service="auth.v1.AuthService",rpc_method="Login",rpc_grpc_status_code="16"}',
      ),
    ).toBe(1);

    expect((await fetch(`http://${mesh.metricsAddress!}/other`)).status).toBe(404);
    expect((await fetch(`http://${mesh.metricsAddress!}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
