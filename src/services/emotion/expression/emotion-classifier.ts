import sharp from 'sharp';
import { RgbImage } from '../image/decode-frame';
import { InferenceModel } from '../models/inference-model';
import { FaceDetection } from '../face/face-detection';

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

/**
 * Classifies a face's expression with the mini-Xception (FER-2013; input Float32Array
 * [1,64,64,1] NHWC, greyscale scaled to -1..1; output [1,7] softmax probabilities).
 */
export class EmotionClassifier {
  private readonly inputName: string;
  private readonly outputName: string;

  constructor(private readonly model: InferenceModel) {
    this.inputName = model.inputNames[0];
    this.outputName = model.outputNames[0];
  }

  /** Classifies the face at `face.box` in `image`. */
  async classify(image: RgbImage, face: FaceDetection): Promise<EmotionPrediction> {
    const input = await this.preprocess(image, face);
    const outputs = await this.model.run({ [this.inputName]: { dims: [1, EMOTION_INPUT_SIZE, EMOTION_INPUT_SIZE, 1], data: input } });
    const probabilities = Array.from(outputs[this.outputName].data);
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
    return { label: EMOTION_LABELS[best], confidence: probabilities[best], probabilities };
  }

  private async preprocess(image: RgbImage, face: FaceDetection): Promise<Float32Array> {
    const { box } = face;
    const side = Math.max(box.width, box.height) * (1 + CROP_MARGIN);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const left = Math.max(0, Math.round(cx - side / 2));
    const top = Math.max(0, Math.round(cy - side / 2));
    const width = Math.max(1, Math.min(image.width - left, Math.round(side)));
    const height = Math.max(1, Math.min(image.height - top, Math.round(side)));
    const rgb = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .extract({ left, top, width, height })
      .resize(EMOTION_INPUT_SIZE, EMOTION_INPUT_SIZE, { fit: 'fill' })
      .raw()
      .toBuffer();
    const input = new Float32Array(EMOTION_INPUT_SIZE * EMOTION_INPUT_SIZE);
    for (let i = 0; i < input.length; i++) {
      const grey = (LUMA[0] * rgb[i * 3] + LUMA[1] * rgb[i * 3 + 1] + LUMA[2] * rgb[i * 3 + 2]) / 255;
      input[i] = (grey - 0.5) * 2;
    }
    return input;
  }
}
