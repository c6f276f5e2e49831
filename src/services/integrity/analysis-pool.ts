import { Piscina } from 'piscina';
import { CancelledError, UnavailableError } from '../../platform/errors/domain-errors';
import { Logger } from '../../platform/log/logger';
import { frameRejectionOf, isFrameFailure } from '../../platform/vision/frame-errors';
import { precheckFrame } from '../../platform/vision/image/decode-frame';
import { ownedBytes, startModelWorkers, workerModule } from '../../platform/workers/model-workers';
import { AnalyzedFrame, IntegrityTask, IntegrityTaskResult, IntegrityWorkerData } from './analysis-task';
import { FrameFindings } from './domain/frame-integrity';
import { DEFAULT_INTEGRITY_THREADS } from './settings';
import { IntegrityAnalyzeOptions, IntegrityFrameAnalyzer, TimingsObserver } from './frame-analyzer';

export interface IntegrityAnalysisPoolOptions {
  /** Directory of the ONNX files and MANIFEST.json. */
  readonly modelsDir: string;
  /** Worker threads, each with its own sessions of the four models (INTEGRITY_ANALYSIS_THREADS); default DEFAULT_INTEGRITY_THREADS. */
  readonly threads?: number;
  /** Live frames (AnalyzeFrame) that may wait for a worker; one more is refused with UNAVAILABLE (INTEGRITY_MAX_WAITING_FRAMES). */
  readonly maxWaitingFrames: number;
  /** Milliseconds start() waits for every worker to load its models; default 10 minutes (a loaded machine, a slow disk). */
  readonly loadTimeoutMs?: number;
}

interface Waiting {
  readonly imageData: Uint8Array;
  readonly format: string;
  readonly options: IntegrityAnalyzeOptions;
  readonly resolve: (findings: FrameFindings) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The integrity models on worker threads (piscina; analysis-worker.ts), so that inference, which
 * onnxruntime-node runs synchronously on its calling thread (100-400 ms for a frame with the object
 * detector on a loaded machine), never stalls the service's event loop: health checks,
 * GetAssessment, the consumer's broker heartbeats. Each worker loads and verifies the models once;
 * a frame's bytes are checked here (precheckFrame: a bad frame is refused before it waits), then
 * transferred to a worker, which decodes and analyses it and returns its findings as plain data.
 *
 * Frames wait here, not in piscina's queue, in arrival order, until a worker is free: a live frame
 * (AnalyzeFrame) that would wait is refused with UNAVAILABLE once maxWaitingFrames already wait
 * (load shedding: better refused at once than answered after its deadline), while the consumer's
 * frames (background) always wait their turn (the queue's prefetch bounds them). Each analysed
 * frame's stage timings, decoding included, go to the observers (the service's metrics).
 */
export class IntegrityAnalysisPool implements IntegrityFrameAnalyzer {
  private readonly waiting: Waiting[] = [];
  private running = 0;
  private closing = false;
  private readonly idle: (() => void)[] = [];
  private readonly observers = new Set<TimingsObserver>();

  private constructor(
    private readonly pool: Piscina<IntegrityTask, IntegrityTaskResult>,
    private readonly threads: number,
    private readonly maxWaitingFrames: number,
  ) {}

