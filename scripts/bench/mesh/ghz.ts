import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../../src/platform/paths';
import { tlsFiles } from '../../../src/platform/tls/certificate-files';
import { TEST_TLS_DIR } from '../../../test/support/tls';
import { run, runScript } from '../../../test/support/tools';
import { reapedChildrenCpuMs } from './cpu';
import { Percentiles, percentiles } from './stats';

/** ghz, pinned: scripts/infra/ensure-ghz.sh builds it into .cache/tools/bin when missing. */
export function ensureGhz(): string {
  return runScript('scripts/infra/ensure-ghz.sh', [], { timeoutMs: 900_000 });
}

/** The module version ghz was built from (`go version -m`: its own --version says `dev` when built with go install). */
export async function ghzVersion(ghz: string): Promise<string> {
  const { stdout } = await run('go', ['version', '-m', ghz]).catch(() => ({ stdout: '' }));
  return /\bmod\s+github\.com\/bojand\/ghz\s+(\S+)/.exec(stdout)?.[1] ?? 'unknown';
}

/** One interview's frames: its id and its candidate's access token. */
export interface FrameSender {
  readonly interviewId: string;
  readonly accessToken: string;
}

/** What one ghz run did, from its JSON report. */
export interface GhzResult {
  /** Calls it made. */
  readonly calls: number;
  /** From the first call's start to the last call's answer, seconds (from the report's details: each call's end and latency). */
  readonly spanSeconds: number;
  /** Calls by status code name (OK, ResourceExhausted, Unavailable, DeadlineExceeded, ...). */
  readonly statuses: Readonly<Record<string, number>>;
  /** The calls' error messages and how many had each. */
  readonly errors: Readonly<Record<string, number>>;
  /** SendFrame's latency of the calls answered OK, milliseconds: all (ghz's latency distribution), and those begun after the warm-up (its details). */
  readonly latencyMs: Percentiles;
  readonly steadyLatencyMs: Percentiles;
  /** Calls answered OK begun after the warm-up. */
  readonly steadyCalls: number;
  /** ghz's CPU time, all its threads, milliseconds. */
  readonly cpuMs: number;
}

interface GhzReport {
  count: number;
  statusCodeDistribution?: Record<string, number>;
  errorDistribution?: Record<string, number>;
  latencyDistribution?: { percentage: number; latency: number }[] | null;
  /** Every call: when it ended (RFC 3339), its latency (nanoseconds) and its status code's name. */
  details?: { timestamp: string; latency: number; status: string }[] | null;
}

/**
 * ghz's call data, a JSON array with one SendFrameRequest per interview: ghz takes request k's
 * message from element k mod N (runner/data.go: an array's elements are used in turn, by the
 * request number), and, with no template action in it, parses each once and caches it. The
 * image's bytes are base64 (proto3 JSON); timestamp_ms is left 0, so that the interview service
 * stamps each frame's capture time as it takes it.
 */
function callData(senders: readonly FrameSender[], jpeg: Buffer): string {
  const image = jpeg.toString('base64');
  return JSON.stringify(senders.map((s) => ({ interview_id: s.interviewId, image_data: image, format: 'jpeg' })));
}

/**
 * ghz's call metadata: the bearer token of request k's interview, chosen by the same k mod N.
 * Metadata is one JSON object, not an array, so the token is picked by a template action, executed
 * per request with the request's number (the call template data's RequestNumber, the same for the
 * call's data and metadata: runner/worker.go) and sprig's functions (splitList, mod) that ghz's
 * templates have besides Go's own (index). A JWT holds no space.
 */
function callMetadata(senders: readonly FrameSender[]): string {
  const tokens = senders.map((s) => s.accessToken).join(' ');
  // Go's raw strings (back quotes) in the action: ghz executes the template on the file's text, before
  // it parses the JSON, so a JSON-escaped double quote would reach the template as \".
  return JSON.stringify({ authorization: `Bearer {{index (splitList \` \` \`${tokens}\`) (mod .RequestNumber ${senders.length})}}` });
}

