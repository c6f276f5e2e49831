/** A face found in a frame, in the frame's own pixel coordinates. */
export interface FaceDetection {
  /** Top-left corner and size, pixels. */
  readonly box: { x: number; y: number; width: number; height: number };
  /** Detector score after the sigmoid, 0..1. */
  readonly score: number;
  /** BlazeFace's six keypoints, pixels. */
  readonly keypoints: readonly Keypoint[];
}

/** BlazeFace keypoint order (subject's right and left). */
export const BLAZEFACE_KEYPOINTS = ['right_eye', 'left_eye', 'nose_tip', 'mouth_center', 'right_ear_tragion', 'left_ear_tragion'] as const;

export interface Keypoint {
  readonly x: number;
  readonly y: number;
  readonly name: (typeof BLAZEFACE_KEYPOINTS)[number];
}

/** Intersection over union of two boxes, 0..1. */
export function iou(a: FaceDetection['box'], b: FaceDetection['box']): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const intersection = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}

/**
 * Greedy non-maximum suppression: keeps the best-scoring detection of every group overlapping by
 * more than `iouThreshold`. Returns detections by descending score.
 */
export function nonMaxSuppression(detections: readonly FaceDetection[], iouThreshold: number): FaceDetection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: FaceDetection[] = [];
  for (const candidate of sorted) {
    if (kept.every((k) => iou(k.box, candidate.box) <= iouThreshold)) kept.push(candidate);
  }
  return kept;
}
