/**
 * The MediaPipe anchor of `npm run bench:emotion`: MediaPipe's own face pipeline timed on the same
 * JPEG frame the emotion service analyses, so that the benchmark can print its figures as ratios to
 * MediaPipe's. The pipeline is MediaPipe 0.10.21 from PyPI, its legacy FaceMesh solution
 * (`mediapipe.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1,
 * refine_landmarks=False)`: TFLite with XNNPACK on the CPU, the face detected once then tracked, 468
 * landmarks of one face), the JPEG decoded by OpenCV's `cv2.imdecode` and converted BGR->RGB, the
 * whole process pinned to one CPU core (scripts/bench/mediapipe/anchor.py says how, and what
 * MediaPipe offers for threads). It runs in .cache/mediapipe-venv, a Python 3.11 venv of the pinned
 * packages of scripts/bench/mediapipe/requirements.txt that scripts/bench/mediapipe/ensure-venv.sh
 * makes on first use (minutes; nothing but PyPI is downloaded: the models ship in mediapipe's wheel).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/platform/paths';

const ENSURE_VENV = path.join(REPO_ROOT, 'scripts/bench/mediapipe/ensure-venv.sh');
const ANCHOR = path.join(REPO_ROOT, 'scripts/bench/mediapipe/anchor.py');

/** Two quantiles of a duration over the timed calls, in milliseconds: the sample at index floor(q * n) of the n sorted (as emotion.ts's `stats`). */
export interface AnchorQuantiles {
  median: number;
  p99: number;
}

/** anchor.py's JSON object (its snake_case keys in camelCase); durations in milliseconds, per call (one frame). */
export interface MediaPipeAnchor {
  /** The mediapipe package's version: "0.10.21". */
  mediapipe: string;
  /** The opencv-python-headless package's version, e.g. "4.11.0.86". */
  opencv: string;
  /** The CPU core the process was pinned to. */
  cpu: number;
  /** The process's threads during the timed calls, every one pinned to `cpu`. */
  threads: number;
  /** Timed calls (the warm-up's not counted). */
  calls: number;
  /** `decode_ms`: the JPEG bytes to RGB pixels (`cv2.imdecode`, then `cv2.cvtColor` BGR->RGB). */
  decodeMs: AnchorQuantiles;
  /** `face_mesh_ms`: `FaceMesh.process` on the pixels (detection when it runs, the 468-point mesh, the landmarks out). */
  faceMeshMs: AnchorQuantiles;
  /** `total_ms`: both, timed as one span per call (not the sum of the quantiles above). */
  totalMs: AnchorQuantiles;
  /** Landmarks of the face found on the last call: 468 (0 had the face been lost). */
  landmarks: number;
  /** `faces_found_fraction`: the share of the timed calls that found a face, from 0 to 1. */
  facesFoundFraction: number;
}

export interface MediaPipeAnchorOptions {
  /** Timed calls, at least 1. */
  calls: number;
  /** Untimed calls before them, 0 or more (anchor.py makes at least one: the first must find the face). */
  warmup: number;
  /** The CPU core to pin the process to; anchor.py's default is the highest one this process may run on. */
  cpu?: number;
}

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` (no shell), collecting its stdout, and its stderr unless `showStderr` passes it through to ours. */
async function run(command: string, args: readonly string[], showStderr: boolean): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', showStderr ? 'inherit' : 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}

function failure(what: string, exited: Exited): Error {
  const how = exited.signal ? `killed by ${exited.signal}` : `exit code ${String(exited.code)}`;
  return new Error(`${what} failed (${how})\n--- stderr ---\n${exited.stderr.trim()}\n--- stdout ---\n${exited.stdout.trim()}`);
}

function isCount(value: unknown, minimum: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= minimum;
}

function quantiles(json: Record<string, unknown>, key: string): AnchorQuantiles {
  const value = json[key];
  if (typeof value === 'object' && value !== null) {
    const { median, p99 } = value as Record<string, unknown>;
    if (typeof median === 'number' && typeof p99 === 'number' && median > 0 && p99 >= median) return { median, p99 };
  }
  throw new Error(`anchor.py's ${key} is not {"median": ms, "p99": ms} with 0 < median <= p99: ${JSON.stringify(value)}`);
}

