import os from 'node:os';
import { Piscina } from 'piscina';
import { CancelledError, UnavailableError } from '../../platform/errors/domain-errors';
import { ownedBytes, startModelWorkers, workerModule } from '../../platform/workers/model-workers';
import { AnalysisTask, AnalysisTaskResult, AnalysisWorkerData, AnalyzeTaskResult, DetectFaceTaskResult } from './analysis-task';
import { FrameRejection, frameRejectionOf, isFrameFailure, isFrameRejection } from '../../platform/vision/frame-errors';
import { FaceTracks } from './domain/face/face-tracks';
import { EncodedFrame, FrameAnalysis, FrameAnalyzer } from './domain/frame-analyzer';
import { ModelTimings } from './domain/model-timings';

/** Frames one worker task analyses at most (one mesh and one classifier run on [N,...] tensors). */
export const MAX_BATCH_FRAMES = 8;

/** How a frame is analyzed besides its bytes. */
export interface AnalyzeOptions {
  /** Drops the frame unanalyzed (CANCELLED) if it aborts before a worker takes it: the call ended. */
  readonly signal?: AbortSignal;
  /**
   * Queued work (the frame consumer's, AnalyzeBatch's): it waits behind every live frame, takes
   * the capacity live frames leave, and is never refused for load. Live frames (AnalyzeFrame) go
   * first, and are refused past maxWaitingLiveFrames.
   */
  readonly background?: boolean;
}

/** What a pool reports as it works (the emotion service's metrics: analysis-metrics.ts), on the main thread. */
export interface AnalysisObserver {
  /** The models' time on the frames of one worker task, measured in the worker (see ModelTimings). */
  inference(timings: ModelTimings): void;
  /** `frames` live frames refused with UNAVAILABLE because too many already waited (load shedding). */
  shed(frames: number): void;
}

/** What the RPCs and the frame consumer analyze frames with. */
export interface FrameAnalysisService {
  /**
   * Analyses one frame; with a `sessionId`, the face is tracked from the session's previous frame
   * (face-track.ts). Throws InvalidFrameError or FrameTooLargeError for a bad frame, CancelledError
   * for one dropped when its signal aborted, UnavailableError for a live frame refused because too
   * many are already waiting (load shedding: a frame that would wait seconds is better queued by its
   * caller, the interview service, than answered after its deadline) or while shutting down.
   */
  analyze(imageData: Uint8Array, format: string, sessionId?: string, options?: AnalyzeOptions): Promise<FrameAnalysis>;
  /** One result per frame, in order: its analysis or its own FrameRejection (see FrameAnalyzer.analyzeBatch); background work. */
  analyzeBatch(frames: readonly (EncodedFrame & { sessionId?: string })[]): Promise<(FrameAnalysis | FrameRejection)[]>;
  /** The most confident face and its mesh (always detected); see FrameAnalyzer.detectFace. */
  detectFace(imageData: Uint8Array, format: string): ReturnType<FrameAnalyzer['detectFace']>;
  /** Frames waiting for a worker now (analyzers with a queue: AnalysisPool). */
  readonly waitingFrames?: number;
  /** Reports to `observer` until the function returned is called (analyzers that observe their models: AnalysisPool). */
  observe?(observer: AnalysisObserver): () => void;
}

export interface AnalysisPoolOptions {
  /** Directory of the ONNX files and MANIFEST.json. */
  readonly modelsDir: string;
  /** Worker threads, each with its own model sessions; default one per core. */
  readonly threads?: number;
  /** Queued frames per worker task at most; default MAX_BATCH_FRAMES (1 turns micro-batching off). */
  readonly maxBatchFrames?: number;
  /** Track each session's face from frame to frame (face-track.ts); default true. */
  readonly tracking?: boolean;
  /**
   * Live frames that may wait for a worker; one more is refused with UNAVAILABLE. Default
   * DEFAULT_MAX_WAITING_LIVE_FRAMES per thread.
   */
  readonly maxWaitingLiveFrames?: number;
}

/**
 * Live frames that may wait per worker thread by default. `npm run bench:emotion` at 100 sessions
 * (200 frames/s offered to 2 cores): waiting without bound, p99 6.5 s at about 120 frames/s
 * served; 8 waiting in batches of 8, p99 320 ms at 122; 1 per thread, live frames unbatched, p99
 * 95-135 ms at 82-103 over three runs (a refused frame still costs the main thread its receipt).
 */
