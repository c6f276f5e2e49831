import os from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import type { SentenceEmbedder } from '../domain/semantic';
import type { EncoderWorkerData } from './encoder-worker';

/** Encoder threads by default: two at most, as many as the machine has cores below that. */
export const DEFAULT_ENCODER_THREADS = Math.min(2, os.availableParallelism());

/**
 * SentenceEncoders on worker threads (piscina), each with its own model session: the inference
 * holds the thread it runs on (onnxruntime-node's `run` is synchronous), so it runs off the
 * service's main thread, and the answers of one interview are embedded side by side on the cores.
 * About 90 MB of weights per thread.
 */
export class EncoderPool implements SentenceEmbedder {
  private constructor(private readonly pool: Piscina<readonly string[], Float32Array[]>) {}

  /** Starts `threads` workers on the model in `dir`; resolves once one has loaded it, throws (the worker's error) if it cannot. */
  static async start(dir: string, threads: number = DEFAULT_ENCODER_THREADS): Promise<EncoderPool> {
    const workerFile = path.join(__dirname, `encoder-worker${path.extname(__filename)}`);
    const pool = new Piscina<readonly string[], Float32Array[]>({
      filename: workerFile,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
      workerData: { dir } satisfies EncoderWorkerData,
      // TypeScript source (npm start, tests): the workers load it through tsx as the main thread does.
      execArgv: workerFile.endsWith('.ts') ? ['--import', 'tsx'] : [],
    });
    try {
      await pool.run([]);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return new EncoderPool(pool);
  }

  /** SentenceEncoder.encode on a worker thread (see there for shapes and units). */
  encode(texts: readonly string[]): Promise<Float32Array[]> {
    return this.pool.run(texts);
  }

  /** Stops the workers once the tasks given them have finished (piscina's close; destroy would end an inference midway). */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
