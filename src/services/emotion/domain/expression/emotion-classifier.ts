import { RgbImage } from '../../../../platform/vision/image/decode-frame';
import { sampleRgbPatch, SquareRegion, squareRegionAround } from '../../../../platform/vision/image/sample-patch';
import { InferenceModel } from '../../../../platform/vision/inference-model';
import { FaceDetection } from '../../../../platform/vision/face/face-detection';

/**
 * The classifier's labels in its output order: FER-2013's seven classes as the mini-Xception of
 * oarriaga/face_classification was trained on them (Arriaga et al. 2017, arXiv:1710.07557).
 */
export const EMOTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type EmotionLabel = (typeof EMOTION_LABELS)[number];

/** Side of the classifier's square greyscale input, pixels. */
export const EMOTION_INPUT_SIZE = 64;

/** Margin added around the detector's box before cropping, as a fraction of its size. */
const CROP_MARGIN = 0.1;

/** ITU-R BT.601 luma weights, the greyscale conversion FER-2013 images and the model's port use. */
const LUMA = [0.2989, 0.587, 0.114] as const;

export interface EmotionPrediction {
  readonly label: EmotionLabel;
  /** Softmax probability of `label`, 0..1. */
  readonly confidence: number;
  /** Probability of every label, in EMOTION_LABELS order, summing to 1. */
  readonly probabilities: readonly number[];
}

/** A frame and the face in it to classify. */
export interface EmotionInput {
  readonly image: RgbImage;
  readonly face: FaceDetection;
}

/**
 * Classifies faces' expressions with the mini-Xception (FER-2013), a batch per model run: input
 * Float32Array [N,64,64,1] NHWC, greyscale scaled to -1..1; output [N,7] softmax probabilities in
 * EMOTION_LABELS order.
 */
export class EmotionClassifier {
  private readonly inputName: string;
  private readonly outputName: string;

  constructor(private readonly model: InferenceModel) {
    this.inputName = model.inputNames[0];
    this.outputName = model.outputNames[0];
  }

  /** Classifies every input's face, in input order, in one model run. */
  async classifyBatch(inputs: readonly EmotionInput[]): Promise<EmotionPrediction[]> {
    if (inputs.length === 0) return [];
    const size = EMOTION_INPUT_SIZE * EMOTION_INPUT_SIZE;
    const tensor = new Float32Array(inputs.length * size);
    const rgb = new Float32Array(size * 3);
    inputs.forEach(({ image, face }, n) => {
      sampleRgbPatch(image, emotionCropRegion(face), EMOTION_INPUT_SIZE, rgb, 0, 255);
      for (let i = 0; i < size; i++) {
        const grey = LUMA[0] * rgb[i * 3] + LUMA[1] * rgb[i * 3 + 1] + LUMA[2] * rgb[i * 3 + 2];
        tensor[n * size + i] = (grey - 0.5) * 2;
      }
    });
    const outputs = await this.model.run({ [this.inputName]: { dims: [inputs.length, EMOTION_INPUT_SIZE, EMOTION_INPUT_SIZE, 1], data: tensor } });
    const all = outputs[this.outputName].data;
    return inputs.map((_, n) => {
      const probabilities = Array.from(all.subarray(n * EMOTION_LABELS.length, (n + 1) * EMOTION_LABELS.length));
      let best = 0;
      for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
      return { label: EMOTION_LABELS[best], confidence: probabilities[best], probabilities };
    });
  }
}

/** The detector's box squared on its longer side, grown by CROP_MARGIN, centred on the box. */
export function emotionCropRegion(face: FaceDetection): SquareRegion {
  return squareRegionAround(face.box, 1 + CROP_MARGIN);
}
