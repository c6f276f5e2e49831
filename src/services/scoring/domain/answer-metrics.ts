/**
 * Per-answer metrics of a session: the answer's technical and communication contributions, word count,
 * fillers and speaking rate. Shared by the score card, the insights and the report.
 *
 * - technical(answer) = {@link ANSWER_TECHNICAL_WEIGHTS}.relevance · relevance
 *   + {@link ANSWER_TECHNICAL_WEIGHTS}.depth · depth (0..100): depth weighs more because substance
 *   matters more than wording overlap; relevance still gates off-topic answers.
 * - communication(answer) = {@link ANSWER_COMMUNICATION_WEIGHTS}.clarity · clarity
 *   + {@link ANSWER_COMMUNICATION_WEIGHTS}.speakingRate · 100 · rate component (0..100), where the
 *   rate component scores words per minute against the 120–160 wpm band (`speaking-rate.ts`). When
 *   the rate cannot be measured (duration 0 or no words) the answer's communication is its clarity
 *   alone (weights renormalised).
 *
 * Weights are our design choice, not from literature.
 */
import type { FillerMatch } from './filler-words';
import type { ScoredAnswer } from './score-types';
import { speakingRateScore, wordsPerMinute } from './speaking-rate';
import { extractTextFeatures } from './text-features';

/** Weights of relevance and depth in an answer's technical score (sum 1). */
export const ANSWER_TECHNICAL_WEIGHTS = { relevance: 0.4, depth: 0.6 } as const;
/** Weights of clarity and speaking rate in an answer's communication score (sum 1). */
export const ANSWER_COMMUNICATION_WEIGHTS = { clarity: 0.7, speakingRate: 0.3 } as const;

/** Metrics of one answer. */
export interface AnswerMetrics {
  /** The answer these metrics describe. */
  readonly answer: ScoredAnswer;
  /** Words in the transcript (winkNLP tokens; contractions count once). */
  readonly wordCount: number;
  /** Filler words in the transcript. */
  readonly fillerWordCount: number;
  /** Filler occurrences in the transcript. */
  readonly fillers: readonly FillerMatch[];
  /** Words per minute; null when not measurable. */
  readonly wordsPerMinute: number | null;
  /** Speaking-rate component 0..1; null when not measurable. */
  readonly speakingRate: number | null;
  /** Technical score of this answer, 0..100 (unrounded). */
  readonly technical: number;
  /** Communication score of this answer, 0..100 (unrounded). */
  readonly communication: number;
}

/** Computes {@link AnswerMetrics} for one (validated) answer. Runs winkNLP on the transcript. */
export function computeAnswerMetrics(answer: ScoredAnswer): AnswerMetrics {
  const features = extractTextFeatures(answer.transcript);
  const wpm = wordsPerMinute(features.wordCount, answer.durationSeconds);
  const rate = wpm === null ? null : speakingRateScore(wpm);
  const { relevanceScore, depthScore, clarityScore } = answer.analysis;
  const technical = ANSWER_TECHNICAL_WEIGHTS.relevance * relevanceScore + ANSWER_TECHNICAL_WEIGHTS.depth * depthScore;
  const communication =
    rate === null ? clarityScore : ANSWER_COMMUNICATION_WEIGHTS.clarity * clarityScore + ANSWER_COMMUNICATION_WEIGHTS.speakingRate * 100 * rate;
  return {
    answer,
    wordCount: features.wordCount,
    fillerWordCount: features.fillerWordCount,
    fillers: features.fillers,
    wordsPerMinute: wpm,
    speakingRate: rate,
    technical,
    communication,
  };
}
