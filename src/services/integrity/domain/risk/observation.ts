/** What the risk engine reads from one analysed frame, and its validation. */

/** Where the candidate looks (the gaze module's GazeDirection): `closed` when both eyes are. */
export type ObservedGazeDirection = 'screen' | 'left' | 'right' | 'up' | 'down' | 'closed';

/** An object the detector found, COCO label and score 0..1, box in the frame's pixels (origin top-left). */
export interface ObservedObject {
  readonly label: string;
  readonly score: number;
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

/**
 * One analysed frame's findings, as integrity.v1.FrameIntegrity gives them.
 *
 * - `timestampMs`: the frame's own capture time, milliseconds (epoch or session-relative: only
 *   differences are used). Decay and debounce durations run on this clock, never the wall clock.
 * - `frameNumber`: the frame's number in its session (a non-negative integer); with the timestamp it
 *   orders frames and recognises a replayed one.
 * - `faceCount`: faces found by the full-range detector.
 * - `gaze`, `headPose`: the most confident face's, degrees (yaw positive towards the image's right,
 *   pitch positive up); absent when no face was found or they could not be estimated. A `closed`
 *   gaze's angles are not read (the gaze module gives NaN for them).
 * - `objectsChecked`: whether the object detector ran on this frame; when false, `objects` is
 *   ignored and the object conditions keep their state.
 */
export interface Observation {
  readonly timestampMs: number;
  readonly frameNumber: number;
  readonly faceCount: number;
  readonly gaze?: { readonly direction: ObservedGazeDirection; readonly yaw: number; readonly pitch: number };
  readonly headPose?: { readonly yaw: number; readonly pitch: number; readonly roll: number };
  readonly objectsChecked: boolean;
  readonly objects: readonly ObservedObject[];
}

const GAZE_DIRECTIONS: readonly string[] = ['screen', 'left', 'right', 'up', 'down', 'closed'];

/**
 * Throws RangeError naming the first malformed field: a timestamp that is not a finite number, a
 * frame number or face count that is not a non-negative safe integer, a non-finite angle (but a
 * closed gaze's), an unknown
 * gaze direction, an object score outside 0..1 or a non-finite box.
 */
export function assertValidObservation(observation: Observation): void {
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new RangeError(`observation.${field} must be ${expected}, got ${value === undefined ? 'undefined' : JSON.stringify(value)}`);
  };
  const { timestampMs, frameNumber, faceCount, gaze, headPose, objects } = observation;
  if (typeof timestampMs !== 'number' || !Number.isFinite(timestampMs)) fail('timestampMs', timestampMs, 'a finite number of milliseconds');
  if (!Number.isSafeInteger(frameNumber) || frameNumber < 0) fail('frameNumber', frameNumber, 'a non-negative integer');
  if (!Number.isSafeInteger(faceCount) || faceCount < 0) fail('faceCount', faceCount, 'a non-negative integer');
  if (gaze !== undefined) {
    if (!GAZE_DIRECTIONS.includes(gaze.direction)) fail('gaze.direction', gaze.direction, GAZE_DIRECTIONS.join(', '));
    // Closed eyes have no angles (the gaze module gives NaN): only an open gaze's are checked.
    if (gaze.direction !== 'closed' && !Number.isFinite(gaze.yaw)) fail('gaze.yaw', gaze.yaw, 'finite degrees');
    if (gaze.direction !== 'closed' && !Number.isFinite(gaze.pitch)) fail('gaze.pitch', gaze.pitch, 'finite degrees');
  }
  if (headPose !== undefined) {
    for (const angle of ['yaw', 'pitch', 'roll'] as const) {
      if (!Number.isFinite(headPose[angle])) fail(`headPose.${angle}`, headPose[angle], 'finite degrees');
    }
  }
  if (typeof observation.objectsChecked !== 'boolean') fail('objectsChecked', observation.objectsChecked, 'a boolean');
  if (!Array.isArray(objects)) fail('objects', objects, 'an array');
  (objects as readonly Partial<ObservedObject>[]).forEach((o, i) => {
    if (typeof o.label !== 'string') fail(`objects[${i}].label`, o.label, 'a string');
    if (!(typeof o.score === 'number' && o.score >= 0 && o.score <= 1)) fail(`objects[${i}].score`, o.score, 'a number from 0 to 1');
    if (!isBox(o.box)) fail(`objects[${i}].box`, o.box, 'x, y, width and height in pixels');
  });
}

function isBox(box: unknown): boolean {
  if (typeof box !== 'object' || box === null) return false;
  const { x, y, width, height } = box as Record<string, unknown>;
  return [x, y, width, height].every((v) => typeof v === 'number' && Number.isFinite(v));
}
