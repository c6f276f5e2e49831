/**
 * Template feedback for a whole session (deterministic, chosen by thresholds).
 *
 * Sentences:
 * 1. `Overall <o>/100: technical <t> (<label>), communication <c> (<label>), emotion <e> (<label>).` —
 *    labels: ≥ 70 "strong", ≥ 40 "moderate", else "weak"; emotion is written as "not measured" when no
 *    frames were analyzed, and the sentence "No video frames were analyzed, so the overall score
 *    uses technical and communication only." follows.
 * 2. When no answer had any words: "No answers were given."; otherwise when every weighted component
 *    is ≥ 70: "Strong performance across the board."; otherwise "Focus next on <lowest weighted
 *    component>." (ties: technical, communication, emotion).
 */
import type { ScoreWeights } from './score-weights';

/** Component scores the feedback is built from (0..100). */
export interface SessionScores {
  readonly technical: number;
  readonly communication: number;
  readonly emotion: number;
  readonly overall: number;
}

const STRONG = 70;
const MODERATE = 40;

function label(score: number): string {
  if (score >= STRONG) return 'strong';
  if (score >= MODERATE) return 'moderate';
  return 'weak';
}

/** Builds the session feedback (see module docs). */
export function composeSessionFeedback(scores: SessionScores, weights: ScoreWeights, emotionMeasured: boolean, anyAnswer: boolean): string {
  const f = (n: number): string => n.toFixed(1);
  const emotionPart = emotionMeasured ? `emotion ${f(scores.emotion)} (${label(scores.emotion)})` : 'emotion not measured';
  const sentences = [
    `Overall ${f(scores.overall)}/100: technical ${f(scores.technical)} (${label(scores.technical)}), ` +
      `communication ${f(scores.communication)} (${label(scores.communication)}), ${emotionPart}.`,
  ];
  if (!emotionMeasured) {
    sentences.push('No video frames were analyzed, so the overall score uses technical and communication only.');
  }
  if (!anyAnswer) {
    sentences.push('No answers were given.');
    return sentences.join(' ');
  }
  const components = (['technical', 'communication', 'emotion'] as const).filter((k) => weights[k] > 0);
  let lowest: (typeof components)[number] | undefined;
  for (const k of components) if (lowest === undefined || scores[k] < scores[lowest]) lowest = k;
  if (lowest === undefined || scores[lowest] >= STRONG) sentences.push('Strong performance across the board.');
  else sentences.push(`Focus next on ${lowest}.`);
  return sentences.join(' ');
}
