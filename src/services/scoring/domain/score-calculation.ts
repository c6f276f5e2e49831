/**
 * Session score card from analyzed answers and emotion samples. Pure and deterministic.
 *
 * Definitions (all scores 0..100, one decimal):
 * - technical = Σ technical(answer) / max(totalQuestions, answers.length), where technical(answer) =
 *   0.4 · relevance + 0.6 · depth (`answer-metrics.ts`); questions without an entry in `answers`
 *   (totalQuestions − answers.length) count 0, as do answers with an empty transcript (their
 *   analysis scores are 0). Callers pass at most one answer per question.
 * - communication = mean over `answers` of communication(answer) = 0.7 · clarity + 0.3 · speaking-rate
 *   score (words per minute against the 120–160 wpm band; clarity alone when the rate cannot be
 *   measured). Missing questions are not included here (they are already penalised in technical);
 *   0 when there are no answers.
 * - emotion: see `emotion-score.ts` (0 and not measured when there are no samples).
 * - overall: see `score-weights.ts` (0.5 / 0.3 / 0.2, or 0.625 / 0.375 / 0 without samples).
 */
import { computeAnswerMetrics, type AnswerMetrics } from './answer-metrics';
import { scoreEmotions, type EmotionScore } from './emotion-score';
import { InvalidScoreInputError } from './errors';
import { buildInsights } from './insights';
import { mean, roundScore } from './numeric';
import { composeSessionFeedback } from './score-feedback';
import type { EmotionSample, ScoreCard, ScoredAnswer } from './score-types';
import { combineScores, overallWeights, type ScoreWeights } from './score-weights';
import { isObject } from './unchecked';
import { validateAnswers, validateEmotionSamples, validateTotalQuestions } from './validation';

export type { EmotionSample, Insight, InsightCategory, ScoreCard, ScoredAnswer } from './score-types';

/** Input of {@link calculateScores}. */
export interface ScoreInput {
  /** Analyzed answers, at most one per question. */
  readonly answers: readonly ScoredAnswer[];
  /** Emotion samples of the session (may be empty). */
  readonly emotions: readonly EmotionSample[];
  /** Number of questions asked in the session (integer ≥ 0). */
  readonly totalQuestions: number;
}

/** Score card with the intermediate values (for the report and for callers needing the breakdown). */
export interface ScoreBreakdown {
  readonly scoreCard: ScoreCard;
  readonly metrics: readonly AnswerMetrics[];
  readonly emotion: EmotionScore;
  readonly weights: ScoreWeights;
  /** Denominator of the technical score: max(totalQuestions, answers.length). */
  readonly questionCount: number;
}

/**
 * Computes the score card and its breakdown (see module docs).
 * @throws InvalidScoreInputError for structurally invalid input (negative or fractional
 *   totalQuestions, negative durations, scores outside 0..100, confidences outside 0..1, …).
 */
export function calculateScoreBreakdown(input: ScoreInput): ScoreBreakdown {
  if (!isObject(input)) throw new InvalidScoreInputError('input', 'input is required');
  const totalQuestions = validateTotalQuestions(input.totalQuestions);
  const answers = validateAnswers(input.answers);
  const emotions = validateEmotionSamples(input.emotions);

  const metrics = answers.map(computeAnswerMetrics);
  const questionCount = Math.max(totalQuestions, answers.length);
  const technicalScore = questionCount === 0 ? 0 : roundScore(metrics.reduce((a, m) => a + m.technical, 0) / questionCount);
  const communicationScore = roundScore(mean(metrics.map((m) => m.communication)));
  const emotion = scoreEmotions(emotions);
  const weights = overallWeights(emotion.measured);
  const scores = { technical: technicalScore, communication: communicationScore, emotion: emotion.score };
  const overallScore = combineScores(scores, weights);
  const anyAnswer = metrics.some((m) => m.wordCount > 0);

  const scoreCard: ScoreCard = {
    technicalScore,
    communicationScore,
    emotionScore: emotion.score,
    overallScore,
    feedback: composeSessionFeedback({ ...scores, overall: overallScore }, weights, emotion.measured, anyAnswer),
    insights: buildInsights({ metrics, questionCount, emotion, weights }),
  };
  return { scoreCard, metrics, emotion, weights, questionCount };
}

/**
 * Computes the session {@link ScoreCard}: technical, communication, emotion and overall scores
 * (0..100, one decimal), feedback and insights. See the module docs for the definitions.
 * @throws InvalidScoreInputError for structurally invalid input.
 */
export function calculateScores(input: ScoreInput): ScoreCard {
  return calculateScoreBreakdown(input).scoreCard;
}
