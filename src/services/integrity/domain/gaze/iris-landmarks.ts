import { RgbImage } from '../image/rgb-image';
import { sampleSquare, Square } from '../image/sample-square';
import { InferenceModel } from '../../../../platform/vision/inference-model';

/** Side of the iris model's square input, pixels. */
export const IRIS_INPUT_SIZE = 64;
/** The eye region: the corners' distance enlarged this much, squared (MediaPipe iris_landmark_landmarks_to_roi; human irisEnlarge). */
export const EYE_REGION_SCALE = 2.3;
const POINTS = 76;
const IRIS_CENTRE = 71;

/** Mesh landmarks of each eye's corners, and whether the iris model sees that eye mirrored. */
export const EYES = {
  /** The subject's right eye, on the image's left: outer corner 33, inner 133; seen as is. */
  right: { outer: 33, inner: 133, mirrored: false },
  /** The subject's left eye, on the image's right: inner 362, outer 263; mirrored (MediaPipe is_right_eye). */
  left: { outer: 263, inner: 362, mirrored: true },
} as const;
export type EyeSide = keyof typeof EYES;

/** One eye as the iris model sees it, in the frame's pixels. */
export interface EyeLandmarks {
  /** Iris centre (model point 71). */
  readonly irisCentre: { readonly x: number; readonly y: number };
  /** Iris radius: the mean distance of the four iris contour points (72..75) from the centre, pixels. */
  readonly irisRadius: number;
  /** Eye corners from the face mesh (outer, inner), pixels. */
  readonly outerCorner: { readonly x: number; readonly y: number };
  readonly innerCorner: { readonly x: number; readonly y: number };
  /** All 76 model points, x, y in frame pixels and z in the same scale [76 * 3]. */
  readonly points: Float32Array;
  /** The frame square the model saw. */
  readonly region: Square;
}

/**
 * MediaPipe's iris landmark model (Ablavatski et al. 2020, arXiv:2006.11341) on both eyes of a face,
 * in one batch of two. Each eye's region is the square around its two corners from the face mesh,
 * enlarged 2.3 times; the subject's left eye is mirrored so that the model sees two right eyes, as
 * MediaPipe feeds it, and its points are mirrored back. Unlike MediaPipe the regions are not rotated
 * to level the corners (the emotion service's mesh is not either): a candidate sits upright.
 * Input [2,64,64,3] NHWC RGB / 255; output `landmarks` [2,1,1,228] (76 x, y, z in input pixels).
 */
export class IrisLandmarker {
  private readonly inputName: string;

  constructor(private readonly model: InferenceModel) {
    this.inputName = model.inputNames[0];
  }

  /**
   * Both eyes of the face whose 468 mesh landmarks are `mesh` (frame pixels, the mesh's output).
   * @throws RangeError when `mesh` is not 1404 numbers or an eye's corners coincide; Error when the
   *   model's output is not [2, .., 228].
   */
  async run(image: RgbImage, mesh: ArrayLike<number>): Promise<Record<EyeSide, EyeLandmarks>> {
    if (mesh.length !== 468 * 3) throw new RangeError(`expected 1404 mesh coordinates (468 x, y, z), got ${mesh.length}`);
    const at = (i: number) => ({ x: mesh[i * 3], y: mesh[i * 3 + 1] });
    const sides: EyeSide[] = ['right', 'left'];
    const regions = sides.map((side) => eyeRegion(at(EYES[side].outer), at(EYES[side].inner)));
    const per = IRIS_INPUT_SIZE * IRIS_INPUT_SIZE * 3;
    const input = new Float32Array(2 * per);
    sides.forEach((side, n) => {
      sampleSquare(image, regions[n], IRIS_INPUT_SIZE, input, n * per, 255, EYES[side].mirrored);
    });
    const outputs = await this.model.run({ [this.inputName]: { dims: [2, IRIS_INPUT_SIZE, IRIS_INPUT_SIZE, 3], data: input } });
    const out = outputs.landmarks as (typeof outputs)[string] | undefined;
    if (out?.data.length !== 2 * POINTS * 3) throw new Error(`iris model: expected output landmarks [2, 228], got ${out ? `[${out.dims.join(',')}]` : 'none'}`);
    const result = {} as Record<EyeSide, EyeLandmarks>;
    sides.forEach((side, n) => {
      const region = regions[n];
      const k = region.size / IRIS_INPUT_SIZE;
      const points = new Float32Array(POINTS * 3);
      for (let i = 0; i < POINTS; i++) {
        const x = out.data[n * POINTS * 3 + i * 3];
        points[i * 3] = region.x + (EYES[side].mirrored ? IRIS_INPUT_SIZE - x : x) * k;
        points[i * 3 + 1] = region.y + out.data[n * POINTS * 3 + i * 3 + 1] * k;
        points[i * 3 + 2] = out.data[n * POINTS * 3 + i * 3 + 2] * k;
      }
      const centre = { x: points[IRIS_CENTRE * 3], y: points[IRIS_CENTRE * 3 + 1] };
      let radius = 0;
      for (let i = IRIS_CENTRE + 1; i < POINTS; i++) radius += Math.hypot(points[i * 3] - centre.x, points[i * 3 + 1] - centre.y) / 4;
      result[side] = { irisCentre: centre, irisRadius: radius, outerCorner: at(EYES[side].outer), innerCorner: at(EYES[side].inner), points, region };
    });
    return result;
  }
}

/** The square the iris model sees for an eye with these corners (see EYE_REGION_SCALE). */
export function eyeRegion(a: { x: number; y: number }, b: { x: number; y: number }): Square {
  const side = Math.hypot(b.x - a.x, b.y - a.y) * EYE_REGION_SCALE;
  if (!(side > 0)) throw new RangeError('the eye corners coincide: no eye region');
  return { x: (a.x + b.x) / 2 - side / 2, y: (a.y + b.y) / 2 - side / 2, size: side };
}
