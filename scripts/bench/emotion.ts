/**
 * `npm run bench:emotion`: the emotion service's speed on a 640x480 JPEG with one face. Not a test:
 * figures only (the machine is shared, so run it more than once).
 *
 * Prints, in milliseconds: median and p99 of each stage in process (decode, detection, mesh,
 * emotion; a model's stage includes its input preparation and output decoding), of the models per
 * frame as the service runs them on one session's frames (detection on the first frame and again
 * after REDETECT_AFTER_FRAMES tracked ones, the mesh tracking the face on the others, emotion on
 * every frame: src/services/emotion/face/face-track.ts), and of the whole AnalyzeFrame over gRPC
 * against the service in its own process (as `npm start -- --services emotion` runs it; blink
 * tracking included), and of AnalyzeStream one frame at a time (as the interview service sends a
 * session's frames: src/services/interview/frame-streams.ts); the ratio of AnalyzeFrame's
 * median to the models' median per frame (the overhead of everything around the models: decoding,
 * gRPC, the blink row, the worker hop); then the frames per second served, latency of the frames
 * served, frames refused (UNAVAILABLE: the service sheds live frames past its admission limit,
 * EMOTION_MAX_WAITING_FRAMES), and the service process's CPU time per frame served, all its threads
 * and its main thread alone, and PostgreSQL's (the cluster's processes) per frame, at 1, 10 and 100
 * concurrent sessions each sending 2 frames per second, on AnalyzeStream (a stream per session) and
 * on AnalyzeFrame calls.
 *
 * The anchor (issue 18): MediaPipe's own pipeline on the same frame (mediapipe-anchor.ts: MediaPipe
 * 0.10.21's FaceMesh on TFLite with XNNPACK, tracking, one core, after cv2.imdecode, in a Python
 * environment scripts/bench/mediapipe/ensure-venv.sh makes from pinned PyPI packages). Its decode and
 * face mesh medians plus our expression model's median are the anchor sum; the benchmark prints
 * AnalyzeFrame's and AnalyzeStream's medians and the CPU per frame served at each load as ratios to
 * it, against the targets (1.5 and 1.25). Ratios rather than milliseconds: both sides run in the
 * same command on the same machine, so its load weighs on both.
 *
 * The service runs as deployed, TLS on its port with a certificate of its own, and the benchmark
 * calls it as an operator (spiffe://interview-mesh/operator/operator, whom the call policy allows
 * AnalyzeFrame), through the mesh's own channel credentials (TransportSecurity.channel: the
 * certificate provider, the server's SPIFFE ID checked): both are issued into the service's data
 * directory first. The cost of TLS on AnalyzeFrame: a second emotion process, plaintext
 * (MESH_INSECURE_PLAINTEXT=true, here only), answers calls alternating with the first, one by one,
 * so that both see the same machine; median and p99 on an established connection, and on a new
 * connection per call (the handshake included: mTLS with P-256 certificates).
 *
 * Every process the benchmark starts gets a metrics endpoint of its own (METRICS_PORT, a free port)
 * and exports its traces (OTLP over HTTP, protobuf, OTEL_EXPORTER_OTLP_ENDPOINT) to a collector
 * stand-in the benchmark runs (otlp-sink.ts), except the uninstrumented twin: the cost of
 * instrumentation on AnalyzeFrame is measured like TLS's, a second TLS process with METRICS_PORT=off
 * and no OTEL_* variable (none inherited either) answering calls alternating with the first; median
 * and p99 of both, the cost against the uninstrumented median, the median of the rounds'
 * differences, each process's CPU time per call (its main thread, where the interceptors and the
 * export run, and all its threads), and the proof the instrumented side did the work: the spans its
 * collector received, and AnalyzeFrame's rpc_server_call_duration_seconds_count scraped from its
 * /metrics (scraped every 15 s during the comparison, as deploy/prometheus does). METRICS_PORT=off
 * only takes the endpoint away: the process still records its metrics (the server interceptor's
 * histogram, the models' timings), so what this measures is the traces and the endpoint.
 *
 * Environment: BENCH_CALLS (default 300) sequential calls per figure, BENCH_SECONDS (default 10)
 * per load level, BENCH_SESSIONS (default "1,10,100"), BENCH_TRANSPORTS (default "stream,unary"),
 * BENCH_ANCHOR=false to skip MediaPipe; BENCH_CONNECTIONS (default 100) calls on
 * new connections per transport, BENCH_COMPARE_PLAINTEXT=false to skip the comparison,
 * BENCH_COMPARE_INSTRUMENTATION=false to skip the instrumentation's;
 * BENCH_DATABASE: where the service keeps its blink state: "postgres" (the default: as deployed, a
 * database of its own on the PostgreSQL the integration tests use, which
 * scripts/infra/ensure-postgres.sh installs and starts when missing, saying so, and each process as
 * its own role) or "pglite" (embedded, in the service's process: what `npm start` runs alone);
 * BENCH_DATABASE_URL, the admin URL of another PostgreSQL (TEST_DATABASE_ADMIN_URL's meaning); BENCH_SERVICE_NODE_ARGS, extra node flags for
 * the service's process (for example "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile its side).
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChannelOptions, credentials, Metadata, status } from '@grpc/grpc-js';
import { EmotionResponse, EmotionServiceClient, FrameRequest } from '../../src/gen/emotion';
import { callUnary } from '../../src/platform/grpc/unary-call';
import { silentLogger } from '../../src/platform/log/logger';
import { REPO_ROOT } from '../../src/platform/paths';
import { ensureWorkloadCertificates } from '../../src/platform/tls/certificate-files';
import { MeshChannel, TransportSecurity, transportSettings } from '../../src/platform/tls/transport-security';
import { eyeAspectRatio } from '../../src/services/emotion/domain/blink/eye-aspect-ratio';
import { EmotionClassifier } from '../../src/services/emotion/domain/expression/emotion-classifier';
import { FaceDetector } from '../../src/platform/vision/face/face-detector';
import { FaceMeshModel } from '../../src/platform/vision/face/face-mesh';
import { FaceTrack, REDETECT_AFTER_FRAMES } from '../../src/services/emotion/domain/face/face-track';
import { FrameAnalysis, FrameAnalyzer } from '../../src/services/emotion/domain/frame-analyzer';
import { decodeFrame } from '../../src/platform/vision/image/decode-frame';
import { loadModels } from '../../src/services/emotion/models/load-models';
import { FrameStreams } from '../../src/services/interview/frame-streams';
import { benchFrame } from './bench-frame';
import { machineSummary } from './machine';
import { MediaPipeAnchor, runMediaPipeAnchor } from './mediapipe-anchor';
import { freePort } from '../../test/support/grpc-clients';
import { createTestDatabase, INTEGRATION_SERVERS, serviceDatabaseEnv } from '../../test/support/infrastructure';
import { parentPid, processCpuMs, processTreeCpuMs } from './mesh/cpu';
import { percentiles } from './mesh/stats';
import { ensurePostgres, postmasterPid } from './mesh/infrastructure';
import { SERVICE_NODE_ARGS } from './mesh/services';
import { OtlpSink, OtlpSinkCounts, startOtlpSink } from './otlp-sink';

const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SESSIONS = (process.env.BENCH_SESSIONS ?? '1,10,100').split(',').map(Number);
const DATABASE = process.env.BENCH_DATABASE === 'pglite' ? 'pglite' : 'postgres';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const COMPARE_PLAINTEXT = process.env.BENCH_COMPARE_PLAINTEXT !== 'false';
const COMPARE_INSTRUMENTATION = process.env.BENCH_COMPARE_INSTRUMENTATION !== 'false';
const ANCHOR = process.env.BENCH_ANCHOR !== 'false';
const TRANSPORTS = (process.env.BENCH_TRANSPORTS ?? 'stream,unary').split(',') as Transport[];
/** The issue's targets, as ratios to the anchor: the service's CPU per frame served, and a frame's median over gRPC. */
const TARGET_CPU_RATIO = 1.25;
const TARGET_LATENCY_RATIO = 1.5;
/** Prometheus's scrape interval in deploy/prometheus/prometheus.yml. */
const SCRAPE_INTERVAL_MS = 15_000;
/** The OpenTelemetry SDK's batch span processor exports every 5 s (OTEL_BSP_SCHEDULE_DELAY's default): waited at most this long for spans. */
const SPANS_WAIT_MS = 12_000;
const FPS_PER_SESSION = 2;
const WARMUP = 20;

