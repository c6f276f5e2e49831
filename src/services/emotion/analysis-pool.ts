import os from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { Piscina } from 'piscina';
import { ServiceError } from '../../platform/grpc/errors';
import { AnalysisTask, AnalysisTaskResult, AnalysisWorkerData, FrameFailure } from './analysis-worker';
import { FaceTracks } from './face/face-tracks';
import { EncodedFrame, FrameAnalysis, FrameAnalyzer } from './frame-analyzer';

/** Frames one worker task analyses at most (one mesh and one classifier run on [N,...] tensors). */
export const MAX_BATCH_FRAMES = 8;

/** What the RPCs and the frame consumer analyse frames with. */
export interface FrameAnalysisService {
  /**
   * Analyses one frame; with a `sessionId`, the face is tracked from the session's previous frame
   * (face-track.ts). A frame still waiting for a worker when `signal` aborts (the call's deadline
   * passed or its client cancelled) is dropped unanalysed. Throws ServiceError INVALID_ARGUMENT or
   * RESOURCE_EXHAUSTED for a bad frame, CANCELLED for a dropped one.
   */
  analyze(imageData: Uint8Array, format: string, sessionId?: string, signal?: AbortSignal): Promise<FrameAnalysis>;
  /** One result per frame, in order: its analysis or its own ServiceError (see FrameAnalyzer.analyzeBatch). */
  analyzeBatch(frames: ReadonlyArray<EncodedFrame & { sessionId?: string }>): Promise<Array<FrameAnalysis | ServiceError>>;
  /** The most confident face and its mesh (always detected); see FrameAnalyzer.detectFace. */
  detectFace(imageData: Uint8Array, format: string): ReturnType<FrameAnalyzer['detectFace']>;
}

export interface AnalysisPoolOptions {
  /** Directory of the ONNX files and MANIFEST.json. */
  readonly modelsDir: string;
  /** Worker threads, each with its own model sessions; default one per core. */
  readonly threads?: number;
  /** Frames per worker task at most; default MAX_BATCH_FRAMES (1 turns micro-batching off). */
  readonly maxBatchFrames?: number;
  /** Track each session's face from frame to frame (face-track.ts); default true. */
  readonly tracking?: boolean;
}

