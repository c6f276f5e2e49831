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
 * tracking included); the ratio of AnalyzeFrame's median to the models' median per frame (the
 * overhead of everything around the models: decoding, gRPC, the blink row, the worker hop); then
 * the frames per second served, latency of the frames served, frames refused (UNAVAILABLE: the
 * service sheds live frames past its admission limit, EMOTION_MAX_WAITING_FRAMES), and the service
 * process's CPU time per frame served
 * (all its threads; not PostgreSQL's when BENCH_DATABASE_URL is set) at 1, 10 and 100 concurrent
 * sessions each sending 2 frames per second.
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
 * Environment: BENCH_CALLS (default 300) sequential calls per figure, BENCH_SECONDS (default 10)
 * per load level, BENCH_SESSIONS (default "1,10,100"); BENCH_CONNECTIONS (default 100) calls on
 * new connections per transport, BENCH_COMPARE_PLAINTEXT=false to skip the comparison;
 * BENCH_DATABASE_URL, a PostgreSQL URL (a database of its own: the service migrates it) for the
 * service's blink state instead of embedded PGlite; BENCH_SERVICE_NODE_ARGS, extra node flags for
 * the service's process (for example "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile its side).
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ChannelOptions, credentials, Metadata, status } from '@grpc/grpc-js';
import sharp from 'sharp';
import { EmotionResponse, EmotionServiceClient, FrameRequest } from '../../src/gen/emotion';
import { callUnary } from '../../src/platform/grpc/unary-call';
import { silentLogger } from '../../src/platform/log/logger';
import { REPO_ROOT } from '../../src/platform/paths';
import { ensureWorkloadCertificates } from '../../src/platform/tls/certificate-files';
import { MeshChannel, TransportSecurity, transportSettings } from '../../src/platform/tls/transport-security';
import { eyeAspectRatio } from '../../src/services/emotion/domain/blink/eye-aspect-ratio';
import { EmotionClassifier } from '../../src/services/emotion/domain/expression/emotion-classifier';
import { FaceDetector } from '../../src/services/emotion/domain/face/face-detector';
import { FaceMeshModel } from '../../src/services/emotion/domain/face/face-mesh';
import { FaceTrack, REDETECT_AFTER_FRAMES } from '../../src/services/emotion/domain/face/face-track';
import { FrameAnalysis, FrameAnalyzer } from '../../src/services/emotion/domain/frame-analyzer';
import { decodeFrame } from '../../src/services/emotion/domain/image/decode-frame';
import { loadModels } from '../../src/services/emotion/models/load-models';

const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SESSIONS = (process.env.BENCH_SESSIONS ?? '1,10,100').split(',').map(Number);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? '';
const SERVICE_NODE_ARGS = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const COMPARE_PLAINTEXT = process.env.BENCH_COMPARE_PLAINTEXT !== 'false';
const FPS_PER_SESSION = 2;
const WARMUP = 20;

interface Stats {
  median: number;
  p99: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p99: at(0.99) };
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** The emotion service alone in its own process, and what its clients dial it with. */
interface BenchService {
  address: string;
  child: ChildProcess;
  dataDir: string;
  /** The operator's channel to it: TLS (the mesh's channel credentials), or plaintext. */
  channel: MeshChannel;
  transport?: TransportSecurity;
}

/**
 * The emotion service alone in its own process, on BENCH_DATABASE_URL or a fresh embedded database:
 * TLS as deployed (its certificate and the operator's issued first into its data directory's tls/),
 * or plaintext with the development switch (`plaintext`, for the comparison only).
 */
async function startService(plaintext = false): Promise<BenchService> {
  const port = await freePort();
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
      ...process.env,
      ...tlsEnv,
      EMOTION_PORT: String(port),
      BIND_HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: DATABASE_URL,
      AMQP_URL: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { address: `127.0.0.1:${port}`, child, dataDir, channel, transport };
}

/** A client of `service`; `extra` adds channel options (a subchannel of its own: a connection of its own). */
function clientOf(service: BenchService, extra: ChannelOptions = {}): EmotionServiceClient {
  return new EmotionServiceClient(service.address, service.channel.credentials, { ...service.channel.options, ...extra });
}

async function stopService(service: BenchService): Promise<void> {
  service.transport?.close();
  service.child.kill('SIGTERM');
  await new Promise((r) => service.child.once('exit', r));
  fs.rmSync(service.dataDir, { recursive: true, force: true });
}