interface Stats {
  median: number;
  p99: number;
}

/** How the load's sessions send their frames: AnalyzeStream, one stream per session (as the interview service does), or AnalyzeFrame calls. */
type Transport = 'stream' | 'unary';

function stats(samples: number[]): Stats {
  const { p50, p99 } = percentiles(samples);
  return { median: p50, p99 };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function time(run: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = now();
    await run();
    samples.push(now() - start);
  }
  return stats(samples);
}

/** The emotion service alone in its own process, and what its clients dial it with. */
interface BenchService {
  address: string;
  child: ChildProcess;
  dataDir: string;
  /** The operator's channel to it: TLS (the mesh's channel credentials), or plaintext. */
  channel: MeshChannel;
  transport?: TransportSecurity;
  /** `host:port` of its /metrics; undefined when uninstrumented (METRICS_PORT=off). */
  metricsAddress?: string;
  /** Where it exports its traces; undefined when uninstrumented (no OTEL_* variable). */
  sink?: OtlpSink;
}

/**
 * The emotion service alone in its own process, on `database` (a PostgreSQL database and its role's
 * URL) or, without one, a fresh embedded database:
 * TLS as deployed (its certificate and the operator's issued first into its data directory's tls/),
 * or plaintext with the development switch (`plaintext`, for the comparison only); instrumented (a
 * metrics endpoint on a free port, traces exported to an OTLP sink of its own) or not (`instrumented`
 * false: METRICS_PORT=off, no OTEL_* variable). No OTEL_* variable of the benchmark's environment
 * reaches it.
 */
