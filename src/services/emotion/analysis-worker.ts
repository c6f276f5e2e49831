/**
 * A worker thread of AnalysisPool (piscina): loads its own ONNX Runtime sessions once, then
 * decodes and analyses the frames of each task. onnxruntime-node runs inference synchronously on
 * the calling thread, so the models run here, off the service's main thread (gRPC, PostgreSQL).
 * Frames arrive encoded (tens of kilobytes, transferred); the decoded pixels never leave this thread.
 */
import { workerData } from 'node:worker_threads';
import { EmotionClassifier } from './domain/expression/emotion-classifier';
import { FaceDetector } from '../../platform/vision/face/face-detector';
import { FaceMeshModel } from '../../platform/vision/face/face-mesh';
import { FrameAnalyzer } from './domain/frame-analyzer';
import { asFrameFailure, isFrameRejection } from '../../platform/vision/frame-errors';
import { noModelTimings } from './domain/model-timings';
import { loadModels } from './models/load-models';
import { AnalysisTask, AnalysisTaskResult, AnalysisWorkerData } from './analysis-task';

async function initialize(): Promise<(task: AnalysisTask) => Promise<AnalysisTaskResult>> {
  const { modelsDir } = workerData as AnalysisWorkerData;
  let models: Awaited<ReturnType<typeof loadModels>>;
  try {
    models = await loadModels(modelsDir);
  } catch (error) {
    // Every task fails with the reason (piscina would hide a rejected export behind an import error).
    const reason = error instanceof Error ? error : new Error(String(error));
    return () => Promise.reject(reason);
  }
  const analyzer = new FrameAnalyzer(
    new FaceDetector(models.faceDetector),
    new FaceMeshModel(models.faceMesh),
    new EmotionClassifier(models.emotionClassifier),
  );
  // Each model's time is measured here, where it runs, and goes back with the results: the pool
  // records it in the process's metrics on the main thread.
  return async (task) => {
    const timings = noModelTimings();
    if (task.kind === 'detectFace') {
      const found = await analyzer.detectFace(task.frame.imageData, task.frame.format, timings).catch(asFrameFailure);
      return { found, timings };
    }
    const results = await analyzer.analyzeBatch(task.frames, timings);
    return { results: results.map((r) => (isFrameRejection(r) ? asFrameFailure(r) : r)), timings };
  };
}

// piscina awaits the exported promise before giving the worker tasks: a worker is ready once its models are.
export default initialize();
