/**
 * Public surface of the scoring service's domain logic: pure, deterministic analysis of interview
 * answers (winkNLP), session score calculation and the blink rate the report shows. No I/O.
 */
export { analyzeAnswer, measureAnswer } from './answer-analysis';
export { InvalidAnswerError, InvalidScoreInputError, ScoringInputError } from './errors';
export { calculateScoreBreakdown, calculateScores } from './score-calculation';
export type { EmotionSample, ScoreCard, ScoredAnswer } from './score-types';
export { OVERALL_WEIGHTS, overallWeights } from './score-weights';
export type { ScoreBreakdown } from './score-calculation';
