import { decodeFrame } from './image/decode-frame';
import { EmotionClassifier, EmotionPrediction } from './expression/emotion-classifier';
import { FaceDetection } from './face/face-detection';
import { FaceDetector } from './face/face-detector';

/** What one frame shows: the most confident face, if any, and its expression. */
export interface FrameAnalysis {
  readonly width: number;
  readonly height: number;
  /** The most confident face; undefined when none was found. */
  readonly face: FaceDetection | undefined;
  /** Faces found in all, including the one reported. */
  readonly faceCount: number;
  /** The face's expression; undefined when there is no face (no emotion is ever invented). */
  readonly emotion: EmotionPrediction | undefined;
}

/**
 * Decodes a frame, finds faces and classifies the expression of the most confident one (frames
 * with several faces report that one: an interview has one candidate in front of the camera).
 * Throws ServiceError INVALID_ARGUMENT or RESOURCE_EXHAUSTED for bad frames (see decodeFrame).
 */
export class FrameAnalyzer {
  constructor(
    private readonly detector: FaceDetector,
    private readonly classifier: EmotionClassifier,
  ) {}

  async analyze(imageData: Uint8Array, format = ''): Promise<FrameAnalysis> {
    const image = await decodeFrame(imageData, format);
    const faces = await this.detector.detect(image);
    const face = faces[0];
    const emotion = face ? await this.classifier.classify(image, face) : undefined;
    return { width: image.width, height: image.height, face, faceCount: faces.length, emotion };
  }

  /** Face detection alone, without the expression. */
  async detectFaces(imageData: Uint8Array, format = ''): Promise<FaceDetection[]> {
    return this.detector.detect(await decodeFrame(imageData, format));
  }
}
