import os from 'node:os';
import { Difficulty } from '../../../src/gen/interview';
import { signUp } from '../../../test/support/identity';
import { interviewClient } from '../../../test/support/interview-client';
import { brokerCounters, BrokerCounters, nodePublished } from './broker';
import { cpuSnapshot, ownCpuMs } from './cpu';
import { BenchDatabase, FrameLags } from './database';
import { FrameSender, GhzResult, sendFrames } from './ghz';
import { BenchMesh } from './services';
import { mapLimited, Percentiles, percentiles, sleep } from './stats';
import { InterviewStreams, StreamCounts } from './streams';

/** Frames each interview sends a second. */
export const FRAMES_PER_SECOND = 2;

/** Sign-ups and interview starts made at once while a level is set up. */
const SETUP_PARALLEL = 8;

/** Status codes (ghz's names) of calls that got no answer from the service: the deadline passed, or the call was cut. */
const FAILURE_CODES = new Set(['DeadlineExceeded', 'Canceled', 'Unknown']);

/** What a level needs that does not change between levels. */
export interface LevelContext {
  readonly mesh: BenchMesh;
  readonly database: BenchDatabase;
  readonly managementUrl: string;
  readonly ghz: string;
  readonly jpeg: Buffer;
  readonly seconds: number;
  /**
   * The first seconds of a level, left out of its steady figures: every interview's first frames,
   * sent at once as the level starts, each opening the interview's analysis stream and needing a
   * face detection.
   */
  readonly warmupSeconds: number;
  readonly drainTimeoutMs: number;
  /** The processes whose CPU time is counted, by name, besides the services: PostgreSQL's postmaster, RabbitMQ's beam.smp. */
  readonly postmasterPid: number;
  readonly beamPid: number;
  /** How long the management API's figures take to catch up (RabbitMQ's statistics interval, plus a margin), milliseconds. */
  readonly brokerSettleMs: number;
}

/** One level's figures. */
export interface LevelResult {
  readonly interviews: number;
  /** The 1-minute load average as the level began. */
  readonly loadAverage: number;
  readonly offeredFps: number;
  readonly ghz: GhzResult;
  /**
   * The level's time, seconds: the offered window (calls / rate), or, when the last answer came
   * later, from the first call's start to the last answer; and calls answered OK a second over it.
   */
  readonly sustainedSeconds: number;
  readonly sustainedFps: number;
  readonly accepted: number;
  /** Calls the service answered with another code (by code), and calls it did not answer (by code). */
  readonly refused: Readonly<Record<string, number>>;
  readonly failed: Readonly<Record<string, number>>;
  /** Frames the interview service recorded (`queued` of them without a synchronous analysis), the emotion service analyzed, the scoring service sampled. */
  readonly frames: { recorded: number; queued: number; analyzed: number; sampled: number };
  readonly drainMs: number;
  readonly drained: boolean;
  /** The frames' lags, all of them, and those captured after the warm-up. */
  readonly lagMs: Lags;
  readonly steadyLagMs: Lags;
  readonly streams: StreamCounts & { open: number; seconds: number };
  /** CPU time per accepted frame, milliseconds, by process (tree). */
  readonly cpuMsPerFrame: Readonly<Record<string, number>>;
  readonly walBytesPerFrame: number;
  readonly broker: { receivedBytesPerFrame: number; sentBytesPerFrame: number; publishedPerFrame: number; deliveredPerFrame: number };
  /** Traffic of others that the shared figures include: transactions in the cluster's other databases, messages published on the node outside the vhost. */
  readonly others: { transactions: number; published: number };
}

/** A level's lags, p50 and p99 (database.ts lags). */
export interface Lags {
  readonly receiptToSample: Percentiles;
  readonly recordedToSample: Percentiles;
  readonly receiptToAnalysis: Percentiles;
}

