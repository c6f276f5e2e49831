import { Letterbox, letterbox } from '../image/letterbox';
import { RgbImage } from '../image/decode-frame';
import { FloatTensor, InferenceModel } from '../inference-model';
import { BLAZEFACE_ANCHORS, BLAZEFACE_INPUT_SIZE } from './blazeface-anchors';
import { BLAZEFACE_KEYPOINTS, FaceDetection, Keypoint, nonMaxSuppression } from './face-detection';

/** Lowest detector score reported as a face; MediaPipe's front model uses 0.75 (min_score_thresh). */
export const MIN_FACE_SCORE = 0.75;
/** Overlap above which two detections are one face; MediaPipe uses 0.3 (min_suppression_threshold). */
export const NMS_IOU_THRESHOLD = 0.3;
/** Logits are clipped to this before the sigmoid, as MediaPipe's score_clipping_thresh. */
const SCORE_CLIP = 100;

/**
 * Letterbox geometry: the frame scaled by `scale` and placed at (padX, padY) inside the square
 * model input, so that no face is distorted.
 */
/**
 * Finds faces with MediaPipe BlazeFace (front camera, 128x128; Bazarevsky et al. 2019,
 * arXiv:1907.05047) run by onnxruntime. Input: Float32Array [1,128,128,3] NHWC, RGB scaled to
 * -1..1. Outputs: per anchor a logit and 16 regressors (box centre offset and size, then six
 * keypoints, in input pixels), split over the 512 anchors of the 16x16 grid and the 384 of the 8x8.
 */
export class FaceDetector {
  private readonly inputName: string;

  constructor(private readonly model: InferenceModel) {
    this.inputName = model.inputNames[0];
  }

  /**
   * Detects faces in `image`; returns them by descending score, after non-maximum suppression, with
   * scores >= MIN_FACE_SCORE. An empty array means no face.
   */
  async detect(image: RgbImage): Promise<FaceDetection[]> {
    const { tensor, letterbox } = await this.preprocess(image);
    const outputs = await this.model.run({ [this.inputName]: tensor });
    const { scores, boxes } = this.splitOutputs(outputs);
    const detections: FaceDetection[] = [];
    for (let i = 0; i < BLAZEFACE_ANCHORS.length; i++) {
      const logit = Math.max(-SCORE_CLIP, Math.min(SCORE_CLIP, scores[i]));
      const score = 1 / (1 + Math.exp(-logit));
      if (score < MIN_FACE_SCORE) continue;
      detections.push(this.decode(boxes, i, score, letterbox, image));
    }
    return nonMaxSuppression(detections, NMS_IOU_THRESHOLD);
  }

  private async preprocess(image: RgbImage): Promise<{ tensor: FloatTensor; letterbox: Letterbox }> {
    const size = BLAZEFACE_INPUT_SIZE;
    const { data, box } = await letterbox(image, size, 127.5, -1);
    return { tensor: { dims: [1, size, size, 3], data }, letterbox: box };
  }

  /**
   * Output names differ between conversions (this one says Identity:0..3), so scores and
   * regressors are told apart by their last dimension (1 or 16) and ordered by anchor count,
   * the 512 anchors of the 16x16 grid first.
   */
  private splitOutputs(outputs: Record<string, FloatTensor>): { scores: Float32Array; boxes: Float32Array } {
    const tensors = Object.values(outputs).sort((a, b) => b.dims[1] - a.dims[1]);
    const concat = (lastDim: number) => {
      const parts = tensors.filter((t) => t.dims[t.dims.length - 1] === lastDim).map((t) => t.data);
      const all = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
      let offset = 0;
      for (const part of parts) {
        all.set(part, offset);
        offset += part.length;
      }
      return all;
    };
    const scores = concat(1);
    const boxes = concat(16);
    if (scores.length !== BLAZEFACE_ANCHORS.length || boxes.length !== BLAZEFACE_ANCHORS.length * 16) {
      throw new Error(`unexpected BlazeFace outputs: ${scores.length} scores, ${boxes.length} regressors`);
    }
    return { scores, boxes };
  }

  /** Anchor-relative regressors to a box and keypoints in the frame's pixels. */
  private decode(boxes: Float32Array, index: number, score: number, letterbox: Letterbox, image: RgbImage): FaceDetection {
    const size = BLAZEFACE_INPUT_SIZE;
    const anchor = BLAZEFACE_ANCHORS[index];
    const r = boxes.subarray(index * 16, index * 16 + 16);
    // Regressors are in input pixels relative to the anchor centre (MediaPipe x_scale = y_scale = 128).
    const toFrameX = (inputX: number) => (inputX - letterbox.padX) / letterbox.scale;
    const toFrameY = (inputY: number) => (inputY - letterbox.padY) / letterbox.scale;
    const cx = r[0] + anchor.x * size;
    const cy = r[1] + anchor.y * size;
    const w = r[2];
    const h = r[3];
    const left = clamp(toFrameX(cx - w / 2), 0, image.width);
    const top = clamp(toFrameY(cy - h / 2), 0, image.height);
    const right = clamp(toFrameX(cx + w / 2), 0, image.width);
    const bottom = clamp(toFrameY(cy + h / 2), 0, image.height);
    const keypoints: Keypoint[] = BLAZEFACE_KEYPOINTS.map((name, k) => ({
      name,
      x: clamp(toFrameX(r[4 + k * 2] + anchor.x * size), 0, image.width),
      y: clamp(toFrameY(r[5 + k * 2] + anchor.y * size), 0, image.height),
    }));
    return { box: { x: left, y: top, width: right - left, height: bottom - top }, score, keypoints };
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
