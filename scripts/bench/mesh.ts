/**
 * `npm run bench:mesh`: the whole frame path through the mesh, at several loads. Not a test:
 * figures only (the machine is shared: say what else ran, and run it more than once).
 *
 * The mesh runs as deployed, each service (emotion, scoring, notifier, auth, interview) in a
 * process of its own (`npm start -- --services <name>`; one emotion replica), on real PostgreSQL
 * and RabbitMQ: a database with a role per service and a vhost with a broker user per service, as
 * test/integration/mesh-processes.test.ts sets them up (test/support), on the integration tests'
 * servers, which scripts/infra/ensure-postgres.sh and ensure-rabbitmq.sh install and start when
 * missing or stopped, saying so. TLS everywhere, the tests' CA (.cache/test-tls). The per-address
 * call limit is raised, every caller being 127.0.0.1 (mesh/services.ts says why); the other limits
 * keep their defaults, each interview having a candidate of its own.
 *
 * At each level of N interviews: N candidates sign up and start an interview each; each holds a
 * StreamInterview open for the level, as a browser does (the project's generated client, a
 * connection each, a ping every 5 s: mesh/streams.ts), and sends 2 frames a second through
 * SendFrame, driven by ghz (pinned, scripts/infra/ensure-ghz.sh builds it into .cache/tools/bin),
 * one run per level at a constant 2 x N calls a second for BENCH_SECONDS, open loop, one connection
 * per interview, each call's interview and bearer token picked by its request number (mesh/ghz.ts).
 * The frame is the emotion benchmark's: test/fixtures/faces/astronaut.png as a 640x480 JPEG
 * (quality 85, letterboxed in black). Then the benchmark waits for the pipeline to drain (every
 * frame recorded analyzed and sampled, at most BENCH_DRAIN_SECONDS) and reads the figures. Per
 * level:
 *
 * - frames/s offered (2 x N) and sustained: calls answered OK over the level's time, the sending
 *   window (calls / rate) or, when the last answer came later, from the first call's start to the
 *   last answer (ghz's report's details: each call's end and latency);
 * - SendFrame's p50 and p99 (ms, OK calls) after the warm-up, the calls begun in the level's first
 *   BENCH_WARMUP_SECONDS left out (ghz's JSON report's details: each call's latency and status),
 *   and over the whole level (its latency distribution). The warm-up is the benchmark's own: every
 *   interview starts at the same instant, and its first frames each open the interview's analysis
 *   stream to the emotion service and need a face detection, all at once (hundreds of ms at 10
 *   interviews); interviews that start one by one pay it one by one. Frames refused, by status code
 *   (the service answered otherwise than OK: RESOURCE_EXHAUSTED from a limit, UNAVAILABLE, ...),
 *   and failed (no answer: DEADLINE_EXCEEDED after ghz's 20 s, CANCELLED, UNKNOWN), with ghz's most
 *   frequent error messages; frames recorded without a synchronous analysis (the emotion service
 *   slow or shedding: the interview service queues them);
 * - the streams: updates received a second (every StreamInterviewResponse, by kind) and the ping to
 *   pong round trip. SendFrame's frames yield no update on a stream: it answers the events sent on
 *   it (src/services/interview/interview-stream.ts), so this is the pongs;
 * - stored and lost: the frames' emotion analyses (emotion.emotion_analysis) and scoring samples
 *   (scoring.emotion_samples), and lost = accepted (SendFrame OK) - stored, for each;
 * - the lag from a frame's receipt by the interview service to its scoring sample, p50 and p99
 *   (ms), of the frames captured after the warm-up and of all, from the tables (mesh/database.ts
 *   lags says which timestamps: the frames' captured_at, stamped by the interview service as it
 *   takes the frame, since the benchmark sends timestamp_ms 0; the scoring sample's own
 *   transaction's, through scoring's inbox: emotion_samples has no time of its own); also from the
 *   frame's recording (received_at, after the synchronous analysis) and to the emotion service's
 *   stored analysis;
 * - CPU ms per accepted frame of each process, from /proc/<pid>/stat (utime + stime, all threads;
 *   with cutime + cstime, its children that ended): each service's process; PostgreSQL, the
 *   cluster's postmaster and every process under it (the backends, including those that ended, in
 *   the postmaster's cutime; the walwriter, checkpointer, autovacuum; not every `postgres` process
 *   of the machine, where the fault suite's cluster may run too); RabbitMQ, the node's beam.smp
 *   (`rabbitmqctl eval os:getpid()`); ghz (this process's child, its CPU in our cutime once it
 *   ended); the benchmark itself (the streams, the polling: process.cpuUsage). Counted from just
 *   before ghz starts to the end of the drain. PostgreSQL and RabbitMQ are the tests' shared
 *   servers: the level's table says when the cluster's other databases or the node's other vhosts
 *   were busy meanwhile, whose work their CPU time then includes;
 * - WAL bytes per frame: pg_wal_lsn_diff of pg_current_wal_lsn() over the same span (the whole
 *   cluster's WAL, as the administrator);
 * - broker bytes per frame: recv_oct (in) and send_oct (out) summed over the vhost's connections
 *   (the services', for the whole run) from RabbitMQ's management HTTP API, which
 *   ensure-rabbitmq.sh enables; its figures are sampled every collect_statistics_interval (5 s), so
 *   they are read that long after the traffic stopped; messages published and delivered per frame
 *   (the vhost's message_stats).
 *
 * Before the first level, each process's CPU time with the mesh idle (ms a second: the outbox
 * relays' polling and the like), which a level's CPU time per frame includes, the more so the fewer
 * frames.
 *
 * At the end, a line per level and the saturation statement: the highest level whose sustained
 * frames/s >= 0.98 x offered with SendFrame's p99 after the warm-up < 70 ms and nothing refused,
 * failed or lost.
 *
 * Environment: BENCH_INTERVIEWS (default "10,25,50,75,100") the levels, interviews each;
 * BENCH_SECONDS (default 20) each level's sending time; BENCH_DRAIN_SECONDS (default 300) how long
 * a level's pipeline may take to drain before its frames count as lost (past saturation, the frames
 * the emotion service sheds are queued and analyzed later: a 2-core machine takes minutes over 100
 * interviews' 4000 frames); BENCH_WARMUP_SECONDS (default 2) the first seconds of each level left
 * out of its steady latencies and lags. TEST_DATABASE_ADMIN_URL, TEST_AMQP_URL and
 * TEST_RABBITMQ_MANAGEMENT_URL name servers of your own instead, as for the integration tests (on
 * this machine: their processes' CPU time is read from /proc); BENCH_SERVICE_NODE_ARGS, extra node
 * flags for every service's process ("--cpu-prof --cpu-prof-dir=/tmp/prof" profiles them).
 */
