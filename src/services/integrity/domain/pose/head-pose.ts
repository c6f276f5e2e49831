import { CANONICAL_FACE_VERTICES } from './canonical-face-model';
import { fitSimilarity } from './similarity-fit';

/** Landmarks of MediaPipe's face mesh, the input of estimateHeadPose. */
export const FACE_MESH_LANDMARKS = 468;

/**
 * Where a head points, relative to the camera, in degrees (Tait-Bryan angles of the head's rotation
 * R = Ry(yaw') · Rx(pitch') · Rz(roll) in the camera's axes x right, y down, z into the scene, with
 * yaw = -yaw' and pitch = -pitch' so that the signs read naturally):
 * - yaw: positive when the nose turns towards the image's right (the candidate's own left), -180..180;
 * - pitch: positive when the face tilts up, -90..90;
 * - roll: positive when the head tilts clockwise as seen in the image, -180..180.
 * All three are 0 for a face looking straight into the camera, upright.
 */
export interface HeadPose {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
  /** Row-major 3x3 rotation from the canonical face (in camera axes) to the observed one. */
  readonly rotation: Float64Array;
  /** Observed units (frame pixels) per centimetre of the canonical face. */
  readonly scale: number;
  /** Where the canonical face's origin lands: landmark ≈ scale * rotation * canonical (camera axes) + translation, pixels. */
  readonly translation: readonly [number, number, number];
  /**
   * Root-mean-square distance, in centimetres of the canonical face, between the landmarks and the
   * fitted canonical face: how far the face departs from a rigid canonical one (expression, a wrong
   * mesh). 0.63 cm on the astronaut fixture (a broad smile): see the unit test.
   */
  readonly rmsResidual: number;
}

const DEG = 180 / Math.PI;

/**
 * The canonical face in the camera's axes: its +y (up) and +z (towards the viewer) flipped to the
 * image's y (down) and the mesh's z (away from the camera: MediaPipe's z is smaller nearer the
 * camera); a rotation by 180° about x, so no reflection.
 */
const CANONICAL_IN_CAMERA_AXES: Float64Array = CANONICAL_FACE_VERTICES.map((v, i) => (i % 3 === 0 ? v : -v));

/**
 * Head pose by a rigid fit of MediaPipe's canonical face model (468 vertices, centimetres) to a face
 * mesh's 468 landmarks: the least-squares similarity transform (Umeyama; rotation by Horn's
 * quaternion method), as MediaPipe's face geometry pipeline estimates its face pose matrix with a
 * Procrustes fit of the same model (mediapipe/modules/face_geometry/libs/procrustes_solver.cc). The
 * mesh's landmarks are a weak-perspective view of the face (x, y in pixels, z depth in about the same
 * scale), so the fit is made in 3D. Every landmark weighs the same: MediaPipe's weights (which favour
 * the rigid forehead, nose and cheekbones) are not published in a registry package, and an iteratively
 * reweighted (Cauchy) fit moved the fixtures' angles by under 0.2° while lowering the residual only
 * from 0.63 to 0.53 cm, so the plain fit is kept. The mesh's z is used at the scale it comes in:
 * scaling it by 0.5..2 raised the residual on the fixtures, 1 being the minimum.
 * @param landmarks [468 * 3]: x, y in frame pixels, z relative depth in the same scale (the mesh's
 *   output, FaceMesh.points in the emotion service).
 * @throws RangeError when `landmarks` is not 1404 finite numbers.
 */
export function estimateHeadPose(landmarks: ArrayLike<number>): HeadPose {
  if (landmarks.length !== FACE_MESH_LANDMARKS * 3)
    throw new RangeError(`expected ${FACE_MESH_LANDMARKS * 3} landmark coordinates (468 x, y, z), got ${landmarks.length}`);
  const fit = fitSimilarity(CANONICAL_IN_CAMERA_AXES, landmarks);
  const { yaw, pitch, roll } = anglesOf(fit.rotation);
  return { yaw, pitch, roll, rotation: fit.rotation, scale: fit.scale, translation: fit.translation, rmsResidual: fit.rmsResidual };
}

/** Yaw, pitch and roll in degrees of a row-major rotation matrix, as HeadPose defines them. */
export function anglesOf(r: ArrayLike<number>): { yaw: number; pitch: number; roll: number } {
  // R = Ry(a) Rx(b) Rz(c): R[1][2] = -sin b, R[0][2] / R[2][2] = tan a, R[1][0] / R[1][1] = tan c.
  const b = Math.asin(Math.max(-1, Math.min(1, -r[5])));
  const a = Math.atan2(r[2], r[8]);
  const c = Math.atan2(r[3], r[4]);
  return { yaw: -a * DEG, pitch: -b * DEG, roll: c * DEG };
}

/** The rotation matrix (row-major) of a head pose given in degrees: the inverse of anglesOf. */
export function rotationOf(yaw: number, pitch: number, roll: number): Float64Array {
  const a = -yaw / DEG;
  const b = -pitch / DEG;
  const c = roll / DEG;
  const [ca, sa, cb, sb, cc, sc] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b), Math.cos(c), Math.sin(c)];
  // Ry(a) · Rx(b) · Rz(c)
  return Float64Array.from([
    ca * cc + sa * sb * sc,
    -ca * sc + sa * sb * cc,
    sa * cb,
    cb * sc,
    cb * cc,
    -sb,
    -sa * cc + ca * sb * sc,
    sa * sc + ca * sb * cc,
    ca * cb,
  ]);
}

/** The canonical face's vertices in the camera's axes (see estimateHeadPose), centimetres [468 * 3]. */
export function canonicalFaceInCameraAxes(): Float64Array {
  return CANONICAL_IN_CAMERA_AXES.slice();
}

/**
 * Where a point given in the canonical face's own coordinates (centimetres; +y up, +z out of the
 * face) appears in the frame under `pose`: x, y in pixels, z in the same scale (the mesh's depth).
 */
export function projectCanonicalPoint(
  pose: Pick<HeadPose, 'rotation' | 'scale' | 'translation'>,
  point: readonly [number, number, number],
): [number, number, number] {
  const c = [point[0], -point[1], -point[2]];
  const r = pose.rotation;
  return [0, 1, 2].map((k) => pose.scale * (r[k * 3] * c[0] + r[k * 3 + 1] * c[1] + r[k * 3 + 2] * c[2]) + pose.translation[k]) as [number, number, number];
}