export const DEFAULT_MAX_WAITING_LIVE_FRAMES = 1;

interface Waiting {
  readonly frame: EncodedFrame;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (result: FrameAnalysis | FrameRejection) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The emotion service's models on worker threads (piscina), so that inference, which
 * onnxruntime-node runs synchronously on its calling thread, neither blocks gRPC and PostgreSQL on
 * the main thread nor leaves a core idle. Frames wait here, not in piscina's queue, until a worker
 * is free: live frames (AnalyzeFrame) first, one to a worker, and refused with UNAVAILABLE past
 * maxWaitingLiveFrames (load shedding: the interview service queues a refused frame, and the
 * frames accepted keep their latency); queued work behind them, in micro-batches of up to
 * maxBatchFrames whichever sessions they come from, which run the mesh and the classifier on
 * [N,...] tensors. Each session's face is tracked from frame to frame (FaceTracks, in this
 * replica's memory).
 */
export class AnalysisPool implements FrameAnalysisService {
  /** Live frames (AnalyzeFrame), first in line. */
  private readonly live: Waiting[] = [];
  /** Queued work, behind every live frame. */
  private readonly background: Waiting[] = [];
  private running = 0;
  private closing = false;
  private readonly idle: (() => void)[] = [];
  private readonly tracks: FaceTracks | undefined;
  private readonly observers = new Set<AnalysisObserver>();

  private constructor(
    private readonly pool: Piscina<AnalysisTask, AnalysisTaskResult>,
    private readonly threads: number,
    private readonly maxBatchFrames: number,
    private readonly maxWaitingLiveFrames: number,
    tracking: boolean,
  ) {
    this.tracks = tracking ? new FaceTracks() : undefined;
  }

  /** Starts the workers and resolves once one has loaded its models; throws if they cannot load. */
  static async start(options: AnalysisPoolOptions): Promise<AnalysisPool> {
    const threads = options.threads ?? os.availableParallelism();
    const pool = startModelWorkers<AnalysisTask, AnalysisTaskResult, AnalysisWorkerData>({
      filename: workerModule(__dirname, __filename, 'analysis-worker'),
      threads,
      workerData: { modelsDir: options.modelsDir },
    });
    const maxWaitingLive = options.maxWaitingLiveFrames ?? threads * DEFAULT_MAX_WAITING_LIVE_FRAMES;
    const self = new AnalysisPool(pool, threads, options.maxBatchFrames ?? MAX_BATCH_FRAMES, maxWaitingLive, options.tracking ?? true);
    await pool.run({ kind: 'analyze', frames: [] });
    return self;
  }

  async analyze(imageData: Uint8Array, format: string, sessionId?: string, options: AnalyzeOptions = {}): Promise<FrameAnalysis> {
    const [result] = await this.analyzeTracked([{ imageData, format, sessionId }], options);
    if (isFrameRejection(result)) throw result;
    return result;
  }

  analyzeBatch(frames: readonly (EncodedFrame & { sessionId?: string })[]): Promise<(FrameAnalysis | FrameRejection)[]> {
    return this.analyzeTracked(frames, { background: true });
  }

  async detectFace(imageData: Uint8Array, format: string): ReturnType<FrameAnalyzer['detectFace']> {
    const frame = transferable({ imageData, format });
    const { found, timings } = (await this.pool.run(
      { kind: 'detectFace', frame },
      { transferList: [frame.imageData.buffer as ArrayBuffer] },
    )) as DetectFaceTaskResult;
    this.report(timings);
    if (isFrameFailure(found)) throw frameRejectionOf(found);
    return found;
  }

  /**
   * Frames waiting for a worker: live and queued frames not yet given to one, and DetectFace and
   * DetectBlink frames in piscina's queue (they skip admission and go to piscina directly).
   */
  get waitingFrames(): number {
    return this.live.length + this.background.length + this.pool.queueSize;
  }

