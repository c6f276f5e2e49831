/**
 * The interview report: a plain, JSON-serialisable snapshot of a scored session (no Dates, Maps,
 * class instances or undefined values), versioned by `schemaVersion`.
 */
import { computeAnswerMetrics } from './answer-metrics';
import { computeEmotionStats, parseFerLabel, type FerLabel } from './emotion-stats';
import { InvalidScoreInputError } from './errors';
import { roundRatio, roundScore } from './numeric';
import type { ScoreBreakdown } from './score-calculation';
import type { EmotionSample, Insight, ScoreCard, ScoredAnswer } from './score-types';
import { overallWeights, type ScoreWeights } from './score-weights';
import { isObject } from './unchecked';
import { validateAnswers, validateEmotionSamples } from './validation';

/** Current report schema version. Bump on any incompatible change of {@link InterviewReport}. */
export const REPORT_SCHEMA_VERSION = 1;

/** Per-answer part of the report. */
export interface ReportAnswer {
  readonly questionId: string;
  readonly question: string;
  readonly category: string;
  /** Speaking time, seconds. */
  readonly durationSeconds: number;
  /** Words in the transcript. */
  readonly wordCount: number;
  /** Words per minute, one decimal; null when not measurable (duration 0 or no words). */
  readonly wordsPerMinute: number | null;
  /** 0..100. */
  readonly relevanceScore: number;
  /** 0..100. */
  readonly clarityScore: number;
  /** 0..100. */
  readonly depthScore: number;
  readonly keywords: string[];
  readonly feedback: string;
}

/** One frame of the emotion timeline. */
export interface EmotionTimelinePoint {
  readonly timestampMs: number;
  readonly faceDetected: boolean;
  /** FER-2013 label (lower-case) when a face was detected and the label is known, else null. */
  readonly emotion: FerLabel | null;
  /** Classifier confidence 0..1 (0 when `emotion` is null). */
  readonly confidence: number;
  readonly blinkCount: number | null;
}

/** Emotion summary of the session. */
export interface EmotionSummary {
  /** Frames analyzed. */
  readonly sampleCount: number;
  /** Frames with a detected face. */
  readonly faceDetectedCount: number;
  /** faceDetectedCount / sampleCount, 0..1 (three decimals); null without samples. */
  readonly facePresentShare: number | null;
  /** Classified frames per FER-2013 label (all seven labels present). */
  readonly countsByEmotion: Record<FerLabel, number>;
  /** Frames with a face whose label was not a FER-2013 label. */
  readonly unrecognisedCount: number;
  /** Most frequent label (ties: FER-2013 class order); null when none. */
  readonly dominantEmotion: FerLabel | null;
  /** Confidence-weighted share of positive/neutral expressions, 0..1 (three decimals); null when undefined. */
  readonly positiveOrNeutralShare: number | null;
  /** Frames sorted by time (stable), only when the report was built with `includeEmotions`; else null. */
  readonly timeline: EmotionTimelinePoint[] | null;
}

/** The interview report (JSON-serialisable). */
export interface InterviewReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly sessionId: string;
  /** ISO-8601 UTC timestamp of generation. */
  readonly generatedAt: string;
  /** Scores 0..100 from the score card. */
  readonly scores: {
    readonly technical: number;
    readonly communication: number;
    readonly emotion: number;
    readonly overall: number;
  };
  /** Weights applied to compute `scores.overall` (see `score-weights.ts`). */
  readonly weights: ScoreWeights;
  readonly feedback: string;
  readonly answers: ReportAnswer[];
  readonly emotionSummary: EmotionSummary;
  readonly insights: Insight[];
}

