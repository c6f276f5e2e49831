/**
 * `npm run bench:gateway`: the latency the gateway adds to a frame. Not a test: figures only (the
 * machine is shared: say what else ran, and run it more than once).
 *
 * The mesh runs as bench:mesh starts it (mesh/services.ts: each service in a process of its own on
 * the integration tests' PostgreSQL and RabbitMQ, TLS everywhere with the tests' CA, the per-address
 * limits raised since every caller is 127.0.0.1), plus the gateway in a process of its own, HTTPS
 * on a free port, the API only. One candidate signs up and starts --interviews interviews (over
 * gRPC, as bench:mesh's do). Then, in interleaved rounds, the same frame (bench-frame.ts: the
 * fixture test/fixtures/faces/astronaut.png as a 640x480 JPEG, quality 85) goes
 *
 * - (a) as seed 003's `POST /api/v1/interviews/:id/frames` to the gateway: JSON with the image in
 *   base64, the candidate's bearer token, HTTPS over keep-alive connections (node's https.Agent);
 *   the gateway verifies the token, decodes the image and calls SendFrame on the interview service
 *   over mTLS with the same token (gateway/paths.ts restPath);
 * - (b) the anchor, SendFrame straight to the interview service: the project's generated gRPC
 *   client, TLS trusting the mesh's CA as a person's program does (the port is public), the same
 *   token and bytes (gateway/paths.ts grpcPath);
 *
 * each round both, the first of the two alternating, on --concurrency senders at once. Both paths
 * do the whole of SendFrame's work: the interview service records the frame and has it analysed by
 * the emotion service before it answers, so the difference is the gateway's own hop (TLS and HTTP/1.1
 * in, JSON and base64, the token's check, its gRPC call out). Each interview takes at most one frame
 * every PACING_MS (5 a second, half the interview service's LIMIT_FRAMES_PER_INTERVIEW_PER_SECOND,
 * counted in fixed 1 s windows), the frames spread over the interviews (gateway/pacer.ts), so no
 * limit refuses one; the emotion service's load shedding (a frame answered `queued`, analysed later
 * from the broker, quicker than one analysed at once) is counted, as are the frames whose analysis
 * found the face.
 *
 * Prints per path, over the rounds after the warm-up, the frames answered OK (n) and their median,
 * p90 and p99 (milliseconds, from the request's start to its whole answer read), the frames queued
 * and with a face, and every other answer by status (HTTP status and google.rpc code, gRPC code, or
 * the socket's error); then the gateway's added latency (gateway − direct) at the median, p90 and
 * p99, the median of the rounds' own differences, the ratios; and the gateway process's CPU time
 * per REST frame (all its threads, /proc, over the measured rounds).
 *
 * ### Examples
 * ```sh
 * npm run bench:gateway                                    # 300 frames a path, one at a time
 * npm run bench:gateway -- --frames 1000 --concurrency 4 --interviews 8
 * ```
 * Environment: as bench:mesh's (TEST_DATABASE_ADMIN_URL, TEST_AMQP_URL, TEST_RABBITMQ_MANAGEMENT_URL,
 * BENCH_SERVICE_NODE_ARGS).
 */
import { Command, InvalidArgumentError } from 'commander';
import { Difficulty } from '../../src/gen/interview';
import { BOUNDS } from '../../src/platform/contracts/bounds';
import { signUp } from '../../test/support/identity';
import { interviewClient } from '../../test/support/interview-client';
import { benchFrame } from './bench-frame';
import { InterviewPacer, BenchInterview } from './gateway/pacer';
import { grpcPath, restPath } from './gateway/paths';
import { medianRoundDifference, pathFigures, table } from './gateway/report';
import { runRounds } from './gateway/rounds';
import { machineSummary } from './machine';
import { cpuSnapshot } from './mesh/cpu';
import { ensureServers } from './mesh/infrastructure';
import { startBenchMesh } from './mesh/services';

/** The least time between two frames to one interview, milliseconds: 5 a second, half the per-interview limit's default 10. */
const PACING_MS = 200;
/** Interviews one candidate may start an hour (LIMIT_INTERVIEWS_PER_USER_PER_HOUR's default). */
const INTERVIEWS_PER_USER = 20;
/** The access token's life (AUTH_ACCESS_TOKEN_TTL_S's default, 900 s), less a margin: the rounds must end within it. */
const TOKEN_LIFE_MS = 840_000;

interface Options {
  frames: number;
  warmup: number;
  concurrency: number;
  interviews: number;
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`an integer from ${min} to ${max}`);
    return n;
  };
}

