/**
 * Emotion score of a session, 0..100, from the video frames analyzed by the emotion service.
 *
 * Definition:
 * - presence P = frames with a face / all frames (0..1);
 * - composure C = confidence-weighted share of positive or neutral FER-2013 expressions among the
 *   classified frames (see `emotion-stats.ts`; 0..1);
 * - emotion = 100 · ({@link EMOTION_WEIGHTS}.presence · P + {@link EMOTION_WEIGHTS}.composure · C),
 *   one decimal.
 * - When faces were detected but no frame carries a FER-2013 label (total confidence 0), C is
 *   undefined and emotion = 100 · P (weights renormalised to presence only).
 * - With no samples at all the score is 0 and `measured` is false — no neutral value is invented;
 *   the overall score then leaves emotion out (see `score-weights.ts`).
 *
 * The weights are our design choice, not taken from literature. Facial-expression classifiers say
 * nothing reliable about a person's competence; this score only summarises on-camera presence and
 * displayed expression and carries the smallest overall weight.
 */
import { computeEmotionStats, type EmotionStats } from './emotion-stats';
import { toScore } from './numeric';
import type { EmotionSample } from './score-types';

/** Weights of the emotion components; they sum to 1. */
export const EMOTION_WEIGHTS = { presence: 0.4, composure: 0.6 } as const;

/** Emotion score with its basis. */
export interface EmotionScore {
  /** 0..100, one decimal; 0 when not measured. */
  readonly score: number;
  /** False when there were no samples at all. */
  readonly measured: boolean;
  /** True when composure was undefined and the score reflects presence only. */
  readonly presenceOnly: boolean;
  /** Statistics the score was computed from. */
  readonly stats: EmotionStats;
}

/** Computes the emotion score (see module docs). */
export function scoreEmotions(samples: readonly EmotionSample[]): EmotionScore {
  const stats = computeEmotionStats(samples);
  if (stats.sampleCount === 0 || stats.facePresentShare === null) {
    return { score: 0, measured: false, presenceOnly: false, stats };
  }
  const presence = stats.facePresentShare;
  if (stats.positiveOrNeutralShare === null) {
    return { score: toScore(presence), measured: true, presenceOnly: true, stats };
  }
  const unit = EMOTION_WEIGHTS.presence * presence + EMOTION_WEIGHTS.composure * stats.positiveOrNeutralShare;
  return { score: toScore(unit), measured: true, presenceOnly: false, stats };
}
