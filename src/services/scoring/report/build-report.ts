/**
 * The interview report (interview.report.v1.InterviewReport) of a scored interview, from what scored
 * it: the completion event, the analysed answers, the emotion samples and the score breakdown.
 * Deterministic: the same interview gives the same report, which holds no clock of its own (its
 * times are the interview's).
 */
import { InterviewCompleted } from '../../../gen/events';
import { InterviewReport, TimelinePoint } from '../../../gen/report';
import { CONVERSATIONAL_BLINK_RATE, blinkRate } from '../domain/blink-rate';
import { parseFerLabel } from '../domain/emotion-stats';
import { roundRatio, roundScore } from '../domain/numeric';
import type { ScoreBreakdown } from '../domain/score-calculation';
import type { EmotionSample, ScoredAnswer } from '../domain/score-types';

/** The report's schema version (InterviewReport.schema_version). */
export const REPORT_SCHEMA_VERSION = 2;

/** What scored the interview. */
export interface ReportInput {
  /** The interview.completed event: candidate, times, and when each answer was submitted. */
  readonly completed: InterviewCompleted;
  /** The analysed answers, in the order asked (one per answered question). */
  readonly answers: readonly ScoredAnswer[];
  /** Every frame's sample (any order). */
  readonly emotions: readonly EmotionSample[];
  /** calculateScoreBreakdown of these answers and samples. */
  readonly breakdown: ScoreBreakdown;
}

/** The report, every frame in its timeline (withoutTimeline leaves them out). */
export function buildReport({ completed, answers, emotions, breakdown }: ReportInput): InterviewReport {
  const card = breakdown.scoreCard;
  const stats = breakdown.emotion.stats;
  const answeredAt = new Map(completed.answers.map((a) => [a.questionId, a.answeredAt]));
  const blinks = blinkRate(emotions);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    sessionId: completed.sessionId,
    candidateId: completed.userId,
    startedAt: completed.startedAt,
    completedAt: completed.completedAt,
    totalQuestions: breakdown.questionCount,
    scores: { technical: card.technicalScore, communication: card.communicationScore, emotion: card.emotionScore, overall: card.overallScore },
    weights: { ...breakdown.weights },
    feedback: card.feedback,
    answers: answers.map((a, i) => {
      const m = breakdown.metrics[i];
      return {
        questionId: a.questionId,
        question: a.question,
        category: a.category,
        durationSeconds: a.durationSeconds,
        wordCount: m.wordCount,
        wordsPerMinute: m.wordsPerMinute === null ? undefined : roundScore(m.wordsPerMinute),
        relevanceScore: a.analysis.relevanceScore,
        clarityScore: a.analysis.clarityScore,
        depthScore: a.analysis.depthScore,
        keywords: [...a.analysis.keywords],
        feedback: a.analysis.feedback,
        technicalScore: roundScore(m.technical),
        communicationScore: roundScore(m.communication),
        fillerWordCount: m.fillerWordCount,
        answeredAt: answeredAt.get(a.questionId),
      };
    }),
    emotionSummary: {
      sampleCount: stats.sampleCount,
      faceDetectedCount: stats.faceFrameCount,
      facePresentShare: stats.facePresentShare === null ? undefined : roundRatio(stats.facePresentShare),
      countsByEmotion: { ...stats.countsByLabel },
      unrecognisedCount: stats.unrecognisedLabelCount,
      dominantEmotion: stats.dominantLabel ?? '',
      positiveOrNeutralShare: stats.positiveOrNeutralShare === null ? undefined : roundRatio(stats.positiveOrNeutralShare),
      timeline: timeline(emotions),
    },
    blinks: {
      blinkCount: blinks.blinkCount,
      trackedSeconds: blinks.trackedSeconds,
      blinksPerMinute: blinks.blinksPerMinute ?? undefined,
      windows: blinks.windows.map((w) => ({ ...w })),
      normalLowPerMinute: CONVERSATIONAL_BLINK_RATE.low,
      normalHighPerMinute: CONVERSATIONAL_BLINK_RATE.high,
    },
    insights: card.insights.map((i) => ({ category: i.category, description: i.description, impact: i.impact, evidence: [...i.evidence] })),
    // Not stored with the report: GenerateReport reads it from the integrity service at each call.
    integrity: undefined,
  };
}

/** The report without its per-frame timeline (a report asked for without include_emotions). */
export function withoutTimeline(report: InterviewReport): InterviewReport {
  return report.emotionSummary ? { ...report, emotionSummary: { ...report.emotionSummary, timeline: [] } } : report;
}

/** Every frame in time order (ties: as received); labels that are no FER-2013 label read as none. */
function timeline(samples: readonly EmotionSample[]): TimelinePoint[] {
  return samples
    .map((s, index) => ({ s, index }))
    .sort((a, b) => a.s.timestampMs - b.s.timestampMs || a.index - b.index)
    .map(({ s }) => {
      const emotion = s.faceDetected ? parseFerLabel(s.emotion) : null;
      return {
        timestampMs: s.timestampMs,
        faceDetected: s.faceDetected,
        emotion: emotion ?? '',
        confidence: emotion === null ? 0 : s.confidence,
        blinkCount: s.blinkCount ?? undefined,
      };
    });
}
