/**
 * What AnalysisPool and its workers (analysis-worker.ts) exchange. Kept apart from the worker,
 * whose module starts loading models as soon as it is imported.
 */
import { EncodedFrame, FrameAnalysis, FrameAnalyzer } from './domain/frame-analyzer';
import { FrameRejection, FrameTooLargeError, InvalidFrameError, isFrameRejection } from './domain/errors';

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

export type AnalysisTaskResult = (FrameAnalysis | FrameFailure)[] | Awaited<ReturnType<FrameAnalyzer['detectFace']>> | FrameFailure;

/** A frame's rejection as data to send back to the pool; anything else is rethrown. */
export function asFailure(error: unknown): FrameFailure {
  if (isFrameRejection(error)) return { failed: { tooLarge: error instanceof FrameTooLargeError, message: error.message } };
  throw error;
}

/** The rejection a FrameFailure carried across the threads, as its class again. */
export function rejectionOf(failure: FrameFailure): FrameRejection {
  return failure.failed.tooLarge ? new FrameTooLargeError(failure.failed.message) : new InvalidFrameError(failure.failed.message);
}
