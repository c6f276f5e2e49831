/**
 * A worker thread of AnalysisPool (piscina): loads its own ONNX Runtime sessions once, then
 * decodes and analyses the frames of each task. onnxruntime-node runs inference synchronously on
 * the calling thread, so the models run here, off the service's main thread (gRPC, PostgreSQL).
 * Frames arrive encoded (tens of kilobytes, transferred); the decoded pixels never leave this thread.
 */
import { workerData } from 'node:worker_threads';
import { ServiceError } from '../../platform/grpc/errors';
import { EmotionClassifier } from './expression/emotion-classifier';
import { FaceDetector } from './face/face-detector';
import { FaceMeshModel } from './face/face-mesh';
import { EncodedFrame, FrameAnalysis, FrameAnalyzer } from './frame-analyzer';
import { loadModels } from './models/load-models';

/** What the pool gives each worker. */
export interface AnalysisWorkerData {
  /** Directory of the ONNX files and MANIFEST.json. */
  readonly modelsDir: string;
}

/** A frame's ServiceError as it crosses threads (a class does not survive structured cloning). */
export interface FrameFailure {
  readonly failed: { readonly code: number; readonly message: string };
}

export type AnalysisTask =
  | { readonly kind: 'analyze'; readonly frames: readonly EncodedFrame[] }
  | { readonly kind: 'detectFace'; readonly frame: EncodedFrame };

export type AnalysisTaskResult = Array<FrameAnalysis | FrameFailure> | Awaited<ReturnType<FrameAnalyzer['detectFace']>> | FrameFailure;

function asFailure(error: unknown): FrameFailure {
  if (error instanceof ServiceError) return { failed: { code: error.code, message: error.message } };
  throw error;
}

async function initialize(): Promise<(task: AnalysisTask) => Promise<AnalysisTaskResult>> {
  const { modelsDir } = workerData as AnalysisWorkerData;
  let models: Awaited<ReturnType<typeof loadModels>>;
  try {
    models = await loadModels(modelsDir);
  } catch (error) {
    // Every task fails with the reason (piscina would hide a rejected export behind an import error).
    const reason = error instanceof Error ? error : new Error(String(error));
    return async () => {
      throw reason;
    };
  }
  const analyzer = new FrameAnalyzer(new FaceDetector(models.faceDetector), new FaceMeshModel(models.faceMesh), new EmotionClassifier(models.emotionClassifier));
  return async (task) => {
    if (task.kind === 'detectFace') return analyzer.detectFace(task.frame.imageData, task.frame.format).catch(asFailure);
    const results = await analyzer.analyzeBatch(task.frames);
    return results.map((r) => (r instanceof ServiceError ? asFailure(r) : r));
  };
}

// piscina awaits the exported promise before giving the worker tasks: a worker is ready once its models are.
export default initialize();