/** `n` fresh candidates, each with an interview of 3 questions started: one candidate per interview, as real users. */
async function startInterviews(mesh: BenchMesh, n: number): Promise<FrameSender[]> {
  return mapLimited(Array.from({ length: n }), SETUP_PARALLEL, async () => {
    const { accessToken } = await signUp(mesh.addresses.auth, 'candidate');
    const client = interviewClient(mesh.addresses.interview, accessToken);
    try {
      const interview = await client.startInterview({ candidateId: '', categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 3 });
      return { interviewId: interview.id, accessToken };
    } finally {
      client.close();
    }
  });
}

/** Everything counted cumulatively, at one instant. */
interface Counters {
  cpuMs: Record<string, number>;
  wal: string;
  otherTransactions: number;
}

/** CPU time of every process counted, milliseconds by name (the services', `postgresql`, `rabbitmq`, `bench`). */
function cpuNow(context: LevelContext): Record<string, number> {
  const cpuMs = cpuSnapshot({ ...context.mesh.pids, postgresql: context.postmasterPid, rabbitmq: context.beamPid });
  cpuMs.bench = ownCpuMs();
  return cpuMs;
}

/**
 * What each process spends with the mesh idle (no interview), CPU milliseconds a second over
 * `ms`: the outbox relays' polling, health checks and the like, which a level's CPU time per
 * frame includes (the less, the more frames it has).
 */
export async function idleCpuMsPerSecond(context: LevelContext, ms: number): Promise<Record<string, number>> {
  const before = cpuNow(context);
  await sleep(ms);
  const after = cpuNow(context);
  return Object.fromEntries(Object.keys(after).map((name) => [name, ((after[name] - before[name]) * 1_000) / ms]));
}

async function counters(context: LevelContext): Promise<Counters> {
  const cpuMs = cpuNow(context);
  return { cpuMs, wal: await context.database.walLsn(), otherTransactions: await context.database.otherDatabasesTransactions() };
}

/** The vhost's broker counters, and the messages published on the whole node. */
type BrokerNow = BrokerCounters & { nodePublished: number };

async function brokerNow(context: LevelContext): Promise<BrokerNow> {
  const [vhost, node] = await Promise.all([brokerCounters(context.managementUrl, context.mesh.vhost), nodePublished(context.managementUrl)]);
  return { ...vhost, nodePublished: node };
}

/** Splits ghz's status counts into accepted (OK), refused (another answer) and failed (no answer). */
function outcomes(statuses: Readonly<Record<string, number>>): { accepted: number; refused: Record<string, number>; failed: Record<string, number> } {
  let accepted = 0;
  const refused: Record<string, number> = {};
  const failed: Record<string, number> = {};
  for (const [code, count] of Object.entries(statuses)) {
    if (code === 'OK') accepted = count;
    else if (FAILURE_CODES.has(code)) failed[code] = count;
    else refused[code] = count;
  }
  return { accepted, refused, failed };
}

/** The level's costs per accepted frame: CPU time by process, WAL, broker traffic; and what others did meanwhile. */
function costs(
  spans: { before: Counters; after: Counters; brokerBefore: BrokerNow; brokerAfter: BrokerNow },
  ghzCpuMs: number,
  accepted: number,
): Pick<LevelResult, 'cpuMsPerFrame' | 'broker' | 'others'> {
  const { before, after, brokerBefore, brokerAfter } = spans;
  const perFrame = (value: number) => value / accepted;
  const published = brokerAfter.published - brokerBefore.published;
  return {
    cpuMsPerFrame: {
      ...Object.fromEntries(Object.keys(after.cpuMs).map((name) => [name, perFrame(after.cpuMs[name] - before.cpuMs[name])])),
      ghz: perFrame(ghzCpuMs),
    },
    broker: {
      receivedBytesPerFrame: perFrame(brokerAfter.receivedBytes - brokerBefore.receivedBytes),
      sentBytesPerFrame: perFrame(brokerAfter.sentBytes - brokerBefore.sentBytes),
      publishedPerFrame: perFrame(published),
      deliveredPerFrame: perFrame(brokerAfter.delivered - brokerBefore.delivered),
    },
    others: { transactions: after.otherTransactions - before.otherTransactions, published: brokerAfter.nodePublished - brokerBefore.nodePublished - published },
  };
}

