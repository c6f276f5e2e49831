/**
 * What AnalysisPool and its workers (analysis-worker.ts) exchange. Kept apart from the worker,
 * whose module starts loading models as soon as it is imported.
 */
import { EncodedFrame, FrameAnalysis, FrameAnalyzer } from './domain/frame-analyzer';
import { FrameRejection, FrameTooLargeError, InvalidFrameError, isFrameRejection } from '../../platform/vision/frame-errors';
import { ModelTimings } from './domain/model-timings';

/** What the pool gives each worker. */
export interface AnalysisWorkerData {
  /** Directory of the ONNX files and MANIFEST.json. */
  readonly modelsDir: string;
}

/** A frame's rejection as it crosses threads (a class does not survive structured cloning). */
export interface FrameFailure {
  readonly failed: { readonly tooLarge: boolean; readonly message: string };
}

export type AnalysisTask =
  { readonly kind: 'analyze'; readonly frames: readonly EncodedFrame[] } | { readonly kind: 'detectFace'; readonly frame: EncodedFrame };

/** An `analyze` task's answer: one result per frame, in order, and the models' time on them (measured in the worker). */
export interface AnalyzeTaskResult {
  readonly results: (FrameAnalysis | FrameFailure)[];
  readonly timings: ModelTimings;
}

/** A `detectFace` task's answer: the face found (or none, or the frame's failure) and the models' time on it. */
export interface DetectFaceTaskResult {
  readonly found: Awaited<ReturnType<FrameAnalyzer['detectFace']>> | FrameFailure;
  readonly timings: ModelTimings;
}

export type AnalysisTaskResult = AnalyzeTaskResult | DetectFaceTaskResult;

/** A frame's rejection as data to send back to the pool; anything else is rethrown. */
export function asFailure(error: unknown): FrameFailure {
  if (isFrameRejection(error)) return { failed: { tooLarge: error instanceof FrameTooLargeError, message: error.message } };
  throw error;
}

/** The rejection a FrameFailure carried across the threads, as its class again. */
export function rejectionOf(failure: FrameFailure): FrameRejection {
  return failure.failed.tooLarge ? new FrameTooLargeError(failure.failed.message) : new InvalidFrameError(failure.failed.message);
}
