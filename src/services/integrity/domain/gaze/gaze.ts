import { EAR_POINTS } from '../../../../platform/vision/face/mesh-topology';
import { CANONICAL_FACE_VERTICES } from '../pose/canonical-face-model';
import { HeadPose, projectCanonicalPoint } from '../pose/head-pose';
import { EYES, EyeLandmarks, EyeSide } from './iris-landmarks';

/** Radius of the eye's rotation about its centre, centimetres: half the adult eye's ~24 mm axial length. */
export const EYEBALL_RADIUS_CM = 1.2;
/**
 * How far the eyeball's centre lies behind the midpoint of the eye's corners, centimetres (canonical
 * face -z). The corneal apex is ~12 mm in front of the centre and the corners ~8-10 mm behind the
 * apex (medial nearer, lateral further back), so the centre sits a few millimetres behind them.
 */
export const EYEBALL_CENTRE_DEPTH_CM = 0.3;
/**
 * Beyond this head yaw (degrees) the eye turned away from the camera is foreshortened behind the
 * nose and its iris unreliable: only the nearer eye is used.
 */
export const ONE_EYE_BEYOND_YAW = 25;

/** A gaze direction in degrees: the HeadPose signs (+yaw towards the image's right, +pitch up). */
export interface GazeAngles {
  readonly yaw: number;
  readonly pitch: number;
}

/** The eyeball centre of `side` in the canonical face (centimetres): behind its corners' midpoint. */
function canonicalEyeballCentre(side: EyeSide): [number, number, number] {
  const { outer, inner } = EYES[side];
  const v = (i: number, k: number) => CANONICAL_FACE_VERTICES[i * 3 + k];
  return [(v(outer, 0) + v(inner, 0)) / 2, (v(outer, 1) + v(inner, 1)) / 2, (v(outer, 2) + v(inner, 2)) / 2 - EYEBALL_CENTRE_DEPTH_CM];
}
const EYEBALL_CENTRES: Record<EyeSide, [number, number, number]> = { right: canonicalEyeballCentre('right'), left: canonicalEyeballCentre('left') };

/**
 * One eye's gaze relative to the camera, by a model eyeball: its centre is placed in the frame by the
 * head pose's rigid fit (EYEBALL_CENTRES projected), and the iris centre found by the iris model lies
 * on a sphere of EYEBALL_RADIUS_CM around it, so the iris's offset from the projected centre, turned
 * into centimetres with the fit's scale, is the gaze vector's x and y (weak perspective; the same
 * eyeball-model geometry as OpenFace's and GazeML's model-based gaze). Relative to the camera, so the
 * head's turn is included.
 * @returns degrees; an offset longer than the radius (a bad fit) is clamped to 90°.
 */
export function eyeGaze(head: Pick<HeadPose, 'rotation' | 'scale' | 'translation'>, side: EyeSide, eye: EyeLandmarks): GazeAngles {
  const [cx, cy] = projectCanonicalPoint(head, EYEBALL_CENTRES[side]);
  const gx = (eye.irisCentre.x - cx) / head.scale / EYEBALL_RADIUS_CM;
  const gy = (eye.irisCentre.y - cy) / head.scale / EYEBALL_RADIUS_CM;
  const norm = Math.hypot(gx, gy);
  const [x, y] = norm > 1 ? [gx / norm, gy / norm] : [gx, gy];
  const z = Math.sqrt(Math.max(0, 1 - x * x - y * y));
  const deg = 180 / Math.PI;
  return { yaw: Math.atan2(x, z) * deg, pitch: -Math.asin(y) * deg };
}

/**
 * Eye aspect ratio below which an eye counts as closed and says nothing about gaze (Soukupová and
 * Čech 2016, six mesh points per eye, the mesh topology's EAR_POINTS: corners 33/133 and 362/263,
 * lid pairs 160-144, 158-153, 385-380, 387-373); the emotion service's blink threshold, measured
 * there at 0.32 open and 0.205 closed on the astronaut fixture.
 */
export const EYES_CLOSED_EAR = 0.25;

/** Eye aspect ratio of `side` from the mesh's 468 landmarks: (|p2-p6| + |p3-p5|) / (2 |p1-p4|). */
export function eyeAspectRatio(mesh: ArrayLike<number>, side: EyeSide): number {
  const [p1, p2, p3, p4, p5, p6] = EAR_POINTS[side];
  const d = (a: number, b: number) => Math.hypot(mesh[a * 3] - mesh[b * 3], mesh[a * 3 + 1] - mesh[b * 3 + 1]);
  return (d(p2, p6) + d(p3, p5)) / (2 * d(p1, p4));
}