interface Waiting {
  readonly frame: EncodedFrame;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (result: FrameAnalysis | ServiceError) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The emotion service's models on worker threads (piscina), so that inference, which
 * onnxruntime-node runs synchronously on its calling thread, neither blocks gRPC and PostgreSQL on
 * the main thread nor leaves a core idle. Frames wait here, not in piscina's queue, until a worker
 * is free, and then go to it together, up to maxBatchFrames, whichever sessions they come from:
 * micro-batching that adds no wait (an idle worker takes a lone frame at once) and under load runs
 * the mesh and the classifier on batches. Each session's face is tracked from frame to frame
 * (FaceTracks, in this replica's memory).
 */
export class AnalysisPool implements FrameAnalysisService {
  private readonly waiting: Waiting[] = [];
  private running = 0;
  private closing = false;
  private readonly idle: Array<() => void> = [];
  private readonly tracks: FaceTracks | undefined;

  private constructor(
    private readonly pool: Piscina<AnalysisTask, AnalysisTaskResult>,
    private readonly threads: number,
    private readonly maxBatchFrames: number,
    tracking: boolean,
  ) {
    this.tracks = tracking ? new FaceTracks() : undefined;
  }

  /** Starts the workers and resolves once one has loaded its models; throws if they cannot load. */
  static async start(options: AnalysisPoolOptions): Promise<AnalysisPool> {
    const threads = options.threads ?? os.availableParallelism();
    const workerFile = path.join(__dirname, `analysis-worker${path.extname(__filename)}`);
    const pool = new Piscina<AnalysisTask, AnalysisTaskResult>({
      filename: workerFile,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
      workerData: { modelsDir: options.modelsDir } satisfies AnalysisWorkerData,
      // TypeScript source (npm start, tests): the workers load it through tsx as the main thread does.
      execArgv: workerFile.endsWith('.ts') ? ['--import', 'tsx'] : [],
    });
    const self = new AnalysisPool(pool, threads, options.maxBatchFrames ?? MAX_BATCH_FRAMES, options.tracking ?? true);
    await pool.run({ kind: 'analyze', frames: [] });
    return self;
  }

  async analyze(imageData: Uint8Array, format: string, sessionId?: string, signal?: AbortSignal): Promise<FrameAnalysis> {
    const [result] = await this.analyzeTracked([{ imageData, format, sessionId }], signal);
    if (result instanceof ServiceError) throw result;
    return result;
  }

  analyzeBatch(frames: ReadonlyArray<EncodedFrame & { sessionId?: string }>): Promise<Array<FrameAnalysis | ServiceError>> {
    return this.analyzeTracked(frames);
  }

  async detectFace(imageData: Uint8Array, format: string): ReturnType<FrameAnalyzer['detectFace']> {
    const frame = transferable({ imageData, format });
    const result = await this.pool.run({ kind: 'detectFace', frame }, { transferList: [frame.imageData.buffer as ArrayBuffer] });
    if (isFailure(result)) throw new ServiceError(result.failed.code, result.failed.message);
    return result as Awaited<ReturnType<FrameAnalyzer['detectFace']>>;
  }

  /**
   * Refuses new frames (UNAVAILABLE) and those still waiting, lets the workers finish the frames
   * they hold, then stops them (terminating a worker inside onnxruntime aborts the process).
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.waiting.splice(0)) w.reject(ServiceError.unavailable('the emotion service is shutting down'));
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.pool.close();
  }

  /** Each frame from its session's track, if any; each analysed frame's track kept for the session's next. */
  private async analyzeTracked(frames: ReadonlyArray<EncodedFrame & { sessionId?: string }>, signal?: AbortSignal): Promise<Array<FrameAnalysis | ServiceError>> {
    const tracked = frames.map((f) => ({ imageData: f.imageData, format: f.format, track: f.sessionId ? this.tracks?.get(f.sessionId) : undefined }));
    const results = await this.enqueue(tracked, signal);
    results.forEach((result, k) => {
      const sessionId = frames[k].sessionId;
      if (sessionId && !(result instanceof ServiceError)) this.tracks?.set(sessionId, result.track);
    });
    return results;
  }

  private enqueue(frames: readonly EncodedFrame[], signal?: AbortSignal): Promise<Array<FrameAnalysis | ServiceError>> {
    if (this.closing) return Promise.reject(ServiceError.unavailable('the emotion service is shutting down'));
    const results = frames.map((frame) => new Promise<FrameAnalysis | ServiceError>((resolve, reject) => this.waiting.push({ frame, signal, resolve, reject })));
    this.dispatch();
    return Promise.all(results);
  }

  /** Gives waiting frames to free workers, up to maxBatchFrames each; drops those whose call ended. */
  private dispatch(): void {
    while (this.running < this.threads && this.waiting.length > 0) {
      const batch: Waiting[] = [];
      while (batch.length < this.maxBatchFrames && this.waiting.length > 0) {
        const next = this.waiting.shift()!;
        if (next.signal?.aborted) next.reject(new ServiceError(status.CANCELLED, 'the call ended before its frame reached the models'));
        else batch.push(next);
      }
      if (batch.length === 0) continue;
      this.running++;
      const frames = batch.map((w) => transferable(w.frame));
      this.pool
        .run({ kind: 'analyze', frames }, { transferList: frames.map((f) => f.imageData.buffer as ArrayBuffer) })
        .then(
          (results) => (results as Array<FrameAnalysis | FrameFailure>).forEach((r, k) => batch[k].resolve(isFailure(r) ? new ServiceError(r.failed.code, r.failed.message) : r)),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          this.running--;
          if (this.running === 0) this.idle.splice(0).forEach((resolve) => resolve());
          this.dispatch();
        });
    }
  }
}

/**
 * The frame with its bytes in an ArrayBuffer of their own, to transfer rather than clone (a gRPC
 * message's bytes are a view into a larger buffer that cloning would copy whole).
 */
function transferable(frame: EncodedFrame): EncodedFrame {
  return { ...frame, imageData: new Uint8Array(frame.imageData) };
}

function isFailure(result: unknown): result is FrameFailure {
  return typeof result === 'object' && result !== null && 'failed' in result;
}
