/**
 * What IntegrityAnalysisPool and its workers (analysis-worker.ts) exchange. Kept apart from the
 * worker, whose module starts loading models as soon as it is imported.
 */
import { FrameFailure } from '../../platform/vision/frame-errors';
import { FrameFindings } from './domain/frame-integrity';

/** What the pool gives each worker. */
export interface IntegrityWorkerData {
  /** Directory of the ONNX files and MANIFEST.json. */
  readonly modelsDir: string;
  /** Workers the pool starts: the `ready` task waits until this many have loaded (or failed to load) their models. */
  readonly threads: number;
  /**
   * One Int32 shared by the pool's workers (a SharedArrayBuffer is shared, not cloned): how many
   * have finished loading their models, successfully or not.
   */
  readonly loaded: SharedArrayBuffer;
  /** Milliseconds the `ready` task waits for the other workers before it fails. */
  readonly readyTimeoutMs: number;
}

/**
 * `ready`: resolves once every worker of the pool has loaded its models, rejecting with this
 * worker's load error if it has one (the pool runs one per worker: each holds its worker until all
 * are loaded, so none takes two). `analyze`: decodes one frame and runs the integrity pipeline.
 */
export type IntegrityTask =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'analyze';
      /** The encoded frame (JPEG or PNG), in an ArrayBuffer of its own, transferred. */
      readonly imageData: Uint8Array;
      /** The request's declared format ('' for none). */
      readonly format: string;
      /** Run the object detector on it. */
      readonly objects: boolean;
    };

/** An analysed frame: its findings (their stage timings included) and its decoding's milliseconds, both measured in the worker. */
export interface AnalyzedFrame {
  readonly findings: FrameFindings;
  readonly decode: number;
}

/** A `ready` task's answer. */
export interface WorkerReady {
  readonly ready: true;
}

/** An `analyze` task's answer: the frame analysed, or why the decoder refused it (FrameFailure: its error's class does not cross threads). */
export type IntegrityTaskResult = AnalyzedFrame | FrameFailure | WorkerReady;