/** Each of `runs` called once per round, alternately, CALLS rounds after WARMUP: the same machine for both. */
async function paired(runs: readonly (() => Promise<unknown>)[], rounds = CALLS): Promise<Stats[]> {
  const samples = runs.map(() => [] as number[]);
  for (let round = -WARMUP; round < rounds; round++) {
    for (const [i, run] of runs.entries()) {
      const start = now();
      await run();
      if (round >= 0) samples[i].push(now() - start);
    }
  }
  return samples.map(stats);
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

/** `sessions` sessions each sending FPS_PER_SESSION frames per second (open loop) for SECONDS. */
/** CPU time (user + system, all threads) the process `pid` has used, milliseconds; NaN off Linux. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000) / 100; // utime, stime in USER_HZ (100)
  } catch {
    return NaN;
  }
}

async function load(
  client: EmotionServiceClient,
  jpeg: Buffer,
  sessions: number,
): Promise<{ fps: number; offered: number; latency: Stats; refused: number; failed: number; served: number }> {
  const latencies: number[] = [];
  let refused = 0;
  let failed = 0;
  const interval = 1_000 / FPS_PER_SESSION;
  const start = now();
  const wallStart = Date.now();
  const end = start + SECONDS * 1_000;
  const pending: Promise<void>[] = [];
  await Promise.all(
    Array.from({ length: sessions }, async (_, s) => {
      let next = start + (interval * s) / sessions; // sessions spread evenly over one interval
      for (let frame = 0; next < end; frame++, next += interval) {
        const wait = next - now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const sent = now();
        const request = { sessionId: `bench-${s}`, imageData: jpeg, timestamp: wallStart + frame * interval, format: 'jpeg' };
        pending.push(
          call(client, request).then(
            () => void latencies.push(now() - sent),
            // UNAVAILABLE: shed by the service's admission limit (the interview service queues such a frame).
            (error: unknown) => {
              // callUnary rejects with grpc-js's ServiceError, which carries the status code.
              if ((error as { code?: number }).code === status.UNAVAILABLE) refused++;
              else failed++;
            },
          ),
        );
      }
    }),
  );
  await Promise.all(pending);
  const elapsed = (now() - start) / 1_000;
  return { fps: latencies.length / elapsed, offered: sessions * FPS_PER_SESSION, latency: stats(latencies), refused, failed, served: latencies.length };
}

async function main(): Promise<void> {
  const astronaut = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/faces/astronaut.png'));
  const jpeg = await sharp(astronaut).resize(640, 480, { fit: 'contain', background: '#000' }).jpeg({ quality: 85 }).toBuffer();

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

  const service = await startService();
  const client = clientOf(service);
  let plaintext: BenchService | undefined;
  try {
    let timestamp = Date.now();
    const request = (sessionId = 'bench-sequential') => ({ sessionId, imageData: jpeg, timestamp: timestamp++, format: 'jpeg' });
    await waitServing(client, request());
    const rpc = await time(() => call(client, request()));

    // The cost of TLS: the same calls to a plaintext twin, alternately.
    let comparison: { name: string; tls: Stats; plain: Stats }[] = [];
    if (COMPARE_PLAINTEXT) {
      plaintext = await startService(true);
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

    const levels = [];
    for (const sessions of SESSIONS) {
      const cpuBefore = cpuMs(service.child.pid);
      const result = await load(client, jpeg, sessions);
      levels.push({ sessions, ...result, cpuPerFrame: (cpuMs(service.child.pid) - cpuBefore) / result.served });
    }

    const f = (n: number) => n.toFixed(2).padStart(8);
    const database = DATABASE_URL ? `PostgreSQL ${new URL(DATABASE_URL).host}` : 'embedded PGlite';
    console.log(
      `emotion service on a 640x480 JPEG with one face; ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}; blink state in ${database}`,
    );
    console.log(`${CALLS} sequential calls after ${WARMUP} warm-up (milliseconds)`);
    console.log(`${'stage'.padEnd(34)} ${'median'.padStart(8)} ${'p99'.padStart(8)}`);
    for (const [name, s] of stages) console.log(`${name.padEnd(34)} ${f(s.median)} ${f(s.p99)}`);
    console.log(`${'models per frame, tracked session'.padEnd(34)} ${f(perFrame.median)} ${f(perFrame.p99)}`);
    console.log(`${'AnalyzeFrame over gRPC (mTLS)'.padEnd(34)} ${f(rpc.median)} ${f(rpc.p99)}`);
    console.log(`  (models per frame: detection + mesh + emotion on 1 frame in ${REDETECT_AFTER_FRAMES + 1}, tracked mesh + emotion on the others)`);
    console.log(`ratio AnalyzeFrame median / models' median per frame: ${(rpc.median / perFrame.median).toFixed(2)}`);
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
    console.log('');
    console.log(`load: each session sends ${FPS_PER_SESSION} frames/s for ${SECONDS} s`);
    console.log(
      `${'sessions'.padStart(8)} ${'offered fps'.padStart(12)} ${'served fps'.padStart(11)} ${'median'.padStart(8)} ${'p99'.padStart(8)} ${'refused'.padStart(8)} ${'failed'.padStart(7)} ${'CPU ms/frame'.padStart(13)}`,
    );
    for (const l of levels) {
      console.log(
        `${String(l.sessions).padStart(8)} ${String(l.offered).padStart(12)} ${l.fps.toFixed(1).padStart(11)} ${f(l.latency.median)} ${f(l.latency.p99)} ${String(l.refused).padStart(8)} ${String(l.failed).padStart(7)} ${l.cpuPerFrame.toFixed(2).padStart(13)}`,
      );
    }
  } finally {
    client.close();
    if (plaintext) await stopService(plaintext);
    await stopService(service);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
