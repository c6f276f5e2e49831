import { EyeAspectRatio, eyeAspectRatio } from './blink/eye-aspect-ratio';
import { EmotionClassifier, EmotionPrediction } from './expression/emotion-classifier';
import { FaceDetection } from '../../../platform/vision/face/face-detection';
import { FaceDetector } from '../../../platform/vision/face/face-detector';
import { FaceMesh, FaceMeshModel } from '../../../platform/vision/face/face-mesh';
import { canTrack, FaceTrack, followTrack, MIN_TRACKING_FACE_FLAG, trackFromDetection } from './face/face-track';
import { decodeFrame, RgbImage } from '../../../platform/vision/image/decode-frame';
import { PixelBuffers } from '../../../platform/vision/image/pixel-buffers';
import { FrameRejection, isFrameRejection } from '../../../platform/vision/frame-errors';
import { ModelTimings, timeModel } from './model-timings';

/** What one frame shows: the most confident face, if any, its landmarks, eyes and expression. */
export interface FrameAnalysis {
  readonly width: number;
  readonly height: number;
  /** The most confident face; undefined when none was found. */
  readonly face: FaceDetection | undefined;
  /** Faces found in all, including the one reported; 1 on a tracked frame (the detector did not run). */
  readonly faceCount: number;
  /** The face's 468 landmarks, frame pixels; undefined without a face. */
  readonly mesh: FaceMesh | undefined;
  /** The face's eye aspect ratios; undefined without a face. */
  readonly eyes: EyeAspectRatio | undefined;
  /** The face's expression; undefined when there is no face (no emotion is ever invented). */
  readonly emotion: EmotionPrediction | undefined;
  /** True when the face was tracked from the session's previous frame instead of detected. */
  readonly tracked: boolean;
  /** Where the face is, for the session's next frame (see face-track.ts); undefined without a face. */
  readonly track: FaceTrack | undefined;
}

/** A frame as sent: encoded bytes and the declared format ('' to trust the bytes). */
export interface EncodedFrame {
  readonly imageData: Uint8Array;
  readonly format: string;
  /** The session's face track from its previous frame: the mesh looks there instead of detecting. */
  readonly track?: FaceTrack;
}

/**
 * Decodes frames, finds faces, and for the most confident face of each frame runs the face mesh
 * (landmarks, eye aspect ratio) and the expression classifier. Frames with several faces report
 * the most confident one: an interview has one candidate in front of the camera.
 * The mesh and the classifier run once per batch on all its faces ([N,...] tensors); BlazeFace's
 * published graph has a fixed batch of 1, so detection runs per frame. A frame that comes with its
 * session's FaceTrack skips detection while the mesh still finds the face there (face-track.ts).
 */
export class FrameAnalyzer {
  /** Decoded frames' pixels, reused from batch to batch (they are not read once a batch is analysed). */
  private readonly pixels = new PixelBuffers();

  constructor(
    private readonly detector: FaceDetector,
    private readonly mesh: FaceMeshModel,
    private readonly classifier: EmotionClassifier,
  ) {}

  /**
   * Analyses one frame. Throws InvalidFrameError or FrameTooLargeError for a bad frame
   * (see decodeFrame).
   */
  async analyze(imageData: Uint8Array, format = ''): Promise<FrameAnalysis> {
    const [result] = await this.analyzeBatch([{ imageData, format }]);
    if (isFrameRejection(result)) throw result;
    return result;
  }

  /**
   * Analyses frames together; one result per frame, in order: its analysis, or the FrameRejection
   * that frame alone would get from `analyze` (a bad frame does not fail the others). With
   * `timings`, adds each model's time on these frames to it (see analyzeDecoded).
   */
  async analyzeBatch(frames: readonly EncodedFrame[], timings?: ModelTimings): Promise<(FrameAnalysis | FrameRejection)[]> {
    const lease = this.pixels.lease();
    try {
      const decoded = await Promise.all(frames.map((f) => decodeFrame(f.imageData, f.format, lease.take).catch(asRejection)));
      return await this.analyzeDecoded(
        decoded,
        frames.map((f) => f.track),
        timings,
      );
    } finally {
      lease.release();
    }
  }

