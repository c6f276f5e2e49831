/**
 * Weights of the overall score.
 *
 * overall = 0.5 · technical + 0.3 · communication + 0.2 · emotion ({@link OVERALL_WEIGHTS}), computed
 * from the published (one-decimal) component scores and rounded to one decimal, so a client can
 * reproduce it exactly.
 *
 * When no emotion samples exist, emotion is not measured and is left out; the remaining weights are
 * renormalised to sum to 1: technical 0.5 / 0.8 = 0.625, communication 0.3 / 0.8 = 0.375, emotion 0.
 * The weighting (technical answers first, delivery second, on-camera presence last) is our design
 * choice, not from literature.
 */
import { roundScore } from './numeric';

/** Weights of the three component scores in the overall score. */
export interface ScoreWeights {
  readonly technical: number;
  readonly communication: number;
  readonly emotion: number;
}

/** Default overall weights (sum 1). */
export const OVERALL_WEIGHTS: ScoreWeights = { technical: 0.5, communication: 0.3, emotion: 0.2 };

/**
 * Weights applied to a session: {@link OVERALL_WEIGHTS} when emotion was measured, otherwise technical
 * and communication renormalised to sum to 1 (0.625 / 0.375) and emotion 0.
 */
export function overallWeights(emotionMeasured: boolean): ScoreWeights {
  if (emotionMeasured) return OVERALL_WEIGHTS;
  const rest = OVERALL_WEIGHTS.technical + OVERALL_WEIGHTS.communication;
  // rounded to 6 decimals so the published weights are exactly 0.625 / 0.375 (0.3 / 0.8 is 0.37499999999999994 in binary floating point)
  const exact = (w: number): number => Math.round((w / rest) * 1e6) / 1e6;
  return {
    technical: exact(OVERALL_WEIGHTS.technical),
    communication: exact(OVERALL_WEIGHTS.communication),
    emotion: 0,
  };
}

/** Weighted overall score, 0..100, one decimal (inputs are the published component scores). */
export function combineScores(scores: { technical: number; communication: number; emotion: number }, weights: ScoreWeights): number {
  return roundScore(weights.technical * scores.technical + weights.communication * scores.communication + weights.emotion * scores.emotion);
}
