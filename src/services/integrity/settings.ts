import path from 'node:path';
import { Env, integerOr, optionalInteger, stringOr } from '../../platform/config/env';
import { integritySampleIntervalMs } from '../../platform/contracts/integrity-sampling';
import { REPO_ROOT } from '../../platform/paths';
import { RiskPolicy, riskPolicyFromEnv } from './domain/risk';

/** The integrity service's own settings, parsed once at start-up. */
export interface IntegritySettings {
  /** Directory of the ONNX files and MANIFEST.json (MODELS_DIR). */
  readonly modelsDir: string;
  /**
   * The consumer analyses a session's frame only this many milliseconds (less 10 %) after the
   * session's last analysed one (INTEGRITY_SAMPLE_INTERVAL_MS, default 1000; 0: it analyses none
   * and acks every frame as skipped). The interview service samples its frames' images by the same setting.
   */
  readonly sampleIntervalMs: number;
  /** The object detector runs on every this-many-th analysed frame of a session, the first included (INTEGRITY_OBJECTS_EVERY, default 2). */
  readonly objectsEvery: number;
  /** Frames that may wait for the models at once; one more is refused with UNAVAILABLE (INTEGRITY_MAX_WAITING_FRAMES, default 4). */
  readonly maxWaitingFrames: number;
  /** The risk engine's weights, debounces, half-life and thresholds (INTEGRITY_* variables: riskPolicyFromEnv). */
  readonly policy: RiskPolicy;
}

/** Frames waiting for the models by default: the consumer's prefetch (2) and two AnalyzeFrame calls. */
export const DEFAULT_MAX_WAITING_FRAMES = 4;

/** Throws ConfigError naming the variable when one is malformed. */
export function integritySettings(env: Env): IntegritySettings {
  return Object.freeze({
    modelsDir: path.resolve(stringOr(env, 'MODELS_DIR', path.join(REPO_ROOT, 'models'))),
    sampleIntervalMs: integritySampleIntervalMs(env),
    objectsEvery: integerOr(env, 'INTEGRITY_OBJECTS_EVERY', 2, 1, 1_000),
    maxWaitingFrames: optionalInteger(env, 'INTEGRITY_MAX_WAITING_FRAMES', 0, 10_000) ?? DEFAULT_MAX_WAITING_FRAMES,
    policy: riskPolicyFromEnv(env),
  });
}