  /**
   * Starts the workers and resolves once every one has loaded and verified its models
   * (loadIntegrityModels); rejects with a worker's load error (a file missing or differing from
   * MANIFEST.json), the pool closed.
   */
  static async start(options: IntegrityAnalysisPoolOptions, log: Logger): Promise<IntegrityAnalysisPool> {
    const threads = options.threads ?? DEFAULT_INTEGRITY_THREADS;
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a whole number >= 1, got ${threads}`);
    const started = Date.now();
    const pool = startModelWorkers<IntegrityTask, IntegrityTaskResult, IntegrityWorkerData>({
      filename: workerModule(__dirname, __filename, 'analysis-worker'),
      threads,
      workerData: { modelsDir: options.modelsDir, threads, loaded: new SharedArrayBuffer(4), readyTimeoutMs: options.loadTimeoutMs ?? 600_000 },
    });
    // One `ready` task per worker, each held until all have loaded: all settled, so that no worker
    // is still loading (inside onnxruntime) when a failed start closes the pool.
    const readiness = await Promise.allSettled(Array.from({ length: threads }, () => pool.run({ kind: 'ready' })));
    const failed = readiness.find((r) => r.status === 'rejected');
    if (failed) {
      await pool.close();
      throw failed.reason;
    }
    log.info({ modelsDir: options.modelsDir, threads, ms: Date.now() - started }, 'integrity models loaded');
    return new IntegrityAnalysisPool(pool, threads, options.maxWaitingFrames);
  }

  /** Frames accepted and waiting for a worker (those in a worker excluded). */
  get waitingFrames(): number {
    return this.waiting.length;
  }

  /** Whether a worker is analysing a frame now. */
  get busy(): boolean {
    return this.running > 0;
  }

  observe(observer: TimingsObserver): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  async analyze(imageData: Uint8Array, format: string, options: IntegrityAnalyzeOptions): Promise<FrameFindings> {
    this.refuseWhenClosing();
    // Before it waits: what decodeFrame would refuse without decoding (not an image, past the bounds).
    await precheckFrame(imageData, format);
    // close() may have begun meanwhile, and then waits only for the frames accepted before it.
    this.refuseWhenClosing();
    // A frame a free worker takes at once is never refused; one that would wait, past the bound.
    const wouldWait = this.running >= this.threads || this.waiting.length > 0;
    if (!options.background && wouldWait && this.waiting.length >= this.maxWaitingFrames) {
      throw new UnavailableError(`the integrity service is overloaded: ${this.waiting.length} frames are already waiting for the models; retry with backoff`);
    }
    const analysed = new Promise<FrameFindings>((resolve, reject) => {
      this.waiting.push({ imageData, format, options, resolve, reject });
    });
    this.dispatch();
    return analysed;
  }

  /**
   * Refuses new frames (UNAVAILABLE), lets those accepted be analysed, then stops the workers
   * (piscina's close: no worker is terminated inside onnxruntime, which would abort the process).
   */
  async close(): Promise<void> {
    this.closing = true;
    if (this.running > 0 || this.waiting.length > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.pool.close();
  }

  private refuseWhenClosing(): void {
    if (this.closing) throw new UnavailableError('the integrity service is shutting down');
  }

  /** Gives waiting frames, in arrival order, to free workers; drops those whose call ended. */
  private dispatch(): void {
    while (this.running < this.threads && this.waiting.length > 0) {
      const next = this.waiting.shift();
      if (!next) break;
      if (next.options.signal?.aborted) {
        next.reject(new CancelledError('the call ended before its frame reached the models'));
        continue;
      }
      this.running++;
      const imageData = ownedBytes(next.imageData);
      this.pool
        .run({ kind: 'analyze', imageData, format: next.format, objects: next.options.objects }, { transferList: [imageData.buffer] })
        .then((answer) => {
          if (isFrameFailure(answer)) throw frameRejectionOf(answer);
          const { findings, decode } = answer as AnalyzedFrame;
          this.report({ ...findings.timings, decode });
          next.resolve(findings);
        })
        .catch(next.reject)
        .finally(() => {
          this.running--;
          this.dispatch();
        });
    }
    // Nothing left: a close() waiting for the frames accepted may go on.
    if (this.running === 0 && this.waiting.length === 0) {
      this.idle.splice(0).forEach((resolve) => {
        resolve();
      });
    }
  }

  /** Tells every observer; an observer's failure is its own (metrics never fail a frame). */
  private report(timings: Parameters<TimingsObserver>[0]): void {
    for (const observer of this.observers) {
      try {
        observer(timings);
      } catch {
        // The frame's outcome stands whatever its metrics do.
      }
    }
  }
}
