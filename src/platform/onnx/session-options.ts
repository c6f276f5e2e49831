import type * as ort from 'onnxruntime-node';

/** ONNX Runtime session options a caller may set; defaults in ONE_THREAD_SESSION_OPTIONS. */
export type OnnxSessionTuning = Pick<
  ort.InferenceSession.SessionOptions,
  'intraOpNumThreads' | 'interOpNumThreads' | 'executionMode' | 'graphOptimizationLevel'
>;

/**
 * One thread per inference, operators in sequence, all graph optimisations: the services run one
 * inference per worker thread, a worker per core, so more threads per inference only contend
 * (measured with `npm run bench:ort-options`). The CPU execution provider is the only one shipped.
 */
export const ONE_THREAD_SESSION_OPTIONS: Required<OnnxSessionTuning> & Pick<ort.InferenceSession.SessionOptions, 'executionProviders'> = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};
