import path from 'node:path';
import { Env, optionalInteger, stringOr } from '../../platform/config/env';
import { REPO_ROOT } from '../../platform/paths';

/** The emotion service's own settings, parsed once at start-up. */
export interface EmotionSettings {
  /** Directory of the ONNX files and MANIFEST.json (MODELS_DIR). */
  readonly modelsDir: string;
  /**
   * Live frames an instance lets wait for its models before refusing more with UNAVAILABLE
   * (EMOTION_MAX_WAITING_FRAMES); undefined for the default, 1 per worker thread (AnalysisPool).
   */
  readonly maxWaitingFrames: number | undefined;
  /** Worker threads running the models (EMOTION_ANALYSIS_THREADS); undefined for one per core (os.availableParallelism). */
  readonly analysisThreads: number | undefined;
}

/** Throws ConfigError naming the variable when one is malformed. */
export function emotionSettings(env: Env): EmotionSettings {
  return Object.freeze({
    modelsDir: path.resolve(stringOr(env, 'MODELS_DIR', path.join(REPO_ROOT, 'models'))),
    maxWaitingFrames: optionalInteger(env, 'EMOTION_MAX_WAITING_FRAMES', 1, 100_000),
    analysisThreads: optionalInteger(env, 'EMOTION_ANALYSIS_THREADS', 1, 256),
  });
}
