import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type OnnxSessionTuning } from '../../../platform/onnx/session-options';
import { OnnxModel } from './onnx-model';

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

interface ManifestEntry {
  file: string;
  sha256: string;
}

/**
 * Loads the models from `modelsDir`, first checking each file's sha256 against MANIFEST.json so
 * that a service never runs a model other than the published one it documents. Throws naming the
 * file when one is missing or differs.
 */
export async function loadModels(modelsDir: string, options: OnnxSessionTuning = {}): Promise<LoadedModels> {
  const manifest = JSON.parse(await fs.readFile(path.join(modelsDir, 'MANIFEST.json'), 'utf8')) as { models: ManifestEntry[] | Record<string, ManifestEntry> };
  const entries = Array.isArray(manifest.models) ? manifest.models : Object.values(manifest.models);
  const load = async (file: string) => {
    const entry = entries.find((e) => e.file === file || path.basename(e.file) === file);
    if (!entry) throw new Error(`models/MANIFEST.json has no entry for ${file}`);
    const full = path.join(modelsDir, file);
    const digest = createHash('sha256')
      .update(await fs.readFile(full))
      .digest('hex');
    if (digest !== entry.sha256) throw new Error(`${full} has sha256 ${digest}; MANIFEST.json says ${entry.sha256}`);
    return OnnxModel.load(full, options);
  };
  const [faceDetector, emotionClassifier, faceMesh] = await Promise.all([
    load(MODEL_FILES.faceDetector),
    load(MODEL_FILES.emotionClassifier),
    load(MODEL_FILES.faceMesh),
  ]);
  return {
    faceDetector,
    emotionClassifier,
    faceMesh,
    release: async () => {
      await Promise.all([faceDetector.release(), emotionClassifier.release(), faceMesh.release()]);
    },
  };
}
