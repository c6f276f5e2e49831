/**
 * A worker thread of EncoderPool (piscina): loads its own SentenceEncoder (tokenizer and ONNX
 * Runtime session) once, then embeds the texts of each task. onnxruntime-node runs inference
 * synchronously on the calling thread, so the model runs here, off the service's main thread
 * (gRPC, PostgreSQL, its consumers).
 */
import { workerData } from 'node:worker_threads';
import { SentenceEncoder } from './sentence-encoder';

/** What EncoderPool gives each worker. */
export interface EncoderWorkerData {
  /** The model's directory (model.onnx, tokenizer.json). */
  readonly dir: string;
}

async function initialize(): Promise<(texts: readonly string[]) => Promise<Float32Array[]>> {
  const { dir } = workerData as EncoderWorkerData;
  try {
    const encoder = await SentenceEncoder.load(dir);
    return (texts) => encoder.encode(texts);
  } catch (error) {
    // Every task fails with the reason (piscina would hide a rejected export behind an import error).
    const reason = error instanceof Error ? error : new Error(String(error));
    return () => Promise.reject(reason);
  }
}

// piscina awaits the exported promise before giving the worker tasks: a worker is ready once its model is.
export default initialize();
