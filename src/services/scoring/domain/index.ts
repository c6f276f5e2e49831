/**
 * Public surface of the scoring service's domain logic: pure, deterministic analysis of interview
 * answers (winkNLP), session score calculation and the report. No I/O.
 */
export { analyzeAnswer, measureAnswer, MAX_ANSWER_CHARS, MAX_QUESTION_CHARS } from './answer-analysis';
export type { AnswerAnalysis, AnswerInput, AnswerMeasures } from './answer-analysis';
export { InvalidAnswerError, InvalidScoreInputError, ScoringInputError } from './errors';
export { calculateScoreBreakdown, calculateScores } from './score-calculation';
export type { ScoreBreakdown, ScoreInput } from './score-calculation';
export { INSIGHT_CATEGORIES } from './score-types';
export type { EmotionSample, Insight, InsightCategory, ScoreCard, ScoredAnswer } from './score-types';
export { OVERALL_WEIGHTS, overallWeights } from './score-weights';
export type { ScoreWeights } from './score-weights';
export { EMOTION_VALENCE, FER_LABELS } from './emotion-stats';
export type { FerLabel, Valence } from './emotion-stats';
export { SPEAKING_RATE_BAND, wordsPerMinute } from './speaking-rate';
export { buildReport, REPORT_SCHEMA_VERSION } from './report';
export type { EmotionSummary, EmotionTimelinePoint, InterviewReport, ReportAnswer, ReportInput } from './report';