  /** Reports each task's model timings and each frame shed to `observer`, until the function returned is called. */
  observe(observer: AnalysisObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /**
   * Refuses new frames (UNAVAILABLE) and those still waiting, lets the workers finish the frames
   * they hold, then stops them (terminating a worker inside onnxruntime aborts the process).
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const w of [...this.live.splice(0), ...this.background.splice(0)]) w.reject(new UnavailableError('the emotion service is shutting down'));
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.pool.close();
  }

  /** Each frame from its session's track, if any; each analyzed frame's track kept for the session's next. */
  private async analyzeTracked(
    frames: readonly (EncodedFrame & { sessionId?: string })[],
    options: AnalyzeOptions,
  ): Promise<(FrameAnalysis | FrameRejection)[]> {
    const tracked = frames.map((f) => ({ imageData: f.imageData, format: f.format, track: f.sessionId ? this.tracks?.get(f.sessionId) : undefined }));
    const results = await this.enqueue(tracked, options);
    results.forEach((result, k) => {
      const sessionId = frames[k].sessionId;
      if (sessionId && !isFrameRejection(result)) this.tracks?.set(sessionId, result.track);
    });
    return results;
  }

  private enqueue(frames: readonly EncodedFrame[], { signal, background = false }: AnalyzeOptions): Promise<(FrameAnalysis | FrameRejection)[]> {
    if (this.closing) return Promise.reject(new UnavailableError('the emotion service is shutting down'));
    const line = background ? this.background : this.live;
    // A free worker takes the frame at once, so only frames that would really wait are counted.
    if (!background && this.live.length + frames.length > this.maxWaitingLiveFrames + this.freeWorkers()) {
      this.notify((observer) => {
        observer.shed(frames.length);
      });
      return Promise.reject(
        new UnavailableError(`the emotion service is overloaded: ${this.live.length} frames are already waiting for the models; retry with backoff`),
      );
    }
    const results = frames.map((frame) => new Promise<FrameAnalysis | FrameRejection>((resolve, reject) => line.push({ frame, signal, resolve, reject })));
    this.dispatch();
    return Promise.all(results);
  }

  private freeWorkers(): number {
    return this.threads - this.running;
  }

  /** Gives waiting frames, live ones first, to free workers, up to maxBatchFrames each; drops those whose call ended. */
  private dispatch(): void {
    while (this.running < this.threads && this.live.length + this.background.length > 0) {
      // Live frames go one to a worker: in a micro-batch each frame waits for all the others,
      // which under load costs live latency more than batching saves. Queued work is batched.
      const line = this.live.length > 0 ? this.live : this.background;
      const size = line === this.live ? 1 : this.maxBatchFrames;
      const batch: Waiting[] = [];
      while (batch.length < size) {
        const next = line.shift();
        if (!next) break;
        if (next.signal?.aborted) next.reject(new CancelledError('the call ended before its frame reached the models'));
        else batch.push(next);
      }
      if (batch.length === 0) continue;
      this.running++;
      const frames = batch.map((w) => transferable(w.frame));
      this.pool
        .run({ kind: 'analyze', frames }, { transferList: frames.map((f) => f.imageData.buffer as ArrayBuffer) })
        .then(
          (answer) => {
            const { results, timings } = answer as AnalyzeTaskResult;
            results.forEach((r, k) => {
              batch[k].resolve(isFrameFailure(r) ? frameRejectionOf(r) : r);
            });
            this.report(timings);
          },
          (error: unknown) => {
            batch.forEach((w) => {
              w.reject(error);
            });
          },
        )
        .finally(() => {
          this.running--;
          if (this.running === 0) {
            this.idle.splice(0).forEach((resolve) => {
              resolve();
            });
          }
          this.dispatch();
        });
    }
  }

  private report(timings: ModelTimings): void {
    this.notify((observer) => {
      observer.inference(timings);
    });
  }

  /** Tells every observer; an observer's failure is its own (metrics never fail a frame). */
  private notify(tell: (observer: AnalysisObserver) => void): void {
    for (const observer of this.observers) {
      try {
        tell(observer);
      } catch {
        // The frame's outcome stands whatever its metrics do.
      }
    }
  }
}

/** The frame with its bytes in an ArrayBuffer of their own, to transfer rather than clone (ownedBytes). */
function transferable(frame: EncodedFrame): EncodedFrame {
  return { ...frame, imageData: ownedBytes(frame.imageData) };
}