  /**
   * analyzeBatch after decoding: the models (with their input preparation and output decoding)
   * on decoded frames, each with its session's track if any; a FrameRejection in `decoded` is passed
   * through at its position. With `timings`, adds to it each model's time (its stage: input
   * preparation, the run, output decoding) and the frames or faces it ran on: detection per
   * untracked frame, landmarks per face (tracked, lost and detected), emotion per face.
   */
  async analyzeDecoded(
    decoded: readonly (RgbImage | FrameRejection)[],
    tracks: readonly (FaceTrack | undefined)[],
    timings?: ModelTimings,
  ): Promise<(FrameAnalysis | FrameRejection)[]> {
    const found = new Map<number, FoundFace>();
    // Tracked frames: the mesh on the region the session's previous landmarks give.
    const trackable = decoded.flatMap((image, index) =>
      !isFrameRejection(image) && canTrack(tracks[index], image) ? [{ index, image, track: tracks[index] }] : [],
    );
    const trackedMeshes = await timeModel(timings, 'landmarks', trackable.length, () =>
      this.mesh.run(trackable.map(({ image, track }) => ({ image, face: { box: track.box, score: 0, keypoints: [] } }))),
    );
    trackable.forEach(({ index, image, track }, k) => {
      const mesh = trackedMeshes[k];
      if (mesh.faceFlag < MIN_TRACKING_FACE_FLAG) return; // lost: detect on this same frame
      const { face, track: next } = followTrack(track, mesh);
      found.set(index, { image, face, faceCount: 1, mesh, tracked: true, track: next });
    });
    // The other frames, and tracks lost: detect, then the mesh on the most confident face.
    const untracked = decoded.flatMap((image, index) => (!isFrameRejection(image) && !found.has(index) ? [{ index, image }] : []));
    const detections = await timeModel(timings, 'detection', untracked.length, () => Promise.all(untracked.map(({ image }) => this.detector.detect(image))));
    const faceCounts = new Map(untracked.map(({ index }, k) => [index, detections[k].length]));
    const detected = untracked.flatMap(({ index, image }, k) =>
      detections[k][0] ? [{ index, image, face: detections[k][0], faceCount: detections[k].length }] : [],
    );
    const meshes = await timeModel(timings, 'landmarks', detected.length, () => this.mesh.run(detected));
    detected.forEach(({ index, image, face, faceCount }, k) => {
      found.set(index, { image, face, faceCount, mesh: meshes[k], tracked: false, track: trackFromDetection(face, meshes[k], image) });
    });
    // Every face's expression in one run.
    const withFace = [...found.entries()];
    const emotions = await timeModel(timings, 'emotion', withFace.length, () => this.classifier.classifyBatch(withFace.map(([, f]) => f)));
    const emotionOf = new Map(withFace.map(([index], k) => [index, emotions[k]]));
    return decoded.map((image, index) => {
      if (isFrameRejection(image)) return image;
      const f = found.get(index);
      return {
        width: image.width,
        height: image.height,
        face: f?.face,
        faceCount: f?.faceCount ?? faceCounts.get(index) ?? 0,
        mesh: f?.mesh,
        eyes: f ? eyeAspectRatio(f.mesh.points) : undefined,
        emotion: emotionOf.get(index),
        tracked: f?.tracked ?? false,
        track: f?.track,
      };
    });
  }

  /** The most confident face of one frame and its mesh, without the expression; with `timings`, adds the two models' time to it. */
  async detectFace(
    imageData: Uint8Array,
    format = '',
    timings?: ModelTimings,
  ): Promise<{ face: FaceDetection; mesh: FaceMesh; eyes: EyeAspectRatio } | undefined> {
    const image = await decodeFrame(imageData, format);
    const face = (await timeModel(timings, 'detection', 1, () => this.detector.detect(image))).at(0);
    if (!face) return undefined;
    const [mesh] = await timeModel(timings, 'landmarks', 1, () => this.mesh.run([{ image, face }]));
    return { face, mesh, eyes: eyeAspectRatio(mesh.points) };
  }
}

interface FoundFace {
  readonly image: RgbImage;
  readonly face: FaceDetection;
  readonly faceCount: number;
  readonly mesh: FaceMesh;
  readonly tracked: boolean;
  readonly track: FaceTrack;
}

/** A decoding failure as the value it is for a batch: the frame's own rejection. */
function asRejection(error: unknown): FrameRejection {
  if (isFrameRejection(error)) return error;
  throw error;
}
