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
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/platform/paths';
import { run, runScript } from '../../test/support/tools';

/** Prints the venv's python as its last line on stdout (making the venv first when needed: minutes, its progress on stderr). */
const ENSURE_VENV = 'scripts/bench/mediapipe/ensure-venv.sh';
/** ensure-venv.sh's time limit: pip installs about 1 GB from PyPI on first use. */
const ENSURE_VENV_TIMEOUT_MS = 30 * 60_000;
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
  /** Timed calls (the warm-up's not counted). */
  calls: number;
  /** `decode_ms`: the JPEG bytes to RGB pixels (`cv2.imdecode`, then `cv2.cvtColor` BGR->RGB). */
  decodeMs: AnchorQuantiles;
  /** `face_mesh_ms`: `FaceMesh.process` on the pixels (detection when it runs, the 468-point mesh, the landmarks out). */
  faceMeshMs: AnchorQuantiles;
}

export interface MediaPipeAnchorOptions {
  /** Timed calls, at least 1. */
  calls: number;
  /** Untimed calls before them, 0 or more (anchor.py makes at least one: the first must find the face). */
  warmup: number;
  /** The CPU core to pin the process to; anchor.py's default is the highest one this process may run on. */
  cpu?: number;
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

/**
 * anchor.py's stdout, checked: one JSON object with every field of the right type, for the calls
 * asked, every timed call having found the face (an anchor measured on frames without a face is no
 * anchor).
 */
function parseAnchor(stdout: string, options: MediaPipeAnchorOptions): MediaPipeAnchor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`anchor.py's stdout is not one JSON object:\n${stdout}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`anchor.py's stdout is not a JSON object:\n${stdout}`);
  const json = parsed as Record<string, unknown>;
  const { mediapipe, opencv, cpu, calls } = json;
  const fraction = json.faces_found_fraction;
  const problems = [
    typeof mediapipe === 'string' ? '' : 'mediapipe is not a string',
    typeof opencv === 'string' ? '' : 'opencv is not a string',
    isCount(cpu, 0) && (options.cpu === undefined || cpu === options.cpu) ? '' : `cpu is not ${String(options.cpu ?? 'a CPU number')}`,
    calls === options.calls ? '' : `calls is not ${options.calls}`,
    typeof fraction === 'number' && fraction >= 0 && fraction <= 1 ? '' : 'faces_found_fraction is not between 0 and 1',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`anchor.py's JSON object is not as expected (${problems.join('; ')}):\n${stdout}`);
  if (fraction !== 1) {
    const missed = Math.round((1 - (fraction as number)) * options.calls);
    throw new Error(
      `MediaPipe FaceMesh lost the face on ${missed} of its ${options.calls} timed calls (faces_found_fraction ${String(fraction)}): ` +
        `an anchor measured on frames without a face is no anchor (a call that finds no face skips the mesh)\n${stdout}`,
    );
  }
  return {
    mediapipe: mediapipe as string,
    opencv: opencv as string,
    cpu: cpu as number,
    calls: calls as number,
    decodeMs: quantiles(json, 'decode_ms'),
    faceMeshMs: quantiles(json, 'face_mesh_ms'),
  };
}

/**
 * Times MediaPipe 0.10.21's legacy FaceMesh (and OpenCV's JPEG decode) on `jpeg`, a JPEG frame's
 * bytes (for the benchmark, 640x480 with one face), `options.calls` times after `options.warmup`
 * untimed calls, on one CPU core. Makes .cache/mediapipe-venv first when it is missing or its
 * requirements changed (its progress shown on stderr, lines prefixed `[mediapipe]`).
 * @returns the figures, in milliseconds per frame.
 * @throws Error when ensure-venv.sh cannot make the venv (its stderr shown as it runs), when
 * anchor.py fails (no face found on the frame, a frame that does not decode: the Error holds its
 * stdout and stderr) or prints something other than its JSON object, or when FaceMesh lost the
 * face on a timed call; RangeError when the options are not whole numbers in range.
 */
export async function runMediaPipeAnchor(jpeg: Buffer, options: MediaPipeAnchorOptions): Promise<MediaPipeAnchor> {
  if (!isCount(options.calls, 1) || !isCount(options.warmup, 0) || (options.cpu !== undefined && !isCount(options.cpu, 0))) {
    throw new RangeError(`runMediaPipeAnchor: calls must be an integer >= 1, warmup >= 0, cpu >= 0: ${JSON.stringify(options)}`);
  }
  const python = runScript(ENSURE_VENV, [], { timeoutMs: ENSURE_VENV_TIMEOUT_MS });
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'mediapipe-anchor-'));
  try {
    const frame = path.join(directory, 'frame.jpg');
    await fs.writeFile(frame, jpeg);
    const args = [ANCHOR, '--frame', frame, '--calls', String(options.calls), '--warmup', String(options.warmup)];
    if (options.cpu !== undefined) args.push('--cpu', String(options.cpu));
    const { stdout } = await run(python, args, { cwd: REPO_ROOT });
    return parseAnchor(stdout.trim(), options);
  } finally {
    await fs.rm(directory, { recursive: true, force: true });
  }
}
