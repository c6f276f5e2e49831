/**
 * Input and output types of the session-level score calculation (`score-calculation.ts`) and the
 * report (`report.ts`). Plain data, JSON-serialisable.
 */
import type { AnswerAnalysis } from './answer-analysis';

/** One answered question with its transcript and its {@link AnswerAnalysis}. */
export interface ScoredAnswer {
  /** Identifier of the question within the session. */
  readonly questionId: string;
  /** Question text as asked. */
  readonly question: string;
  /** Question category (e.g. `technical`, `behavioral`). */
  readonly category: string;
  /** Speech-to-text transcript of the answer; may be empty. */
  readonly transcript: string;
  /** Speaking time of the answer in seconds (≥ 0; 0 means unknown, so no speaking rate). */
  readonly durationSeconds: number;
  /** Result of `analyzeAnswer` for this question and transcript (scores 0..100). */
  readonly analysis: AnswerAnalysis;
}

/**
 * One analyzed video frame from the emotion service. `emotion` is one of the FER-2013 labels
 * (`angry`, `disgust`, `fear`, `happy`, `sad`, `surprise`, `neutral`) output by the classifier, or null
 * when no face was found; `confidence` is the classifier probability of that label, 0..1.
 */
export interface EmotionSample {
  /** Frame time in milliseconds (session-relative or epoch; only the order matters here). */
  readonly timestampMs: number;
  /** Whether a face was detected in the frame. */
  readonly faceDetected: boolean;
  /** FER-2013 label, or null when no face was found. */
  readonly emotion: string | null;
  /** Classifier confidence of `emotion`, 0..1 (ignored when `emotion` is null). */
  readonly confidence: number;
  /** Blinks reported by the emotion service for this sample, or null when not measured. Passed through to the report only. */
  readonly blinkCount: number | null;
}

/** Insight categories, in the order insights are listed. */
export const INSIGHT_CATEGORIES = ['technical', 'communication', 'emotion', 'engagement'] as const;

/** Category of an {@link Insight}. */
export type InsightCategory = (typeof INSIGHT_CATEGORIES)[number];

/**
 * A data-backed observation. `impact` is in −1..1: positive = a strength that raised the scores,
 * negative = a weakness that lowered them, 0 = informational. Its magnitude is the share of the
 * evidence concerned (answers, words or frames), as defined per rule in `insights.ts`.
 */
export interface Insight {
  /** One of {@link INSIGHT_CATEGORIES}. */
  readonly category: string;
  /** One sentence citing the numbers behind the observation. */
  readonly description: string;
  /** −1..1, see above (two decimals). */
  readonly impact: number;
  /** The counts the observation rests on, one fact each (e.g. `2 of 4 answers with relevance below 40`). */
  readonly evidence: readonly string[];
}

/** Session scores, each 0..100 with one decimal, plus summary feedback and insights. */
export interface ScoreCard {
  /** Mean per-question technical score; unanswered questions count 0 (see `score-calculation.ts`). */
  readonly technicalScore: number;
  /** Mean per-answer communication score (clarity and speaking rate). */
  readonly communicationScore: number;
  /** Face presence and confidence-weighted expression balance; 0 when no frames were analyzed. */
  readonly emotionScore: number;
  /** Weighted mean of the three scores (see `score-weights.ts`). */
  readonly overallScore: number;
  /** Two or three template sentences summarising the scores. */
  readonly feedback: string;
  /** Deterministic, data-backed insights, ordered by category then rule. */
  readonly insights: Insight[];
}