import os from 'node:os';
import { benchFrame } from './bench-frame';
import { machineSummary } from './machine';
import { beamPid, brokerStatisticsIntervalMs } from './mesh/broker';
import { parentPid } from './mesh/cpu';
import { BenchDatabase } from './mesh/database';
import { ensureGhz, ghzVersion } from './mesh/ghz';
import { ensureServers, postgresVersion, postmasterPid, rabbitmqVersions } from './mesh/infrastructure';
import { FRAMES_PER_SECOND, idleCpuMsPerSecond, LevelContext, LevelResult, runLevel } from './mesh/level';
import { idleLine, levelTable, summary } from './mesh/report';
import { startBenchMesh } from './mesh/services';

const INTERVIEWS = (process.env.BENCH_INTERVIEWS ?? '10,25,50,75,100').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 300);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
/** How long the mesh's idle CPU time is measured before the first level, milliseconds. */
const IDLE_MS = 10_000;
/** Added to RabbitMQ's statistics interval before its management API's figures are read, milliseconds. */
const BROKER_SETTLE_MARGIN_MS = 1_000;

function checkSettings(): void {
  if (INTERVIEWS.length === 0 || INTERVIEWS.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`BENCH_INTERVIEWS must be positive integers separated by commas, got "${process.env.BENCH_INTERVIEWS}"`);
  }
  if (!(SECONDS > 0) || !(DRAIN_SECONDS > 0)) throw new Error('BENCH_SECONDS and BENCH_DRAIN_SECONDS must be positive numbers');
  if (!(WARMUP_SECONDS >= 0 && WARMUP_SECONDS < SECONDS)) throw new Error('BENCH_WARMUP_SECONDS must be from 0 to less than BENCH_SECONDS');
}

function printMachine(): void {
  console.log(machineSummary());
  console.log(`         ${os.type()} ${os.release()}`);
}

async function main(): Promise<void> {
  checkSettings();
  printMachine();
  const servers = await ensureServers();
  const ghz = ensureGhz();
  const jpeg = await benchFrame();
  const [pgVersion, rabbit, ghzModule, statisticsMs, beam, postmaster] = await Promise.all([
    postgresVersion(servers.databaseAdminUrl),
    rabbitmqVersions(servers.managementUrl),
    ghzVersion(ghz),
    brokerStatisticsIntervalMs(),
    beamPid(),
    postmasterPid(servers.databaseAdminUrl, parentPid),
  ]);
  console.log(
    `versions: Node ${process.version}, PostgreSQL ${pgVersion}, RabbitMQ ${rabbit.rabbitmq} (Erlang ${rabbit.erlang}, node ${rabbit.node}), ghz ${ghzModule}`,
  );
  console.log(
    `frame: 640x480 JPEG, ${jpeg.length} bytes; ${FRAMES_PER_SECOND} frames/s per interview; levels ${INTERVIEWS.join(', ')} interviews, ${SECONDS} s each`,
  );

  const mesh = await startBenchMesh();
  const database = await BenchDatabase.connect(mesh.databaseUrl);
  let failed = false;
  try {
    console.log(
      `mesh: ${Object.entries(mesh.pids)
        .map(([name, pid]) => `${name} pid ${pid}`)
        .join(', ')}; PostgreSQL postmaster pid ${postmaster}, RabbitMQ beam.smp pid ${beam}`,
    );
    const context: LevelContext = {
      mesh,
      database,
      managementUrl: servers.managementUrl,
      ghz,
      jpeg,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      drainTimeoutMs: DRAIN_SECONDS * 1_000,
      postmasterPid: postmaster,
      beamPid: beam,
      brokerSettleMs: statisticsMs + BROKER_SETTLE_MARGIN_MS,
    };
    console.log(idleLine(await idleCpuMsPerSecond(context, IDLE_MS), IDLE_MS));
    const levels: LevelResult[] = [];
    for (const n of INTERVIEWS) {
      const level = await runLevel(context, n);
      levels.push(level);
      console.log('');
      console.log(levelTable(level, SECONDS, WARMUP_SECONDS));
    }
    console.log('');
    console.log(summary(levels, WARMUP_SECONDS));
  } catch (error) {
    failed = true;
    console.error(`the services' logs are in ${mesh.logDir}`);
    throw error;
  } finally {
    await database.close();
    await mesh.stop(failed);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
