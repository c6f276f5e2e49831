import { ConfigError, Env, integerOr, optionalString } from '../../../../platform/config/env';
import { EVENT_KINDS, IntegrityEventKind } from './event-kind';
import { DEFAULT_RISK_POLICY, EventRule, POLICY_LIMITS, RiskPolicy } from './policy';

/** The variable suffix of an event kind: `phone_in_view` is `PHONE_IN_VIEW`. */
function kindSuffix(kind: IntegrityEventKind): string {
  return kind.toUpperCase();
}

/**
 * Every variable riskPolicyFromEnv reads, for documentation and checks: INTEGRITY_HALF_LIFE_SECONDS,
 * INTEGRITY_REVIEW_THRESHOLD, INTEGRITY_FLAG_THRESHOLD, INTEGRITY_HEAD_TURNED_YAW_DEGREES,
 * INTEGRITY_HEAD_TURNED_PITCH_DEGREES, INTEGRITY_MIN_OBJECT_SCORE, INTEGRITY_MAX_GAP_MS,
 * INTEGRITY_CLEAR_FRAMES, and for each kind (LOOKING_AWAY, FACE_MISSING, MULTIPLE_FACES,
 * HEAD_TURNED, PHONE_IN_VIEW, BOOK_IN_VIEW, SCREEN_IN_VIEW, ANOTHER_PERSON)
 * INTEGRITY_WEIGHT_<KIND>, INTEGRITY_DEBOUNCE_FRAMES_<KIND> and INTEGRITY_MIN_DURATION_MS_<KIND>.
 */
export const RISK_POLICY_VARIABLES: readonly string[] = [
  'INTEGRITY_HALF_LIFE_SECONDS',
  'INTEGRITY_REVIEW_THRESHOLD',
  'INTEGRITY_FLAG_THRESHOLD',
  'INTEGRITY_HEAD_TURNED_YAW_DEGREES',
  'INTEGRITY_HEAD_TURNED_PITCH_DEGREES',
  'INTEGRITY_MIN_OBJECT_SCORE',
  'INTEGRITY_MAX_GAP_MS',
  'INTEGRITY_CLEAR_FRAMES',
  ...EVENT_KINDS.flatMap((kind) => ['WEIGHT', 'DEBOUNCE_FRAMES', 'MIN_DURATION_MS'].map((what) => `INTEGRITY_${what}_${kindSuffix(kind)}`)),
];

/**
 * The risk policy from INTEGRITY_* variables (RISK_POLICY_VARIABLES), DEFAULT_RISK_POLICY's value for
 * each one unset or blank; frozen. Throws ConfigError naming the variable and what it expects for a
 * malformed or out-of-range value: half-life seconds from 1 to 86400; thresholds above 0 and at most
 * 1, the review threshold below the flag threshold; weights and the object score from 0 to 1 (weight
 * 0 turns a kind off); debounce frames and clear frames integers from 1 to 1000; durations integer
 * milliseconds from 0 to 3600000 (the gap from 1); head-turn limits from 1 to 179 degrees. The COCO
 * labels of each object kind are not settings: they are the detector's vocabulary (policy.ts).
 */
export function riskPolicyFromEnv(env: Env): RiskPolicy {
  const D = DEFAULT_RISK_POLICY;
  const L = POLICY_LIMITS;
  const reviewThreshold = decimalOr(env, 'INTEGRITY_REVIEW_THRESHOLD', D.reviewThreshold, 0, 1, true);
  const flagThreshold = decimalOr(env, 'INTEGRITY_FLAG_THRESHOLD', D.flagThreshold, 0, 1, true);
  if (!(reviewThreshold < flagThreshold)) {
    throw new ConfigError(`INTEGRITY_REVIEW_THRESHOLD (${reviewThreshold}) must be below INTEGRITY_FLAG_THRESHOLD (${flagThreshold})`);
  }
  const events = {} as Record<IntegrityEventKind, EventRule>;
  for (const kind of EVENT_KINDS) {
    const rule = D.events[kind];
    const suffix = kindSuffix(kind);
    events[kind] = Object.freeze({
      weight: decimalOr(env, `INTEGRITY_WEIGHT_${suffix}`, rule.weight, 0, 1),
      debounceFrames: integerOr(env, `INTEGRITY_DEBOUNCE_FRAMES_${suffix}`, rule.debounceFrames, L.debounceFrames.min, L.debounceFrames.max),
      minDurationMs: integerOr(env, `INTEGRITY_MIN_DURATION_MS_${suffix}`, rule.minDurationMs, L.minDurationMs.min, L.minDurationMs.max),
    });
  }
  return Object.freeze({
    halfLifeSeconds: decimalOr(env, 'INTEGRITY_HALF_LIFE_SECONDS', D.halfLifeSeconds, L.halfLifeSeconds.min, L.halfLifeSeconds.max),
    reviewThreshold,
    flagThreshold,
    events: Object.freeze(events),
    headTurnedYawDegrees: decimalOr(env, 'INTEGRITY_HEAD_TURNED_YAW_DEGREES', D.headTurnedYawDegrees, L.headTurnedDegrees.min, L.headTurnedDegrees.max),
    headTurnedPitchDegrees: decimalOr(env, 'INTEGRITY_HEAD_TURNED_PITCH_DEGREES', D.headTurnedPitchDegrees, L.headTurnedDegrees.min, L.headTurnedDegrees.max),
    minObjectScore: decimalOr(env, 'INTEGRITY_MIN_OBJECT_SCORE', D.minObjectScore, 0, 1),
    objectLabels: D.objectLabels,
    maxGapMs: integerOr(env, 'INTEGRITY_MAX_GAP_MS', D.maxGapMs, L.maxGapMs.min, L.maxGapMs.max),
    clearFrames: integerOr(env, 'INTEGRITY_CLEAR_FRAMES', D.clearFrames, L.clearFrames.min, L.clearFrames.max),
  });
}

/**
 * A decimal number in [min, max] (above min when `aboveMin`), `fallback` when unset or blank; throws
 * ConfigError naming the variable otherwise. Plain decimal notation only ("0.5", "60", ".25"): no
 * hexadecimal, exponent, Infinity or trailing text, which Number() would accept.
 */
function decimalOr(env: Env, name: string, fallback: number, min: number, max: number, aboveMin = false): number {
  const raw = optionalString(env, name);
  if (raw === undefined) return fallback;
  const value = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(raw) ? Number(raw) : NaN;
  if (!(aboveMin ? value > min : value >= min) || !(value <= max)) {
    throw new ConfigError(
      `${name} must be a number ${aboveMin ? 'above' : 'from'} ${min} ${aboveMin ? 'and at most' : 'to'} ${max}, got "${raw.slice(0, 40)}"`,
    );
  }
  return value;
}
