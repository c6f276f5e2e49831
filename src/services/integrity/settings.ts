import path from 'node:path';
import { Env, integerOr, stringOr } from '../../platform/config/env';
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
  /**
   * AnalyzeFrame calls that may wait for a worker while all are busy; one more is refused with
   * UNAVAILABLE (INTEGRITY_MAX_WAITING_FRAMES, default 4; 0: a call is taken only when a worker
   * is free). The consumer's frames always wait: the queue's prefetch bounds them.
   */
  readonly maxWaitingFrames: number;
  /**
   * Worker threads running the models, each with its own sessions (INTEGRITY_ANALYSIS_THREADS,
   * default 1: the service shares its machine with the emotion service, see DEFAULT_INTEGRITY_THREADS).
   */
  readonly analysisThreads: number;
  /** The risk engine's weights, debounces, half-life and thresholds (INTEGRITY_* variables: riskPolicyFromEnv). */
  readonly policy: RiskPolicy;
}

/** Frames waiting for the models by default: the consumer's prefetch (2) and two AnalyzeFrame calls. */
export const DEFAULT_MAX_WAITING_FRAMES = 4;

/**
 * Worker threads by default: one. The integrity service shares its machine with the emotion
 * service, whose pool takes a worker per core for a live path (every frame of every interview,
 * answered while the candidate waits), where integrity's frames, about one a second per interview,
 * come from a queue that can wait. One worker serves about 19 interviews at the default sampling
 * (README, `npm run bench:integrity`: 53 ms of CPU a sampled frame, objects every 2nd). To serve more
 * per replica, on cores of its own, set INTEGRITY_ANALYSIS_THREADS up to those cores: each worker
 * loads its own sessions of the four models (resident memory after start: +106 MiB for one worker, +172 MiB for two), each
 * model runs on one thread (ONE_THREAD_SESSION_OPTIONS), and more workers than free cores only
 * contend with emotion's. Adding replicas (the queue spreads frames over them) does the same.
 */
export const DEFAULT_INTEGRITY_THREADS = 1;

/** Throws ConfigError naming the variable when one is malformed. */
export function integritySettings(env: Env): IntegritySettings {
  return Object.freeze({
    modelsDir: path.resolve(stringOr(env, 'MODELS_DIR', path.join(REPO_ROOT, 'models'))),
    sampleIntervalMs: integritySampleIntervalMs(env),
    objectsEvery: integerOr(env, 'INTEGRITY_OBJECTS_EVERY', 2, 1, 1_000),
    maxWaitingFrames: integerOr(env, 'INTEGRITY_MAX_WAITING_FRAMES', DEFAULT_MAX_WAITING_FRAMES, 0, 10_000),
    analysisThreads: integerOr(env, 'INTEGRITY_ANALYSIS_THREADS', DEFAULT_INTEGRITY_THREADS, 1, 256),
    policy: riskPolicyFromEnv(env),
  });
}
