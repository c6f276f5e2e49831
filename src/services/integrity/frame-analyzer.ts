import { CancelledError, UnavailableError } from '../../platform/errors/domain-errors';
import { Logger } from '../../platform/log/logger';
import { decodeFrame } from '../../platform/vision/image/decode-frame';
import { analyzeFrameIntegrity, FrameFindings, StageTimings } from './domain/frame-integrity';
import { LoadedIntegrityModels, loadIntegrityModels } from './models/load-models';

/** How a frame is analysed besides its bytes. */
export interface IntegrityAnalyzeOptions {
  /** Run the object detector (the costliest stage) on this frame. */
  readonly objects: boolean;
  /** Drops the frame unanalysed (CANCELLED) if it aborts before its turn: the call ended. */
  readonly signal?: AbortSignal;
  /**
   * The consumer's frames: never refused for load (the queue's prefetch bounds them) and behind no
   * one. Live frames (AnalyzeFrame) are refused with UNAVAILABLE past maxWaitingFrames.
   */
  readonly background?: boolean;
}

/** What the handlers and the consumer analyse frames with (the service's resource). */
export interface IntegrityFrameAnalyzer {
  /**
   * Decodes the frame (the platform's decodeFrame: JPEG or PNG, 8 MiB, 4096 x 4096) and runs the
   * pipeline on it. Throws InvalidInputError (INVALID_ARGUMENT) or LimitExceededError
   * (RESOURCE_EXHAUSTED) for a bad frame, UnavailableError when too many live frames wait already
   * or the service is stopping, CancelledError when its signal aborted before its turn.
   */
  analyze(imageData: Uint8Array, format: string, options: IntegrityAnalyzeOptions): Promise<FrameFindings>;
  /** Frames waiting for the models now (the one running excluded). */
  readonly waitingFrames: number;
  /** Tells `observer` each analysed frame's stage timings until the function returned is called (the service's metrics). */
  observe(observer: TimingsObserver): () => void;
  close(): Promise<void>;
}

/** Milliseconds of each stage of one analysed frame: the pipeline's, and the decoding before it. */
export type FrameTimings = StageTimings & { readonly decode: number };

/** Receives each analysed frame's stage timings (the service's metrics). */
export type TimingsObserver = (timings: FrameTimings) => void;

/**
 * The integrity models on this process's thread, one frame at a time in arrival order.
 * onnxruntime-node runs a session on its caller's thread, so frames taking turns is what happens
 * anyway; waiting here, counted, is what lets a live caller be refused at once (UNAVAILABLE past
 * `maxWaitingFrames`) instead of answered after its deadline. The pipeline costs about 15-25 ms a
 * frame without the object detector and 60-90 ms more with it (`npm run bench:integrity` has the
 * figures); at the default sampling (one frame a second per interview, objects every second frame)
 * a core serves some fifteen to twenty interviews at once. Worker threads, as the emotion service's pool has, are the next
 * step when one core per replica is not enough.
 */
export class SerialFrameAnalyzer implements IntegrityFrameAnalyzer {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private closing = false;
  private readonly observers = new Set<TimingsObserver>();

  constructor(
    private readonly models: LoadedIntegrityModels,
    private readonly maxWaitingFrames: number,
  ) {}

  /** Loads and checks the models in `modelsDir` (MANIFEST.json); throws when they cannot load. */
  static async load(modelsDir: string, maxWaitingFrames: number, log: Logger): Promise<SerialFrameAnalyzer> {
    const started = Date.now();
    const models = await loadIntegrityModels(modelsDir);
    log.info({ modelsDir, ms: Date.now() - started }, 'integrity models loaded');
    return new SerialFrameAnalyzer(models, maxWaitingFrames);
  }

  get waitingFrames(): number {
    return this.waiting;
  }

  observe(observer: TimingsObserver): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  async analyze(imageData: Uint8Array, format: string, options: IntegrityAnalyzeOptions): Promise<FrameFindings> {
    if (this.closing) throw new UnavailableError('the integrity service is shutting down');
    // Decoding first: a bad frame is refused without waiting for the models.
    const decodeStart = performance.now();
    const image = await decodeFrame(imageData, format);
    const decode = performance.now() - decodeStart;
    if (!options.background && this.waiting >= this.maxWaitingFrames) {
      throw new UnavailableError(`the integrity service is overloaded: ${this.waiting} frames are already waiting for the models; retry with backoff`);
    }
    this.waiting += 1;
    const turn = this.tail.then(() => {
      this.waiting -= 1;
      if (options.signal?.aborted) throw new CancelledError('the call ended before its frame reached the models');
      return analyzeFrameIntegrity(this.models, image, { objects: options.objects });
    });
    // The next frame waits for this one whatever its outcome.
    this.tail = turn.catch(() => undefined);
    const findings = await turn;
    for (const observer of this.observers) {
      try {
        observer({ ...findings.timings, decode });
      } catch {
        // Metrics never fail a frame.
      }
    }
    return findings;
  }

  /** Refuses new frames, waits for those accepted, then releases the models' sessions. */
  async close(): Promise<void> {
    this.closing = true;
    await this.tail;
    await this.models.release();
  }
}
