import { type OnnxSessionTuning } from '../../../platform/onnx/session-options';
import { OnnxModel } from '../../../platform/vision/models/onnx-model';
import { loadVerifiedModels } from '../../../platform/vision/models/verified-models';

/** The ONNX files the emotion service runs, named as in models/MANIFEST.json. */
export const MODEL_FILES = {
  faceDetector: 'blazeface-front-128.onnx',
  emotionClassifier: 'emotion-mini-xception.onnx',
  faceMesh: 'facemesh-468.onnx',
} as const;

export interface LoadedModels {
  readonly faceDetector: OnnxModel;
  readonly emotionClassifier: OnnxModel;
  readonly faceMesh: OnnxModel;
  release(): Promise<void>;
}

/**
 * Loads the emotion service's models from `modelsDir`, each file's sha256 checked against
 * MANIFEST.json first (loadVerifiedModels). Throws naming the file when one is missing or differs.
 */
export async function loadModels(modelsDir: string, options: OnnxSessionTuning = {}): Promise<LoadedModels> {
  return loadVerifiedModels(modelsDir, MODEL_FILES, options);
}