/** ghz's run, and what the streams received meanwhile (counted from its start to its end). */
async function load(
  context: LevelContext,
  senders: readonly FrameSender[],
  streams: InterviewStreams,
): Promise<{ ghz: GhzResult; streams: LevelResult['streams'] }> {
  const n = senders.length;
  streams.reset();
  const start = Date.now();
  const ghz = await sendFrames(context.ghz, context.mesh.addresses.interview, senders, context.jpeg, {
    rps: FRAMES_PER_SECOND * n,
    seconds: context.seconds,
    warmupSeconds: context.warmupSeconds,
  });
  return { ghz, streams: { ...streams.counts(), open: n, seconds: (Date.now() - start) / 1_000 } };
}

/** The frames' lags, p50 and p99: all of them, and those captured `warmupSeconds` or more after the first. */
async function lagPercentiles(database: BenchDatabase, interviews: readonly string[], warmupSeconds: number): Promise<{ all: Lags; steady: Lags }> {
  const lags = await database.lags(interviews);
  const first = Math.min(...lags.map((l) => l.capturedAtMs));
  const of = (frames: readonly FrameLags[]): Lags => ({
    receiptToSample: percentiles(frames.map((l) => l.receiptToSample)),
    recordedToSample: percentiles(frames.map((l) => l.recordedToSample)),
    receiptToAnalysis: percentiles(frames.map((l) => l.receiptToAnalysis)),
  });
  return { all: of(lags), steady: of(lags.filter((l) => l.capturedAtMs >= first + warmupSeconds * 1_000)) };
}

/**
 * One level: `n` interviews (fresh candidates), each with its StreamInterview open, sending
 * FRAMES_PER_SECOND frames a second through SendFrame (ghz) for the context's seconds; then the
 * wait for the pipeline to drain (every frame accepted or recorded, whichever are more, analyzed and
 * sampled), and the figures. CPU time and WAL are counted from just before ghz starts to the end of
 * the drain; the broker's figures once its statistics have caught up (brokerSettleMs) before and
 * after.
 */
export async function runLevel(context: LevelContext, n: number): Promise<LevelResult> {
  const loadAverage = os.loadavg()[0];
  const senders = await startInterviews(context.mesh, n);
  const ids = senders.map((s) => s.interviewId);
  const streams = await InterviewStreams.open(context.mesh.addresses.interview, senders);
  try {
    // The set-up's own messages (sign-ups) out of the broker's figures: they are sampled by now.
    await sleep(context.brokerSettleMs);
    const brokerBefore = await brokerNow(context);
    const before = await counters(context);
    const run = await load(context, senders, streams);
    const { accepted, refused, failed } = outcomes(run.ghz.statuses);
    const expected = Math.max(accepted, (await context.database.frameCounts(ids)).recorded);
    const drainMs = await context.database.drain(ids, expected, context.drainTimeoutMs);
    const after = await counters(context);
    const frames = await context.database.frameCounts(ids);
    const lags = await lagPercentiles(context.database, ids, context.warmupSeconds);
    const walBytes = await context.database.walBytes(before.wal, after.wal);
    await sleep(context.brokerSettleMs);
    const brokerAfter = await brokerNow(context);
    const sustainedSeconds = Math.max(run.ghz.calls / (FRAMES_PER_SECOND * n), run.ghz.spanSeconds);
    return {
      interviews: n,
      loadAverage,
      offeredFps: FRAMES_PER_SECOND * n,
      ghz: run.ghz,
      sustainedSeconds,
      sustainedFps: accepted / sustainedSeconds,
      accepted,
      refused,
      failed,
      frames,
      drainMs,
      drained: frames.analyzed >= expected && frames.sampled >= expected,
      lagMs: lags.all,
      steadyLagMs: lags.steady,
      streams: run.streams,
      walBytesPerFrame: walBytes / accepted,
      ...costs({ before, after, brokerBefore, brokerAfter }, run.ghz.cpuMs, accepted),
    };
  } finally {
    await streams.close();
  }
}
