import { EAR_POINTS } from '../../../../platform/vision/face/mesh-topology';

/** Eye aspect ratio of each eye and their mean (dimensionless). */
export interface EyeAspectRatio {
  readonly right: number;
  readonly left: number;
  readonly mean: number;
}

/**
 * Eye aspect ratio (EAR) of Soukupova and Cech, "Real-Time Eye Blink Detection using Facial
 * Landmarks" (CVWW 2016), eq. 1: EAR = (|p2 - p6| + |p3 - p5|) / (2 |p1 - p4|), per eye, from
 * the mesh points of EAR_POINTS (x, y only; `points` is Float32Array [468 * 3] as FaceMesh gives
 * it). About 0.25..0.35 for open eyes, falling towards 0 as the lids close; the paper averages
 * both eyes, as `mean` does.
 */
export function eyeAspectRatio(points: Float32Array): EyeAspectRatio {
  const right = earOf(points, EAR_POINTS.right);
  const left = earOf(points, EAR_POINTS.left);
  return { right, left, mean: (right + left) / 2 };
}

function earOf(points: Float32Array, [p1, p2, p3, p4, p5, p6]: readonly number[]): number {
  const distance = (a: number, b: number) => Math.hypot(points[a * 3] - points[b * 3], points[a * 3 + 1] - points[b * 3 + 1]);
  const width = distance(p1, p4);
  return width > 0 ? (distance(p2, p6) + distance(p3, p5)) / (2 * width) : 0;
}
