import { ServiceError } from '../../platform/grpc/errors';
import { EyeAspectRatio, eyeAspectRatio } from './blink/eye-aspect-ratio';
import { EmotionClassifier, EmotionPrediction } from './expression/emotion-classifier';
import { FaceDetection } from './face/face-detection';
import { FaceDetector } from './face/face-detector';
import { FaceMesh, FaceMeshModel } from './face/face-mesh';
import { decodeFrame, RgbImage } from './image/decode-frame';

/** What one frame shows: the most confident face, if any, its landmarks, eyes and expression. */
export interface FrameAnalysis {
  readonly width: number;
  readonly height: number;
  /** The most confident face; undefined when none was found. */
  readonly face: FaceDetection | undefined;
  /** Faces found in all, including the one reported. */
  readonly faceCount: number;
  /** The face's 468 landmarks, frame pixels; undefined without a face. */
  readonly mesh: FaceMesh | undefined;
  /** The face's eye aspect ratios; undefined without a face. */
  readonly eyes: EyeAspectRatio | undefined;
  /** The face's expression; undefined when there is no face (no emotion is ever invented). */
  readonly emotion: EmotionPrediction | undefined;
}

/** A frame as sent: encoded bytes and the declared format ('' to trust the bytes). */
export interface EncodedFrame {
  readonly imageData: Uint8Array;
  readonly format: string;
}

/**
 * Decodes frames, finds faces, and for the most confident face of each frame runs the face mesh
 * (landmarks, eye aspect ratio) and the expression classifier. Frames with several faces report
 * the most confident one: an interview has one candidate in front of the camera.
 * The mesh and the classifier run once per batch on all its faces ([N,...] tensors); BlazeFace's
 * published graph has a fixed batch of 1, so detection runs per frame.
 */
export class FrameAnalyzer {
  constructor(
    private readonly detector: FaceDetector,
    private readonly mesh: FaceMeshModel,
    private readonly classifier: EmotionClassifier,
  ) {}

  /**
   * Analyses one frame. Throws ServiceError INVALID_ARGUMENT or RESOURCE_EXHAUSTED for a bad frame
   * (see decodeFrame).
   */
  async analyze(imageData: Uint8Array, format = ''): Promise<FrameAnalysis> {
    const [result] = await this.analyzeBatch([{ imageData, format }]);
    if (result instanceof ServiceError) throw result;
    return result;
  }

  /**
   * Analyses frames together; one result per frame, in order: its analysis, or the ServiceError
   * that frame alone would get from `analyze` (a bad frame does not fail the others).
   */
  async analyzeBatch(frames: readonly EncodedFrame[]): Promise<Array<FrameAnalysis | ServiceError>> {
    const decoded = await Promise.all(frames.map((f) => decodeFrame(f.imageData, f.format).catch(asServiceError)));
    const detections = await Promise.all(decoded.map((image) => (image instanceof ServiceError ? [] : this.detector.detect(image))));
    const withFace: Array<{ index: number; image: RgbImage; face: FaceDetection }> = [];
    decoded.forEach((image, index) => {
      const face = detections[index][0];
      if (!(image instanceof ServiceError) && face) withFace.push({ index, image, face });
    });
    const [meshes, emotions] = await Promise.all([this.mesh.run(withFace), this.classifier.classifyBatch(withFace)]);
    const byIndex = new Map(withFace.map((item, k) => [item.index, { mesh: meshes[k], emotion: emotions[k] }]));
    return decoded.map((image, index) => {
      if (image instanceof ServiceError) return image;
      const found = byIndex.get(index);
      return {
        width: image.width,
        height: image.height,
        face: detections[index][0],
        faceCount: detections[index].length,
        mesh: found?.mesh,
        eyes: found ? eyeAspectRatio(found.mesh.points) : undefined,
        emotion: found?.emotion,
      };
    });
  }

  /** The most confident face of one frame and its mesh, without the expression. */
  async detectFace(imageData: Uint8Array, format = ''): Promise<{ face: FaceDetection; mesh: FaceMesh; eyes: EyeAspectRatio } | undefined> {
    const image = await decodeFrame(imageData, format);
    const [face] = await this.detector.detect(image);
    if (!face) return undefined;
    const [mesh] = await this.mesh.run([{ image, face }]);
    return { face, mesh, eyes: eyeAspectRatio(mesh.points) };
  }
}

/** A decoding failure as the value it is for a batch: the frame's own error. */
function asServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  throw error;
}
