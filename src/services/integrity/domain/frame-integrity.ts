import { FaceMeshModel } from '../../../platform/vision/face/face-mesh';
import { RgbImage } from '../../../platform/vision/image/decode-frame';
import { estimateGaze, Gaze } from './gaze/gaze';
import { IrisLandmarker } from './gaze/iris-landmarks';
import { Box } from './image/rgb-image';
import { DetectedObject, ObjectDetector } from './objects/object-detector';
import { FullRangeFaceDetector } from './people/full-range-face-detector';
import { estimateHeadPose, HeadPose } from './pose/head-pose';

/** The four models of a frame's integrity analysis, each behind its domain runner. */
export interface IntegrityModels {
  /** Faces near and far: MediaPipe's full-range BlazeFace (256 px). */
  readonly faces: FullRangeFaceDetector;
  /** 468 landmarks of the most confident face: MediaPipe's face mesh (platform/vision). */
  readonly mesh: FaceMeshModel;
  /** Iris landmarks on the mesh's two eye regions. */
  readonly iris: IrisLandmarker;
  /** COCO-80 objects: CenterNet (512 px), the costliest stage. */
  readonly objects: ObjectDetector;
}

/** The stages of analyzeFrameIntegrity, in the order they run (`decode` is the caller's). */
export const INTEGRITY_STAGES = ['faces', 'mesh', 'pose', 'gaze', 'objects'] as const;
export type IntegrityStage = (typeof INTEGRITY_STAGES)[number];

/** Wall-clock milliseconds each stage took on one frame (input preparation and decoding of outputs included); 0 for a stage not run. */
export type StageTimings = Readonly<Record<IntegrityStage, number>>;

/** A face in view: where, and how sure the detector is. */
export interface FaceInView {
  /** Frame pixels, origin top-left. */
  readonly box: Box;
  /** Detector probability, MIN_FULL_RANGE_SCORE (0.78)..1. */
  readonly score: number;
}

/** What one frame shows, for the integrity checks (proto integrity.v1.FrameIntegrity plus the stage timings). */
export interface FrameFindings {
  /** The frame's size, pixels. */
  readonly width: number;
  readonly height: number;
  /** Every face the full-range detector found, most confident first; empty when none. */
  readonly faces: readonly FaceInView[];
  /**
   * The most confident face's head pose, from the face mesh on that face's region; undefined when
   * there is no face or the mesh does not confirm one there (face flag under MIN_MESH_FACE_FLAG).
   */
  readonly headPose?: HeadPose;
  /** The same face's gaze (iris model on the mesh's eye regions, with the head pose); undefined exactly when headPose is. */
  readonly gaze?: Gaze;
  /** Whether the object detector ran on this frame. */
  readonly objectsChecked: boolean;
  /** COCO objects above the detector's threshold, most confident first (persons included); empty when not checked. */
  readonly objects: readonly DetectedObject[];
  readonly timings: StageTimings;
}

/**
 * Mesh face flag below which the mesh does not confirm the detector's face, and no pose or gaze is
 * read off its landmarks (which then describe no face): MediaPipe's face landmark presence
 * threshold (min_tracking_confidence default, 0.5), as the emotion service uses it.
 */
export const MIN_MESH_FACE_FLAG = 0.5;

/**
 * One frame's integrity findings: the full-range detector's faces; on the most confident one the
 * face mesh (its box squared and enlarged 1.5 times, FaceMeshModel.regionFor, as the emotion
 * service crops its detector's box), the head pose from the mesh (estimateHeadPose), the iris
 * model on the mesh's eye regions and the gaze from both (estimateGaze); and, when
 * `options.objects`, CenterNet's COCO objects. Stages run one after another (ONNX Runtime runs a
 * session on the calling thread); each one's wall-clock time is returned.
 * @param image a decoded frame (decodeFrame: RGB, 8 bits a channel).
 * @throws RangeError when `image` is not a well-formed RGB image; Error when a model's outputs are
 *   not the shapes its runner expects.
 */
export async function analyzeFrameIntegrity(models: IntegrityModels, image: RgbImage, options: { readonly objects: boolean }): Promise<FrameFindings> {
  const timings: Record<IntegrityStage, number> = { faces: 0, mesh: 0, pose: 0, gaze: 0, objects: 0 };
  const timed = async <T>(stage: IntegrityStage, run: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await run();
    } finally {
      timings[stage] = performance.now() - start;
    }
  };

  const detected = await timed('faces', () => models.faces.detect(image));
  const faces = detected.map(({ box, score }) => ({ box, score }));
  let headPose: HeadPose | undefined;
  let gaze: Gaze | undefined;
  if (detected.length > 0) {
    const [mesh] = await timed('mesh', () => models.mesh.run([{ image, face: { box: detected[0].box, score: detected[0].score, keypoints: [] } }]));
    if (mesh.faceFlag >= MIN_MESH_FACE_FLAG) {
      const pose = await timed('pose', () => estimateHeadPose(mesh.points));
      headPose = pose;
      gaze = await timed('gaze', async () => estimateGaze(pose, mesh.points, await models.iris.run(image, mesh.points)));
    }
  }
  const objects = options.objects ? await timed('objects', () => models.objects.detect(image)) : [];
  return { width: image.width, height: image.height, faces, headPose, gaze, objectsChecked: options.objects, objects, timings };
}