/** anchor.py's stdout, checked: one JSON object with every field of the right type, for the calls asked. */
function parseAnchor(stdout: string, options: MediaPipeAnchorOptions): MediaPipeAnchor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`anchor.py's stdout is not one JSON object:\n${stdout}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`anchor.py's stdout is not a JSON object:\n${stdout}`);
  const json = parsed as Record<string, unknown>;
  const { mediapipe, opencv, cpu, threads, calls, landmarks } = json;
  const fraction = json.faces_found_fraction;
  const problems = [
    typeof mediapipe === 'string' ? '' : 'mediapipe is not a string',
    typeof opencv === 'string' ? '' : 'opencv is not a string',
    isCount(cpu, 0) && (options.cpu === undefined || cpu === options.cpu) ? '' : `cpu is not ${String(options.cpu ?? 'a CPU number')}`,
    isCount(threads, 1) ? '' : 'threads is not a positive integer',
    calls === options.calls ? '' : `calls is not ${options.calls}`,
    isCount(landmarks, 0) ? '' : 'landmarks is not a count',
    typeof fraction === 'number' && fraction >= 0 && fraction <= 1 ? '' : 'faces_found_fraction is not between 0 and 1',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`anchor.py's JSON object is not as expected (${problems.join('; ')}):\n${stdout}`);
  return {
    mediapipe: mediapipe as string,
    opencv: opencv as string,
    cpu: cpu as number,
    threads: threads as number,
    calls: calls as number,
    decodeMs: quantiles(json, 'decode_ms'),
    faceMeshMs: quantiles(json, 'face_mesh_ms'),
    totalMs: quantiles(json, 'total_ms'),
    landmarks: landmarks as number,
    facesFoundFraction: fraction as number,
  };
}

/**
 * Times MediaPipe 0.10.21's legacy FaceMesh (and OpenCV's JPEG decode) on `jpeg`, a JPEG frame's
 * bytes (for the benchmark, 640x480 with one face), `options.calls` times after `options.warmup`
 * untimed calls, on one CPU core. Makes .cache/mediapipe-venv first when it is missing or its
 * requirements changed (its progress shown on stderr, lines prefixed `[mediapipe]`).
 * @returns the figures, in milliseconds per frame.
 * @throws Error with the script's stderr when the venv cannot be made, anchor.py fails (no face
 * found on the frame, a frame that does not decode) or prints something other than its JSON object;
 * RangeError when the options are not whole numbers in range.
 */
export async function runMediaPipeAnchor(jpeg: Buffer, options: MediaPipeAnchorOptions): Promise<MediaPipeAnchor> {
  if (!isCount(options.calls, 1) || !isCount(options.warmup, 0) || (options.cpu !== undefined && !isCount(options.cpu, 0))) {
    throw new RangeError(`runMediaPipeAnchor: calls must be an integer >= 1, warmup >= 0, cpu >= 0: ${JSON.stringify(options)}`);
  }
  const ensured = await run('bash', [ENSURE_VENV], true);
  if (ensured.code !== 0) throw failure('scripts/bench/mediapipe/ensure-venv.sh', ensured);
  const python = ensured.stdout.trim().split('\n').at(-1) ?? '';
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'mediapipe-anchor-'));
  try {
    const frame = path.join(directory, 'frame.jpg');
    await fs.writeFile(frame, jpeg);
    const args = [ANCHOR, '--frame', frame, '--calls', String(options.calls), '--warmup', String(options.warmup)];
    if (options.cpu !== undefined) args.push('--cpu', String(options.cpu));
    const exited = await run(python, args, false);
    if (exited.code !== 0) throw failure(`anchor.py ${args.slice(1).join(' ')}`, exited);
    return parseAnchor(exited.stdout.trim(), options);
  } finally {
    await fs.rm(directory, { recursive: true, force: true });
  }
}
