import { RgbImage } from '../image/decode-frame';
import { sampleRgbPatch, SquareRegion, squareRegionAround } from '../image/sample-patch';
import { InferenceModel } from '../inference-model';
import { FaceDetection } from './face-detection';
import { MESH_LANDMARK_COUNT } from './mesh-topology';

/** Side of the mesh model's square input, pixels. */
export const MESH_INPUT_SIZE = 192;
/**
 * The face region the mesh sees: the detector's box, squared on its longer side and enlarged 1.5
 * times around its centre (MediaPipe face_detection_front_detection_to_roi: scale_x = scale_y =
 * 1.5, square_long). Unlike MediaPipe the region is not rotated to level the eyes: an interview
 * candidate faces the camera upright.
 */
export const MESH_ROI_SCALE = 1.5;

/** 468 landmarks of one face, in the frame's pixels. */
export interface FaceMesh {
  /** Float32Array [468 * 3]: x, y in frame pixels, z relative depth in the same scale (MediaPipe). */
  readonly points: Float32Array;
  /** The mesh model's face presence probability, 0..1. */
  readonly faceFlag: number;
  /** The frame region the mesh was run on. */
  readonly region: SquareRegion;
}

/** A frame and the face in it to run the mesh on. */
export interface MeshInput {
  readonly image: RgbImage;
  readonly face: FaceDetection;
}

/**
 * MediaPipe's face mesh (468 landmarks; Kartynnik et al. 2019, arXiv:1907.06724) run by
 * onnxruntime on a batch of faces at once. Input Float32Array [N,192,192,3] NHWC, RGB / 255;
 * outputs `landmarks` [N,1404] (x, y, z per landmark, in pixels of the 192x192 input) and
 * `face_flag` [N,1] (probability).
 */
export class FaceMeshModel {
  private readonly inputName: string;
  /**
   * A single face's input tensor of an earlier run, reused (442 KB: see PixelBuffers for why
   * allocation matters): a run takes it, and a run at the same time makes its own.
   */
  private spareInput: Float32Array | undefined;

  constructor(private readonly model: InferenceModel) {
    this.inputName = model.inputNames[0];
  }

  /** The square frame region the mesh is run on for `face` (see MESH_ROI_SCALE). */
  static regionFor(face: FaceDetection): SquareRegion {
    return squareRegionAround(face.box, MESH_ROI_SCALE);
  }

  /** Landmarks of every input's face, in input order, from one model run. */
  async run(inputs: readonly MeshInput[]): Promise<FaceMesh[]> {
    if (inputs.length === 0) return [];
    const pixels = MESH_INPUT_SIZE * MESH_INPUT_SIZE * 3;
    const tensor = this.takeInput(inputs.length, pixels);
    const regions = inputs.map(({ image, face }, n) => {
      const region = FaceMeshModel.regionFor(face);
      sampleRgbPatch(image, region, MESH_INPUT_SIZE, tensor, n * pixels, 255);
      return region;
    });
    let outputs: Awaited<ReturnType<InferenceModel['run']>>;
    try {
      outputs = await this.model.run({ [this.inputName]: { dims: [inputs.length, MESH_INPUT_SIZE, MESH_INPUT_SIZE, 3], data: tensor } });
    } finally {
      // A single face's tensor is kept for the next run; batches' larger ones are not.
      if (inputs.length === 1) this.spareInput = tensor;
    }
    const landmarks = outputs.landmarks.data;
    const flags = outputs.face_flag.data;
    const stride = MESH_LANDMARK_COUNT * 3;
    return regions.map((region, n) => {
      const scale = region.size / MESH_INPUT_SIZE;
      const points = new Float32Array(stride);
      for (let i = 0; i < stride; i += 3) {
        points[i] = region.x + landmarks[n * stride + i] * scale;
        points[i + 1] = region.y + landmarks[n * stride + i + 1] * scale;
        points[i + 2] = landmarks[n * stride + i + 2] * scale;
      }
      return { points, faceFlag: flags[n], region };
    });
  }

  /** A tensor for `faces` faces of `pixels` floats each: the spare one for a single face when there is one, else a new one. */
  private takeInput(faces: number, pixels: number): Float32Array {
    const spare = faces === 1 ? this.spareInput : undefined;
    if (!spare) return new Float32Array(faces * pixels);
    this.spareInput = undefined;
    return spare;
  }
}
