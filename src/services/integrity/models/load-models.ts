import { type OnnxSessionTuning } from '../../../platform/onnx/session-options';
import { FaceMeshModel } from '../../../platform/vision/face/face-mesh';
import { loadVerifiedModels } from '../../../platform/vision/models/verified-models';
import { IntegrityModels } from '../domain/frame-integrity';
import { IrisLandmarker } from '../domain/gaze/iris-landmarks';
import { ObjectDetector } from '../domain/objects/object-detector';
import { FullRangeFaceDetector } from '../domain/people/full-range-face-detector';

/**
 * The ONNX files the integrity service runs, named as in models/MANIFEST.json: its own three
 * (scripts/models/integrity/fetch-and-convert.sh) and the emotion service's face mesh.
 */
export const INTEGRITY_MODEL_FILES = {
  faces: 'blazeface-back-256.onnx',
  mesh: 'facemesh-468.onnx',
  iris: 'iris-landmark-64.onnx',
  objects: 'centernet-coco-512.onnx',
} as const;

/** The integrity models, loaded, and one call to release their ONNX Runtime sessions. */
export interface LoadedIntegrityModels extends IntegrityModels {
  release(): Promise<void>;
}

/**
 * Loads the integrity service's models from `modelsDir` (a directory with MANIFEST.json), each
 * file's sha256 checked against the manifest first (loadVerifiedModels), and wraps each in its
 * domain runner for analyzeFrameIntegrity. Throws naming the file when one is missing or differs.
 */
export async function loadIntegrityModels(modelsDir: string, options: OnnxSessionTuning = {}): Promise<LoadedIntegrityModels> {
  const models = await loadVerifiedModels(modelsDir, INTEGRITY_MODEL_FILES, options);
  return {
    faces: new FullRangeFaceDetector(models.faces),
    mesh: new FaceMeshModel(models.mesh),
    iris: new IrisLandmarker(models.iris),
    objects: new ObjectDetector(models.objects),
    release: () => models.release(),
  };
}
