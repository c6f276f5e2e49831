/**
 * What AnalysisPool and its workers (analysis-worker.ts) exchange. Kept apart from the worker,
 * whose module starts loading models as soon as it is imported.
 */
import { EncodedFrame, FrameAnalysis, FrameAnalyzer } from './domain/frame-analyzer';
import { FrameFailure } from '../../platform/vision/frame-errors';
import { ModelTimings } from './domain/model-timings';

/** What the pool gives each worker. */
export interface AnalysisWorkerData {
  /** Directory of the ONNX files and MANIFEST.json. */
  readonly modelsDir: string;
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