/** Input of {@link buildReport}. */
export interface ReportInput {
  readonly sessionId: string;
  readonly scoreCard: ScoreCard;
  readonly answers: readonly ScoredAnswer[];
  readonly emotions: readonly EmotionSample[];
  /** Whether to include the per-frame timeline (it can be large and is personal data). */
  readonly includeEmotions: boolean;
  /** Generation time, passed in (the domain never reads the clock). */
  readonly generatedAt: Date;
  /**
   * The breakdown `scoreCard` came from, computed from these same `answers` and `emotions`: its
   * per-answer metrics and emotion statistics are reused instead of running winkNLP again.
   * Computed here when absent.
   */
  readonly breakdown?: Pick<ScoreBreakdown, 'metrics' | 'emotion'>;
}

function timeline(samples: readonly EmotionSample[]): EmotionTimelinePoint[] {
  return samples
    .map((s, index) => ({ s, index }))
    .sort((a, b) => a.s.timestampMs - b.s.timestampMs || a.index - b.index)
    .map(({ s }) => {
      const emotion = s.faceDetected ? parseFerLabel(s.emotion) : null;
      return {
        timestampMs: s.timestampMs,
        faceDetected: s.faceDetected,
        emotion,
        confidence: emotion === null ? 0 : s.confidence,
        blinkCount: s.blinkCount,
      };
    });
}

/**
 * Builds the report. Scores, feedback and insights are copied from `scoreCard`; per-answer word counts
 * and speaking rates are taken from `breakdown`, or recomputed from the transcripts with the same
 * functions as the score card when it is absent.
 * @throws InvalidScoreInputError for a blank `sessionId`, an invalid `generatedAt`, or invalid
 *   answers/emotion samples.
 */
export function buildReport(input: ReportInput): InterviewReport {
  if (!isObject(input)) throw new InvalidScoreInputError('input', 'input is required');
  if (typeof input.sessionId !== 'string' || input.sessionId.trim() === '') {
    throw new InvalidScoreInputError('sessionId', 'sessionId is required');
  }
  if (!(input.generatedAt instanceof Date) || Number.isNaN(input.generatedAt.getTime())) {
    throw new InvalidScoreInputError('generatedAt', 'generatedAt must be a valid Date');
  }
  if (!isObject(input.scoreCard)) {
    throw new InvalidScoreInputError('scoreCard', 'scoreCard is required');
  }
  const answers = validateAnswers(input.answers);
  const emotions = validateEmotionSamples(input.emotions);
  const stats = input.breakdown?.emotion.stats ?? computeEmotionStats(emotions);
  const metrics = input.breakdown?.metrics ?? answers.map(computeAnswerMetrics);
  const card = input.scoreCard;

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    sessionId: input.sessionId,
    generatedAt: input.generatedAt.toISOString(),
    scores: {
      technical: card.technicalScore,
      communication: card.communicationScore,
      emotion: card.emotionScore,
      overall: card.overallScore,
    },
    weights: { ...overallWeights(emotions.length > 0) },
    feedback: card.feedback,
    answers: answers.map((a, i) => {
      const m = metrics[i];
      return {
        questionId: a.questionId,
        question: a.question,
        category: a.category,
        durationSeconds: a.durationSeconds,
        wordCount: m.wordCount,
        wordsPerMinute: m.wordsPerMinute === null ? null : roundScore(m.wordsPerMinute),
        relevanceScore: a.analysis.relevanceScore,
        clarityScore: a.analysis.clarityScore,
        depthScore: a.analysis.depthScore,
        keywords: [...a.analysis.keywords],
        feedback: a.analysis.feedback,
      };
    }),
    emotionSummary: {
      sampleCount: stats.sampleCount,
      faceDetectedCount: stats.faceFrameCount,
      facePresentShare: stats.facePresentShare === null ? null : roundRatio(stats.facePresentShare),
      countsByEmotion: { ...stats.countsByLabel },
      unrecognisedCount: stats.unrecognisedLabelCount,
      dominantEmotion: stats.dominantLabel,
      positiveOrNeutralShare: stats.positiveOrNeutralShare === null ? null : roundRatio(stats.positiveOrNeutralShare),
      timeline: input.includeEmotions ? timeline(emotions) : null,
    },
    insights: card.insights.map((i) => ({ category: i.category, description: i.description, impact: i.impact })),
  };
}