async function startService({ plaintext = false, instrumented = true, database = '' } = {}): Promise<BenchService> {
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  let telemetryEnv: Record<string, string> = { METRICS_PORT: 'off' };
  let metricsAddress: string | undefined;
  let sink: OtlpSink | undefined;
  if (instrumented) {
    const metricsPort = await freePort();
    metricsAddress = `127.0.0.1:${metricsPort}`;
    sink = await startOtlpSink();
    telemetryEnv = { METRICS_PORT: String(metricsPort), OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_SERVICE_NAME: 'emotion-bench' };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-emotion-'));
  const tlsEnv = { MESH_TLS_DIR: path.join(dataDir, 'tls'), MESH_INSECURE_PLAINTEXT: String(plaintext) };
  let channel: MeshChannel = { credentials: credentials.createInsecure(), options: {} };
  let transport: TransportSecurity | undefined;
  if (!plaintext) {
    const identities = [
      { kind: 'service' as const, name: 'emotion' },
      { kind: 'operator' as const, name: 'operator' },
    ];
    await ensureWorkloadCertificates(tlsEnv.MESH_TLS_DIR, identities, [], silentLogger());
    transport = new TransportSecurity(transportSettings(tlsEnv, dataDir), silentLogger());
    channel = transport.channel({ kind: 'operator', name: 'operator' }, 'emotion');
  }
  const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, '--import', 'tsx', 'src/main.ts', 'start', '--services', 'emotion'], {
    cwd: REPO_ROOT,
    env: {
      ...inherited,
      ...tlsEnv,
      ...telemetryEnv,
      EMOTION_PORT: String(port),
      BIND_HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: database,
      ...(database ? serviceDatabaseEnv(database) : {}),
      AMQP_URL: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { address: `127.0.0.1:${port}`, child, dataDir, channel, transport, metricsAddress, sink };
}

/** A client of `service`; `extra` adds channel options (a subchannel of its own: a connection of its own). */
function clientOf(service: BenchService, extra: ChannelOptions = {}): EmotionServiceClient {
  return new EmotionServiceClient(service.address, service.channel.credentials, { ...service.channel.options, ...extra });
}

async function stopService(service: BenchService): Promise<void> {
  service.transport?.close();
  service.child.kill('SIGTERM');
  await new Promise((r) => service.child.once('exit', r));
  await service.sink?.close();
  fs.rmSync(service.dataDir, { recursive: true, force: true });
}

/** AnalyzeFrame's calls counted in `rpc_server_call_duration_seconds_count` (all status codes) on the service's /metrics. */
async function analyzeFrameCount(service: BenchService): Promise<number> {
  return (await histogramTotals(service, 'rpc_server_call_duration_seconds', 'rpc_method="AnalyzeFrame"')).count;
}

/** Sum and count of a histogram's series whose labels include `match`, from the service's /metrics. */
async function histogramTotals(service: BenchService, name: string, match = ''): Promise<{ sum: number; count: number }> {
  if (!service.metricsAddress) throw new Error('the service serves no metrics');
  const response = await fetch(`http://${service.metricsAddress}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics: ${response.status}`);
  const totals = { sum: 0, count: 0 };
  for (const line of (await response.text()).split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_sum`) && line.includes(match)) totals.sum += value;
    if (line.startsWith(`${name}_count`) && line.includes(match)) totals.count += value;
  }
  return totals;
}

/** AnalyzeFrame's spans the service's sink has received. */
function analyzeFrameSpans(service: BenchService): number {
  return service.sink?.counts.spansByName.get('emotion.EmotionService/AnalyzeFrame') ?? 0;
}

/**
 * Each of `runs` called once per round, alternately, CALLS rounds after WARMUP: the same machine for
 * both; in reverse order every other round, so that none is always the one called first.
 */
async function paired(runs: readonly (() => Promise<unknown>)[], rounds = CALLS): Promise<Stats[]> {
  return (await pairedSamples(runs, rounds)).map(stats);
}

/** As paired, the samples themselves: one list per run, round by round. */
async function pairedSamples(runs: readonly (() => Promise<unknown>)[], rounds = CALLS): Promise<number[][]> {
  const samples = runs.map(() => [] as number[]);
  const order = runs.map((_, i) => i);
  for (let round = -WARMUP; round < rounds; round++) {
    for (const i of round % 2 === 0 ? order : [...order].reverse()) {
      const start = now();
      await runs[i]();
      if (round >= 0) samples[i].push(now() - start);
    }
  }
  return samples;
}

/** The median of the rounds' differences `a[i] - b[i]`: what the machine did to both calls of a round cancels out. */
function medianDifference(a: readonly number[], b: readonly number[]): number {
  return stats(a.map((x, i) => x - b[i])).median;
}

/** The instrumented service against its uninstrumented twin, and what the instrumented one did meanwhile. */
interface InstrumentationCost {
  on: Stats;
  off: Stats;
  /** medianDifference(on, off). */
  difference: number;
  /** Each process's CPU time per call, milliseconds: all its threads, and its main thread's. */
  cpuPerCall: { on: { all: number; main: number }; off: { all: number; main: number } };
  /** AnalyzeFrame's calls counted by the instrumented process's metrics during the comparison, and in all. */
  calls: number;
  counted: number;
  /** What its sink had received then, and of it AnalyzeFrame's spans. */
  counts: OtlpSinkCounts;
  spans: number;
  /** Its /metrics scraped during the comparison (every SCRAPE_INTERVAL_MS). */
  scrapes: number;
  scrapeErrors: number;
}

/** AnalyzeFrame on a new connection each time (a client with a subchannel of its own), the connection's set-up included. */
function onNewConnection(service: BenchService, request: () => FrameRequest): () => Promise<unknown> {
  return async () => {
    const client = clientOf(service, { 'grpc.use_local_subchannel_pool': 1 });
    try {
      await call(client, request());
    } finally {
      client.close();
    }
  };
}

async function waitServing(client: EmotionServiceClient, request: FrameRequest): Promise<void> {
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      await call(client, request);
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function call(client: EmotionServiceClient, request: FrameRequest): Promise<EmotionResponse> {
  return callUnary(client.analyzeFrame.bind(client), request, { deadline: new Date(Date.now() + 10_000), metadata: new Metadata() });
}

/**
 * `sessions` sessions each sending FPS_PER_SESSION frames per second (open loop) for SECONDS, each
 * on a stream of its own (`stream`, through the interview service's own FrameStreams) or by
 * AnalyzeFrame calls (`unary`).
 */
async function load(
  client: EmotionServiceClient,
  jpeg: Buffer,
  sessions: number,
  transport: Transport,
): Promise<{ fps: number; offered: number; latency: Stats; refused: number; failed: number; served: number }> {
  const latencies: number[] = [];
  let refused = 0;
  let failed = 0;
  const interval = 1_000 / FPS_PER_SESSION;
  const start = now();
  const wallStart = Date.now();
  const end = start + SECONDS * 1_000;
  const pending: Promise<void>[] = [];
  const streams = new FrameStreams(() => client.analyzeStream(new Metadata()));
  const send = (request: FrameRequest) => (transport === 'stream' ? streams.analyze(request, new Date(Date.now() + 10_000)) : call(client, request));
  await Promise.all(
    Array.from({ length: sessions }, async (_, s) => {
      let next = start + (interval * s) / sessions; // sessions spread evenly over one interval
      for (let frame = 0; next < end; frame++, next += interval) {
        const wait = next - now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const sent = now();
        const request = { sessionId: `bench-${transport}-${s}`, imageData: jpeg, timestamp: wallStart + frame * interval, format: 'jpeg', traceContext: {} };
        pending.push(
          send(request).then(
            () => void latencies.push(now() - sent),
            // UNAVAILABLE: shed by the service's admission limit (the interview service queues such a frame).
            (error: unknown) => {
              // A call's ServiceError and a stream frame's FrameStatusError both carry the status code.
              if ((error as { code?: number }).code === status.UNAVAILABLE) refused++;
              else failed++;
            },
          ),
        );
      }
    }),
  );
  await Promise.all(pending);
  streams.close();
  const elapsed = (now() - start) / 1_000;
  return { fps: latencies.length / elapsed, offered: sessions * FPS_PER_SESSION, latency: stats(latencies), refused, failed, served: latencies.length };
}

/** The service's database on PostgreSQL: its URL, its removal, and the CPU time of the cluster's processes so far (milliseconds). */
interface BenchPostgres {
  url: string;
  dispose(): Promise<void>;
  cpuMs(): number;
}

/**
 * A database of its own for the service, with a role per service (createTestDatabase), on the
 * PostgreSQL at BENCH_DATABASE_URL or TEST_DATABASE_ADMIN_URL, else the integration tests' (made
 * ready by scripts/infra/ensure-postgres.sh, which installs and starts it when missing).
 */
async function benchPostgres(): Promise<BenchPostgres> {
  if (process.env.BENCH_DATABASE_URL) process.env[INTEGRATION_SERVERS.databaseAdminUrlEnv] = process.env.BENCH_DATABASE_URL;
  // On stderr: stdout holds the figures.
  const admin = ensurePostgres(console.error);
  const database = await createTestDatabase();
  const postmaster = await postmasterPid(admin, parentPid);
  return { url: database.value, dispose: () => database.dispose(), cpuMs: () => processTreeCpuMs(postmaster) };
}

async function main(): Promise<void> {
  const jpeg = await benchFrame();

  const models = await loadModels(path.join(REPO_ROOT, 'models'));
  const detector = new FaceDetector(models.faceDetector);
  const mesh = new FaceMeshModel(models.faceMesh);
  const classifier = new EmotionClassifier(models.emotionClassifier);
  const image = await decodeFrame(jpeg, 'jpeg');
  const face = (await detector.detect(image)).at(0);
  if (!face) throw new Error('no face found in the benchmark frame');

  const stages: [string, Stats][] = [
    ['decode (sharp, 640x480 JPEG)', await time(() => decodeFrame(jpeg, 'jpeg'))],
    ['detection (BlazeFace)', await time(() => detector.detect(image))],
    ['mesh (468 landmarks + EAR)', await time(async () => eyeAspectRatio((await mesh.run([{ image, face }]))[0].points))],
    ['emotion (mini-Xception)', await time(() => classifier.classifyBatch([{ image, face }]))],
  ];
  const analyzer = new FrameAnalyzer(detector, mesh, classifier);
  let track: FaceTrack | undefined;
  const perFrame = await time(async () => {
    const [analysis] = (await analyzer.analyzeDecoded([image], [track])) as FrameAnalysis[];
    track = analysis.track;
  });
  await models.release();
  // MediaPipe's own pipeline on the same frame, in its Python environment, before the service starts.
  const anchor = ANCHOR ? await runMediaPipeAnchor(jpeg, { calls: CALLS, warmup: WARMUP }) : undefined;
  const expression = stages[3][1];

  const postgres = DATABASE === 'postgres' ? await benchPostgres() : undefined;
  const database = postgres?.url ?? '';
  const service = await startService({ database });
  const client = clientOf(service);
  let plaintext: BenchService | undefined;
  let uninstrumented: BenchService | undefined;
  try {
    let timestamp = Date.now();
    const request = (sessionId = 'bench-sequential') => ({ sessionId, imageData: jpeg, timestamp: timestamp++, format: 'jpeg', traceContext: {} });
    await waitServing(client, request());
    const rpc = await time(() => call(client, request()));
    // One frame at a time on one AnalyzeStream, as the interview service sends a session's frames.
    const sequentialStream = new FrameStreams(() => client.analyzeStream(new Metadata()));
    const streamFramesBefore = await histogramTotals(service, 'emotion_stream_frame_duration_seconds');
    const rpcStream = await time(() => sequentialStream.analyze(request('bench-stream'), new Date(Date.now() + 10_000)));
    const streamFramesAfter = await histogramTotals(service, 'emotion_stream_frame_duration_seconds');
    // The service's own time per frame, from its receipt to its response (its metric), against the whole round trip.
    const serverMsPerStreamFrame = (1_000 * (streamFramesAfter.sum - streamFramesBefore.sum)) / (streamFramesAfter.count - streamFramesBefore.count);
    sequentialStream.close();

    // The cost of TLS: the same calls to a plaintext twin, alternately.
    let comparison: { name: string; tls: Stats; plain: Stats }[] = [];
    if (COMPARE_PLAINTEXT) {
      plaintext = await startService({ plaintext: true, database });
      const plainClient = clientOf(plaintext);
      try {
        await waitServing(plainClient, request('bench-plaintext'));
        const [tls, plain] = await paired([() => call(client, request('bench-tls')), () => call(plainClient, request('bench-plaintext'))]);
        const [tlsNew, plainNew] = await paired(
          [onNewConnection(service, () => request('bench-tls-new')), onNewConnection(plaintext, () => request('bench-plaintext-new'))],
          CONNECTIONS,
        );
        comparison = [
          { name: 'AnalyzeFrame, established connection', tls, plain },
          { name: 'AnalyzeFrame, a new connection each', tls: tlsNew, plain: plainNew },
        ];
      } finally {
        plainClient.close();
        await stopService(plaintext);
        plaintext = undefined;
      }
    }

    // The cost of instrumentation: the same calls to an uninstrumented twin (TLS too), alternately.
    let instrumentation: InstrumentationCost | undefined;
    if (COMPARE_INSTRUMENTATION) {
      uninstrumented = await startService({ instrumented: false, database });
      const offClient = clientOf(uninstrumented);
      try {
        await waitServing(offClient, request('bench-uninstrumented'));
        const countedBefore = await analyzeFrameCount(service);
        // Prometheus scrapes the instrumented process meanwhile, as deployed.
        let scrapes = 0;
        let scrapeErrors = 0;
        const scraper = setInterval(() => {
          analyzeFrameCount(service).then(
            () => {
              scrapes++;
            },
            () => {
              scrapeErrors++;
            },
          );
        }, SCRAPE_INTERVAL_MS);
        const { pid: onPid } = service.child;
        const { pid: offPid } = uninstrumented.child;
        const cpuBefore = [processCpuMs(onPid), processCpuMs(onPid, true), processCpuMs(offPid), processCpuMs(offPid, true)];
        let samples: number[][];
        try {
          samples = await pairedSamples([() => call(client, request('bench-instrumented')), () => call(offClient, request('bench-uninstrumented'))]);
        } finally {
          clearInterval(scraper);
        }
        // Warm-up included.
        const perCall = (before: number, after: number) => (after - before) / (WARMUP + CALLS);
        const cpuPerCall = {
          on: { all: perCall(cpuBefore[0], processCpuMs(onPid)), main: perCall(cpuBefore[1], processCpuMs(onPid, true)) },
          off: { all: perCall(cpuBefore[2], processCpuMs(offPid)), main: perCall(cpuBefore[3], processCpuMs(offPid, true)) },
        };
        const [on, off] = samples.map(stats);
        const difference = medianDifference(samples[0], samples[1]);
        const counted = await analyzeFrameCount(service);
        // Every call counted so far has its span in the sink once the batch span processor has exported it.
        const until = Date.now() + SPANS_WAIT_MS;
        while (analyzeFrameSpans(service) < counted && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
        const sunk = service.sink?.counts ?? { exports: 0, bytes: 0, spans: 0, spansByName: new Map<string, number>(), rejected: 0 };
        // What the sink had then (it goes on receiving the load's spans).
        const counts = { ...sunk, spansByName: new Map(sunk.spansByName) };
        instrumentation = {
          on,
          off,
          difference,
          cpuPerCall,
          calls: counted - countedBefore,
          counted,
          counts,
          spans: analyzeFrameSpans(service),
          scrapes,
          scrapeErrors,
        };
      } finally {
        offClient.close();
        await stopService(uninstrumented);
        uninstrumented = undefined;
      }
    }

    const levels = [];
    for (const sessions of SESSIONS) {
      for (const transport of TRANSPORTS) {
        const { pid } = service.child;
        const [cpuBefore, mainBefore, postgresBefore] = [processCpuMs(pid), processCpuMs(pid, true), postgres?.cpuMs() ?? NaN];
        const result = await load(client, jpeg, sessions, transport);
        const perFrame = (before: number, after: number) => (after - before) / result.served;
        levels.push({
          sessions,
          transport,
          ...result,
          cpuPerFrame: perFrame(cpuBefore, processCpuMs(pid)),
          mainPerFrame: perFrame(mainBefore, processCpuMs(pid, true)),
          postgresPerFrame: perFrame(postgresBefore, postgres?.cpuMs() ?? NaN),
        });
      }
    }

    const f = (n: number) => n.toFixed(2).padStart(8);
    const where = database ? `PostgreSQL ${new URL(database).host}` : 'embedded PGlite';
    console.log(machineSummary());
    console.log(`emotion service on a 640x480 JPEG with one face; blink state in ${where}`);
    console.log(`${CALLS} sequential calls after ${WARMUP} warm-up (milliseconds)`);
    console.log(`${'stage'.padEnd(34)} ${'median'.padStart(8)} ${'p99'.padStart(8)}`);
    for (const [name, s] of stages) console.log(`${name.padEnd(34)} ${f(s.median)} ${f(s.p99)}`);
    console.log(`${'models per frame, tracked session'.padEnd(34)} ${f(perFrame.median)} ${f(perFrame.p99)}`);
    console.log(`${'AnalyzeFrame over gRPC (mTLS)'.padEnd(34)} ${f(rpc.median)} ${f(rpc.p99)}`);
    console.log(`${'AnalyzeStream, a frame at a time'.padEnd(34)} ${f(rpcStream.median)} ${f(rpcStream.p99)}`);
    console.log(`  (of which in the service, receipt to response, mean: ${serverMsPerStreamFrame.toFixed(2)} ms; emotion_stream_frame_duration_seconds)`);
    console.log(`  (models per frame: detection + mesh + emotion on 1 frame in ${REDETECT_AFTER_FRAMES + 1}, tracked mesh + emotion on the others)`);
    console.log(`ratio AnalyzeFrame median / models' median per frame: ${(rpc.median / perFrame.median).toFixed(2)}`);
    const anchorSum = anchor ? anchor.decodeMs.median + anchor.faceMeshMs.median + expression.median : undefined;
    if (anchor && anchorSum)
      printAnchor(anchor, expression, anchorSum, [
        ['AnalyzeFrame median', rpc.median, TARGET_LATENCY_RATIO],
        ['AnalyzeStream median', rpcStream.median, TARGET_LATENCY_RATIO],
      ]);
    if (comparison.length) {
      console.log('');
      console.log(
        `TLS (mTLS, the operator's certificate) vs plaintext (a second process, MESH_INSECURE_PLAINTEXT=true), calls alternating; ${CALLS} calls, ${CONNECTIONS} connections`,
      );
      console.log(
        `${''.padEnd(38)} ${'TLS median'.padStart(10)} ${'p99'.padStart(8)} ${'plain median'.padStart(12)} ${'p99'.padStart(8)} ${'TLS cost'.padStart(9)}`,
      );
      for (const { name, tls, plain } of comparison) {
        const cost = `${tls.median - plain.median >= 0 ? '+' : ''}${(tls.median - plain.median).toFixed(2)}`;
        console.log(
          `${name.padEnd(38)} ${tls.median.toFixed(2).padStart(10)} ${f(tls.p99)} ${plain.median.toFixed(2).padStart(12)} ${f(plain.p99)} ${cost.padStart(9)}`,
        );
      }
    }
    if (instrumentation) {
      const { on, off, counts } = instrumentation;
      const cost = on.median - off.median;
      const p99Cost = on.p99 - off.p99;
      const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(2)}`;
      const percent = (n: number) => `${signed((100 * n) / off.median)} %`;
      console.log('');
      console.log(
        `instrumentation on (metrics endpoint, traces over OTLP/HTTP to the benchmark's sink) vs off (a second process, METRICS_PORT=off, no OTEL_*), both mTLS, calls alternating; ${CALLS} calls`,
      );
      console.log(
        `${''.padEnd(38)} ${'on median'.padStart(10)} ${'p99'.padStart(8)} ${'off median'.padStart(12)} ${'p99'.padStart(8)} ${'cost'.padStart(9)} ${'% median'.padStart(9)} ${'p99 cost'.padStart(9)}`,
      );
      console.log(
        `${'AnalyzeFrame, established connection'.padEnd(38)} ${on.median.toFixed(2).padStart(10)} ${f(on.p99)} ${off.median.toFixed(2).padStart(12)} ${f(off.p99)} ${signed(cost).padStart(9)} ${percent(cost).padStart(9)} ${signed(p99Cost).padStart(9)}`,
      );
      const { difference, cpuPerCall: cpu } = instrumentation;
      console.log(`  call by call (on − off in each round): median ${signed(difference)} ms (${percent(difference)} of off's median)`);
      const cpuLine = (which: 'all' | 'main') => `on ${cpu.on[which].toFixed(2)}, off ${cpu.off[which].toFixed(2)} (${signed(cpu.on[which] - cpu.off[which])})`;
      console.log(
        `  CPU ms per call: main thread (gRPC, interceptors, trace export, the blink row's database client) ${cpuLine('main')}; all threads (the models' too) ${cpuLine('all')}`,
      );
      const otherSpans = counts.spans - instrumentation.spans;
      console.log(
        `  instrumented side: ${instrumentation.counted} AnalyzeFrame calls in rpc_server_call_duration_seconds_count (${instrumentation.calls} during the comparison); ` +
          `the sink received ${instrumentation.spans} AnalyzeFrame spans${otherSpans ? ` (+${otherSpans} others)` : ''} in ${counts.exports} exports, ${(counts.bytes / 1024).toFixed(1)} KiB` +
          `${counts.rejected ? `, ${counts.rejected} requests rejected` : ''}; ${instrumentation.scrapes} scrapes during it${instrumentation.scrapeErrors ? `, ${instrumentation.scrapeErrors} failed` : ''}`,
      );
    }
    console.log('');
    console.log(`load: each session sends ${FPS_PER_SESSION} frames/s for ${SECONDS} s (stream: one AnalyzeStream per session; unary: AnalyzeFrame calls)`);
    const ratioHeader = anchorSum ? ` ${'÷ anchor'.padStart(9)}` : '';
    console.log(
      `${'sessions'.padStart(8)} ${'transport'.padStart(9)} ${'offered fps'.padStart(12)} ${'served fps'.padStart(11)} ${'median'.padStart(8)} ${'p99'.padStart(8)} ${'refused'.padStart(8)} ${'failed'.padStart(7)} ${'CPU ms/frame'.padStart(13)} ${'main thread'.padStart(12)} ${'PostgreSQL'.padStart(11)}${ratioHeader}`,
    );
    for (const l of levels) {
      const ratio = anchorSum ? ` ${(l.cpuPerFrame / anchorSum).toFixed(2).padStart(9)}` : '';
      console.log(
        `${String(l.sessions).padStart(8)} ${l.transport.padStart(9)} ${String(l.offered).padStart(12)} ${l.fps.toFixed(1).padStart(11)} ${f(l.latency.median)} ${f(l.latency.p99)} ${String(l.refused).padStart(8)} ${String(l.failed).padStart(7)} ${l.cpuPerFrame.toFixed(2).padStart(13)} ${l.mainPerFrame.toFixed(2).padStart(12)} ${(postgres ? l.postgresPerFrame.toFixed(2) : '-').padStart(11)}${ratio}`,
      );
    }
    if (anchorSum) {
      console.log(
        `  CPU ms/frame: the service process's CPU time (all threads) per frame served; target ${TARGET_CPU_RATIO} x the anchor (${(TARGET_CPU_RATIO * anchorSum).toFixed(2)} ms) at loads it serves whole`,
      );
    }
  } finally {
    client.close();
    if (plaintext) await stopService(plaintext);
    if (uninstrumented) await stopService(uninstrumented);
    await stopService(service);
    await postgres?.dispose();
  }
}

/**
 * The anchor's figures, the sum the targets are ratios of (MediaPipe's decode and face mesh medians
 * plus our expression model's, which MediaPipe has no counterpart of), and each of `figures` (name,
 * milliseconds, target ratio) divided by it.
 */
function printAnchor(anchor: MediaPipeAnchor, expression: Stats, anchorSum: number, figures: readonly [string, number, number][]): void {
  console.log('');
  console.log(
    `anchor: MediaPipe ${anchor.mediapipe} FaceMesh (TFLite + XNNPACK, tracking, one face, pinned to CPU ${anchor.cpu}) with cv2.imdecode (opencv ${anchor.opencv}), ${anchor.calls} calls`,
  );
  console.log(
    `${'  MediaPipe decode (cv2.imdecode + BGR->RGB)'.padEnd(48)} ${anchor.decodeMs.median.toFixed(2).padStart(8)} ${anchor.decodeMs.p99.toFixed(2).padStart(8)}`,
  );
  console.log(
    `${'  MediaPipe face mesh (FaceMesh.process)'.padEnd(48)} ${anchor.faceMeshMs.median.toFixed(2).padStart(8)} ${anchor.faceMeshMs.p99.toFixed(2).padStart(8)}`,
  );
  console.log(`${'  our expression model (mini-Xception)'.padEnd(48)} ${expression.median.toFixed(2).padStart(8)} ${expression.p99.toFixed(2).padStart(8)}`);
  console.log(`  anchor sum (the three medians): ${anchorSum.toFixed(2)} ms`);
  for (const [name, ms, target] of figures) {
    const ratio = ms / anchorSum;
    console.log(`  ${name} ${ms.toFixed(2)} ms = ${ratio.toFixed(2)} x anchor (target <= ${target}: ${ratio <= target ? 'met' : 'not met'})`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
