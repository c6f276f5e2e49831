/**
 * A worker thread of IntegrityAnalysisPool (piscina): loads and verifies its own ONNX Runtime
 * sessions of the four integrity models once (loadIntegrityModels), then decodes and analyses one
 * frame per task (decodeFrame, analyzeFrameIntegrity). onnxruntime-node runs inference synchronously
 * on the calling thread, so the models run here, off the service's main thread (gRPC, health
 * checks, PostgreSQL, the broker's heartbeats). Frames arrive encoded (tens of kilobytes,
 * transferred); the decoded pixels never leave this thread; the findings go back as plain data
 * (structured cloning keeps a closed eye's NaN gaze angles and the pose's Float64Array).
 */
import { workerData } from 'node:worker_threads';
import { asFrameFailure } from '../../platform/vision/frame-errors';
import { decodeFrame } from '../../platform/vision/image/decode-frame';
import { IntegrityTask, IntegrityTaskResult, IntegrityWorkerData } from './analysis-task';
import { analyzeFrameIntegrity } from './domain/frame-integrity';
import { LoadedIntegrityModels, loadIntegrityModels } from './models/load-models';

async function initialize(): Promise<(task: IntegrityTask) => Promise<IntegrityTaskResult>> {
  const { modelsDir, threads, loaded, readyTimeoutMs } = workerData as IntegrityWorkerData;
  const loadedCount = new Int32Array(loaded);
  let models: LoadedIntegrityModels | undefined;
  let failure: Error | undefined;
  try {
    models = await loadIntegrityModels(modelsDir);
  } catch (error) {
    // Every task fails with the reason (piscina would hide a rejected export behind an import error).
    failure = error instanceof Error ? error : new Error(String(error));
  } finally {
    Atomics.add(loadedCount, 0, 1);
    Atomics.notify(loadedCount, 0);
  }

  return async (task) => {
    if (failure || !models) throw failure ?? new Error('the integrity models did not load');
    if (task.kind === 'ready') {
      waitForAllLoaded(loadedCount, threads, readyTimeoutMs);
      return { ready: true };
    }
    const started = performance.now();
    const image = await decodeFrame(task.imageData, task.format).catch(asFrameFailure);
    if ('failed' in image) return image;
    const decode = performance.now() - started;
    return { findings: await analyzeFrameIntegrity(models, image, { objects: task.objects }), decode };
  };
}

/**
 * Blocks this worker (it has nothing else to do: piscina gives it no task meanwhile) until
 * `threads` workers have finished loading; throws after `timeoutMs`.
 */
function waitForAllLoaded(loadedCount: Int32Array, threads: number, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (let seen = Atomics.load(loadedCount, 0); seen < threads; seen = Atomics.load(loadedCount, 0)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`${seen} of ${threads} integrity workers loaded their models within ${timeoutMs} ms`);
    Atomics.wait(loadedCount, 0, seen, left);
  }
}

// piscina awaits the exported promise before giving the worker tasks: a worker is ready once its models are.
export default initialize();