/** Where a candidate looks, relative to the camera and the screen below it; `closed` when the eyes are. */
export type GazeDirection = 'screen' | 'left' | 'right' | 'up' | 'down' | 'closed';

/**
 * The screen as seen from the candidate's eyes, degrees of gaze from the camera axis. Defaults: a
 * 34 cm wide laptop screen (15.6") at 60 cm spans ±16° across; its 19 cm height below a camera at its
 * top edge spans 0° to -18°; a few degrees' margin allow for the estimate's error (head pose within
 * 2°, the iris centre within about a pixel: several degrees on a face 100 px wide).
 */
export interface ScreenBounds {
  readonly yawLimit: number;
  readonly pitchUp: number;
  readonly pitchDown: number;
}
export const DEFAULT_SCREEN: ScreenBounds = Object.freeze({ yawLimit: 20, pitchUp: 10, pitchDown: -25 });

/** A frame's gaze estimate. */
export interface Gaze {
  /** Gaze yaw, degrees from the camera axis; positive towards the image's right (the candidate's left). */
  readonly yaw: number;
  /** Gaze pitch, degrees; positive up. */
  readonly pitch: number;
  /** The eyes that were used and each one's gaze (one eye when the head is turned beyond ONE_EYE_BEYOND_YAW). */
  readonly eyes: Readonly<Partial<Record<EyeSide, GazeAngles>>>;
  /**
   * `screen` within the bounds; otherwise the side the gaze leaves them by, the further out of the
   * two axes: `left`/`right` are the candidate's own (their left is the image's right), `up`/`down`;
   * `closed` when the eyes used are closed (yaw and pitch are then NaN).
   */
  readonly direction: GazeDirection;
}

/**
 * Gaze relative to the camera from the head pose and both eyes' iris centres (eyeGaze), the eyes
 * averaged (only the nearer one when the head is turned beyond ONE_EYE_BEYOND_YAW: a head turned
 * towards the image's right shows its right eye), classified against `screen`; `closed` when the
 * eyes used have a mean aspect ratio under EYES_CLOSED_EAR (`mesh`: the 468 landmarks, pixels).
 * Each eye alone carries the face's departure from the canonical one: on the astronaut fixture
 * (looking into the camera) the right eye reads -14° and the left +12° of yaw, the mean -0.8°;
 * with one eye (a turned head) that bias remains, which a session's calibration is to remove.
 * @throws RangeError when `screen` has yawLimit <= 0 or pitchDown >= pitchUp.
 */
export function estimateGaze(
  head: Pick<HeadPose, 'yaw' | 'rotation' | 'scale' | 'translation'>,
  mesh: ArrayLike<number>,
  eyes: Readonly<Record<EyeSide, EyeLandmarks>>,
  screen: ScreenBounds = DEFAULT_SCREEN,
): Gaze {
  if (!(screen.yawLimit > 0) || !(screen.pitchDown < screen.pitchUp)) throw new RangeError(`bad screen bounds ${JSON.stringify(screen)}`);
  if (mesh.length !== 468 * 3) throw new RangeError(`expected 1404 mesh coordinates (468 x, y, z), got ${mesh.length}`);
  const sides: EyeSide[] = Math.abs(head.yaw) <= ONE_EYE_BEYOND_YAW ? ['right', 'left'] : [head.yaw > 0 ? 'right' : 'left'];
  const openness = sides.reduce((sum, side) => sum + eyeAspectRatio(mesh, side), 0) / sides.length;
  if (openness < EYES_CLOSED_EAR) return { yaw: Number.NaN, pitch: Number.NaN, eyes: {}, direction: 'closed' };
  const used: Partial<Record<EyeSide, GazeAngles>> = {};
  for (const side of sides) used[side] = eyeGaze(head, side, eyes[side]);
  const angles = Object.values(used);
  const yaw = angles.reduce((sum, a) => sum + a.yaw, 0) / angles.length;
  const pitch = angles.reduce((sum, a) => sum + a.pitch, 0) / angles.length;
  const outYaw = Math.abs(yaw) - screen.yawLimit;
  const outPitch = pitch > screen.pitchUp ? pitch - screen.pitchUp : screen.pitchDown - pitch;
  let direction: GazeDirection = 'screen';
  if (outYaw > 0 || outPitch > 0) {
    if (outYaw >= outPitch) direction = yaw > 0 ? 'left' : 'right';
    else direction = pitch > screen.pitchUp ? 'up' : 'down';
  }
  return { yaw, pitch, eyes: used, direction };
}