/** Refuses settings that a limit would turn into refusals or an expired token rather than figures. */
function checkOptions(o: Options): void {
  const rounds = o.frames + o.warmup;
  const perInterview = Math.ceil((2 * rounds) / o.interviews);
  if (perInterview > BOUNDS.framesPerInterview)
    throw new Error(
      `${2 * rounds} frames over ${o.interviews} interviews is ${perInterview} each; an interview takes at most ${BOUNDS.framesPerInterview}: more --interviews`,
    );
  const pacedMs = perInterview * PACING_MS;
  if (pacedMs > TOKEN_LIFE_MS)
    throw new Error(
      `at ${1000 / PACING_MS} frames a second per interview the rounds take ${Math.round(pacedMs / 1000)} s, past the token's life: more --interviews or fewer --frames`,
    );
}

/** One candidate (a fresh account) and `n` interviews of 3 questions it started. */
async function startInterviews(authAddress: string, interviewAddress: string, n: number): Promise<BenchInterview[]> {
  const { accessToken } = await signUp(authAddress, 'candidate');
  const client = interviewClient(interviewAddress, accessToken);
  try {
    const interviews: BenchInterview[] = [];
    for (let i = 0; i < n; i++) {
      const interview = await client.startInterview({ candidateId: '', categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 3 });
      interviews.push({ interviewId: interview.id, accessToken });
    }
    return interviews;
  } finally {
    client.close();
  }
}

async function main(options: Options): Promise<void> {
  checkOptions(options);
  console.log(machineSummary());
  await ensureServers();
  const jpeg = await benchFrame();
  console.log(`versions: Node ${process.version}; frame: 640x480 JPEG, ${jpeg.length} bytes (${Math.ceil(jpeg.length / 3) * 4} in base64)`);
  console.log(
    `rounds: ${options.warmup} warm-up + ${options.frames} measured, each a frame on both paths (the first alternating), ${options.concurrency} at once, over ${options.interviews} interviews of one candidate, each at most ${1000 / PACING_MS} frames/s`,
  );
  const mesh = await startBenchMesh({ gateway: true });
  let failed = false;
  try {
    const gateway = mesh.gateway;
    if (!gateway) throw new Error('the mesh started without its gateway');
    console.log(
      `mesh: ${Object.entries(mesh.pids)
        .map(([name, pid]) => `${name} pid ${pid}`)
        .join(', ')}; gateway https://127.0.0.1:${gateway.httpsPort}, interview ${mesh.addresses.interview}`,
    );
    const interviews = await startInterviews(mesh.addresses.auth, mesh.addresses.interview, options.interviews);
    const rest = restPath(gateway.httpsPort, jpeg, options.concurrency);
    const direct = grpcPath(mesh.addresses.interview, jpeg);
    try {
      const pacer = new InterviewPacer(interviews, PACING_MS);
      const gatewayPid = mesh.pids.gateway ?? NaN;
      let cpuAtMeasure = NaN;
      const step = Math.max(1, Math.round((options.warmup + options.frames) / 10));
      const rounds = await runRounds([rest, direct], pacer, {
        ...options,
        rounds: options.frames,
        progress: (done, total) => {
          if (done === options.warmup) cpuAtMeasure = cpuSnapshot({ gateway: gatewayPid }).gateway;
          if (done % step === 0 || done === total) console.log(`  ${done}/${total} rounds${done <= options.warmup ? ' (warm-up)' : ''}`);
        },
      });
      if (options.warmup === 0) cpuAtMeasure = NaN;
      const gatewayCpuMs = cpuSnapshot({ gateway: gatewayPid }).gateway - cpuAtMeasure;
      const figures = [pathFigures(rest, rounds), pathFigures(direct, rounds)] as const;
      console.log('');
      console.log(table(figures[0], figures[1], medianRoundDifference(rounds, rest, direct)));
      console.log(
        `gateway process CPU: ${Number.isFinite(gatewayCpuMs) ? (gatewayCpuMs / options.frames).toFixed(2) : '- (no warm-up to start counting from)'} ms per REST frame (all its threads, over the measured rounds)`,
      );
    } finally {
      rest.close();
      direct.close();
    }
  } catch (error) {
    failed = true;
    console.error(`the services' logs are in ${mesh.logDir}`);
    throw error;
  } finally {
    await mesh.stop(failed);
  }
}

const program = new Command('bench:gateway')
  .description("the gateway's added latency on a REST frame post against SendFrame directly")
  .option('-f, --frames <n>', 'measured rounds: frames per path', integer(1, 1_000_000), 300)
  .option('-w, --warmup <n>', 'warm-up rounds first, left out of the figures', integer(0, 100_000), 20)
  .option('-c, --concurrency <n>', 'rounds at once (each one frame at a time)', integer(1, 64), 1)
  .option(
    '-i, --interviews <n>',
    `interviews the frames are spread over (one candidate starts them: at most ${INTERVIEWS_PER_USER})`,
    integer(1, INTERVIEWS_PER_USER),
    4,
  )
  .action(async (options: Options) => main(options));

program.parseAsync().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
