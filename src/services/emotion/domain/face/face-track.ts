import { FaceDetection, Keypoint } from '../../../../platform/vision/face/face-detection';
import { FaceMesh } from '../../../../platform/vision/face/face-mesh';
import { MESH_LANDMARK_COUNT } from '../../../../platform/vision/face/mesh-topology';

/**
 * Tracking a session's face from frame to frame as MediaPipe's face mesh solution does (MediaPipe
 * Face Mesh, ML pipeline: later frames are cropped from the previous frame's landmarks and the
 * detector runs only when the landmark model no longer finds a face; graph face_landmark_front_cpu;
 * model: Kartynnik et al. 2019, arXiv:1907.06724): the detector runs on a session's first frame;
 * on the next frames the mesh runs on the region the previous frame's landmarks give, and the
 * detector runs again, on the same frame (MediaPipe waits for the next one), when the mesh's face
 * flag falls below MIN_TRACKING_FACE_FLAG, or after REDETECT_AFTER_FRAMES tracked frames.
 * Only where the mesh looks is carried over: every frame's landmarks, eyes and emotion come from
 * that frame's own pixels.
 */

/**
 * Face flag below which a tracked face counts as lost and the detector runs again; MediaPipe's
 * min_tracking_confidence default, 0.5.
 */
export const MIN_TRACKING_FACE_FLAG = 0.5;
/**
 * Tracked frames after which the detector runs anyway (MediaPipe has no such bound; it keeps a
 * region from drifting onto part of a face for long): 10 frames is 5 s of an interview at 2 frames/s.
 */
export const REDETECT_AFTER_FRAMES = 10;

type Box = FaceDetection['box'];

/**
 * The detector's box relative to the landmarks' bounding box, measured on the latest detection:
 * centre offset as a fraction of the landmarks' box size, and size ratio. Tracked frames map their
 * landmarks through it, so their face box keeps the detector's convention (the emotion crop and
 * the reported box do not jump between detected and tracked frames).
 */
export interface BoxFit {
  readonly dx: number;
  readonly dy: number;
  readonly sx: number;
  readonly sy: number;
}

/** What a session's next frame needs to skip detection. */
export interface FaceTrack {
  /** The face's box on the latest frame, in the detector's convention, frame pixels. */
  readonly box: Box;
  /** Size of the frames the track was made on, pixels: a frame of another size is another scene. */
  readonly frameSize: { readonly width: number; readonly height: number };
  readonly fit: BoxFit;
  /** Frames tracked since the latest detection. */
  readonly framesSinceDetection: number;
}

/**
 * Whether `track` may stand in for the detector on `frame`: a recent track, made on frames of the
 * same size (a camera's stream keeps its size; a new size means the region says nothing of it).
 */
export function canTrack(track: FaceTrack | undefined, frame: { width: number; height: number }): track is FaceTrack {
  return (
    track !== undefined &&
    track.framesSinceDetection < REDETECT_AFTER_FRAMES &&
    track.frameSize.width === frame.width &&
    track.frameSize.height === frame.height
  );
}

/** The track a detected face starts: its box, and how it sits on its landmarks. */
export function trackFromDetection(face: FaceDetection, mesh: FaceMesh, frame: { width: number; height: number }): FaceTrack {
  const l = landmarkBox(mesh);
  const fit = {
    dx: (face.box.x + face.box.width / 2 - (l.x + l.width / 2)) / l.width,
    dy: (face.box.y + face.box.height / 2 - (l.y + l.height / 2)) / l.height,
    sx: face.box.width / l.width,
    sy: face.box.height / l.height,
  };
  return { box: face.box, frameSize: { width: frame.width, height: frame.height }, fit, framesSinceDetection: 0 };
}

/**
 * The face a tracked frame shows: the box `previous.fit` gives around `mesh`'s landmarks, the
 * mesh's face flag as its confidence, BlazeFace's six keypoints read off the mesh; and the track
 * for the frame after it.
 */
export function followTrack(previous: FaceTrack, mesh: FaceMesh): { face: FaceDetection; track: FaceTrack } {
  const l = landmarkBox(mesh);
  const { fit } = previous;
  const width = l.width * fit.sx;
  const height = l.height * fit.sy;
  const box = { x: l.x + l.width / 2 + fit.dx * l.width - width / 2, y: l.y + l.height / 2 + fit.dy * l.height - height / 2, width, height };
  const face = { box, score: mesh.faceFlag, keypoints: keypointsFromMesh(mesh) };
  return { face, track: { box, frameSize: previous.frameSize, fit, framesSinceDetection: previous.framesSinceDetection + 1 } };
}

/** The 468 landmarks' bounding box (x, y), frame pixels. */
function landmarkBox(mesh: FaceMesh): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < MESH_LANDMARK_COUNT; i++) {
    const x = mesh.points[i * 3];
    const y = mesh.points[i * 3 + 1];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { x: minX, y: minY, width: Math.max(1, maxX - minX), height: Math.max(1, maxY - minY) };
}

/**
 * BlazeFace's keypoints from the canonical mesh's vertices: eye centres (corners 33/133 and
 * 362/263), nose tip 1, mouth centre (lips 13/14), ear tragions 234 and 454.
 */
function keypointsFromMesh(mesh: FaceMesh): Keypoint[] {
  const p = mesh.points;
  const at = (...indices: number[]) => ({
    x: indices.reduce((s, i) => s + p[i * 3], 0) / indices.length,
    y: indices.reduce((s, i) => s + p[i * 3 + 1], 0) / indices.length,
  });
  return [
    { name: 'right_eye', ...at(33, 133) },
    { name: 'left_eye', ...at(362, 263) },
    { name: 'nose_tip', ...at(1) },
    { name: 'mouth_center', ...at(13, 14) },
    { name: 'right_ear_tragion', ...at(234) },
    { name: 'left_ear_tragion', ...at(454) },
  ];
}