/** Resolves with the exit code of `ghz` run with `args`, its stderr shown on failure. */
function runGhz(ghz: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(ghz, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) console.error(`ghz exited with code ${code}: ${stderr.trim().slice(0, 2_000)}`);
      resolve(code ?? 1);
    });
  });
}

/**
 * SendFrame at `rps` requests a second (ghz's constant schedule), `rps` x `seconds` calls in all
 * (--total: with --duration, ghz would count its connections' set-up in the sending time and send
 * fewer; its --max-duration turns into --duration, --total ignored), spread over `senders`, as
 * their candidates (a bearer token each): request k goes to interview k mod N, so each interview
 * gets one frame every N / rps seconds. Open loop (--async: a call is sent on time whether or not
 * earlier ones have been answered), one connection per interview (--connections N,
 * --concurrency N: as many browsers), TLS trusting the mesh's CA alone (as an end user: README
 * "Debugging with grpcurl"), the interview service's certificate checked for `localhost` (it names
 * localhost, 127.0.0.1 and ::1). Each call waits for its answer at most ghz's default timeout, 20 s,
 * so the run ends at most 20 s after its last call. The proto from proto/ (interview.proto imports
 * emotion.proto). `warmupSeconds`: see fromReport.
 */
export async function sendFrames(
  ghz: string,
  address: string,
  senders: readonly FrameSender[],
  jpeg: Buffer,
  { rps, seconds, warmupSeconds }: { rps: number; seconds: number; warmupSeconds: number },
): Promise<GhzResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mesh-ghz-'));
  try {
    const files = { data: path.join(dir, 'data.json'), metadata: path.join(dir, 'metadata.json'), report: path.join(dir, 'report.json') };
    fs.writeFileSync(files.data, callData(senders, jpeg));
    fs.writeFileSync(files.metadata, callMetadata(senders));
    // ghz is this process's child: once it has exited and been waited for, its CPU time is in ours (cutime, cstime).
    const cpuBefore = reapedChildrenCpuMs();
    const code = await runGhz(ghz, [
      ...['--proto', 'proto/interview.proto', '--import-paths', 'proto', '--call', 'interview.v1.InterviewService/SendFrame'],
      ...['--cacert', tlsFiles(TEST_TLS_DIR).caCertificate, '--cname', 'localhost'],
      ...['--rps', String(rps), '--total', String(Math.round(rps * seconds)), '--async'],
      ...['--concurrency', String(senders.length), '--connections', String(senders.length)],
      ...['--data-file', files.data, '--metadata-file', files.metadata, '--format', 'json', '--output', files.report],
      address,
    ]);
    const cpuMs = reapedChildrenCpuMs() - cpuBefore;
    if (!fs.existsSync(files.report)) throw new Error(`ghz (exit code ${code}) wrote no report`);
    return fromReport(JSON.parse(fs.readFileSync(files.report, 'utf8')) as GhzReport, cpuMs, warmupSeconds);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * ghz's JSON report read: durations are nanoseconds, its latency distribution counts OK calls only
 * (no --count-errors). The steady figures leave out the calls begun in the first `warmupSeconds`
 * after the first call.
 */
function fromReport(report: GhzReport, cpuMs: number, warmupSeconds: number): GhzResult {
  const latency = (percentage: number) => (report.latencyDistribution?.find((d) => d.percentage === percentage)?.latency ?? NaN) / 1e6;
  const calls = (report.details ?? []).map((d) => {
    const end = Date.parse(d.timestamp);
    return { begin: end - d.latency / 1e6, end, latencyMs: d.latency / 1e6, ok: d.status === 'OK' };
  });
  const first = Math.min(...calls.map((c) => c.begin));
  const steady = calls.filter((c) => c.ok && c.begin >= first + warmupSeconds * 1_000);
  return {
    calls: report.count,
    spanSeconds: calls.length ? (Math.max(...calls.map((c) => c.end)) - first) / 1_000 : NaN,
    statuses: report.statusCodeDistribution ?? {},
    errors: report.errorDistribution ?? {},
    latencyMs: { p50: latency(50), p99: latency(99) },
    steadyLatencyMs: percentiles(steady.map((c) => c.latencyMs)),
    steadyCalls: steady.length,
    cpuMs,
  };
}
