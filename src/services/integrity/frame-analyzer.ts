import { FrameFindings, StageTimings } from './domain/frame-integrity';

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

/** What the handlers and the consumer analyse frames with (the service's resource: IntegrityAnalysisPool, analysis-pool.ts). */
export interface IntegrityFrameAnalyzer {
  /**
   * Decodes the frame (the platform's decodeFrame: JPEG or PNG, 8 MiB, 4096 x 4096) and runs the
   * pipeline on it (analyzeFrameIntegrity). Throws InvalidFrameError (an InvalidInputError:
   * INVALID_ARGUMENT) or FrameTooLargeError (a LimitExceededError: RESOURCE_EXHAUSTED) for a bad frame, UnavailableError when too many live frames wait already
   * or the service is stopping, CancelledError when its signal aborted before its turn.
   */
  analyze(imageData: Uint8Array, format: string, options: IntegrityAnalyzeOptions): Promise<FrameFindings>;
  /** Frames accepted and waiting for the models now (those being analysed excluded). */
  readonly waitingFrames: number;
  /** Tells `observer` each analysed frame's stage timings until the function returned is called (the service's metrics). */
  observe(observer: TimingsObserver): () => void;
  close(): Promise<void>;
}

/** Milliseconds of each stage of one analysed frame: the pipeline's, and the decoding before it. */
export type FrameTimings = StageTimings & { readonly decode: number };

/** Receives each analysed frame's stage timings (the service's metrics). */
export type TimingsObserver = (timings: FrameTimings) => void;
