import { AnswerAnalysis, AnswerRequest, ReportRequest, ReportResponse, ScoreRequest, ScoreResponse, ScoringServiceService } from '../../gen/scoring';
import { AsyncService } from '../../platform/grpc/async-service';
import { BOUNDS } from '../../platform/contracts/bounds';
import { reportJson } from '../../platform/contracts/report-json';
import { LimitExceededError, NotFoundError, NotImplementedError } from '../../platform/errors/domain-errors';
import { ServiceError } from '../../platform/grpc/errors';
import { requireString, requireUuid } from '../../platform/grpc/validate';
import { AnswerAnalyzer, answerInput } from './answer-analyzer';
import { calculateScores, ScoredAnswer, ScoringInputError } from './domain';
import { withoutTimeline } from './report/build-report';
import { ReportDocuments } from './report/report-documents';
import type { IntegrityReader } from './report/integrity-section';
import { ScoringStore } from './store';

/** The documents GenerateReport makes: ReportRequest.format, lower case; empty means json. */
export const REPORT_FORMATS = ['json', 'pdf'] as const;
export type ReportFormatName = (typeof REPORT_FORMATS)[number];

/** ReportRequest.format as a format (trimmed, any case; empty is json); INVALID_ARGUMENT for any other. */
export function reportFormat(value: string): ReportFormatName {
  const name = value.trim().toLowerCase() || 'json';
  const known = REPORT_FORMATS.find((f) => f === name);
  if (!known) throw ServiceError.invalidArgument(`format must be json or pdf, got "${value.slice(0, 40)}"`);
  return known;
}

/** Runs `run`; an input error it throws names where in the request the value was (`answers[2].`). */
async function at<T>(where: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ScoringInputError) throw new ScoringInputError(`${where}${error.field}`, `${where}${error.message}`);
    throw error;
  }
}

/**
 * scoring.ScoringService: AnalyzeAnswer and CalculateScore compute; GenerateReport reads the stored
 * report, adds its integrity section (`integrity`, read at each call: the integrity service may
 * still be catching up on the interview's last frames when it is scored), and makes its PDF once
 * for each integrity section (`documents`).
 */
export function scoringHandlers(
  store: ScoringStore,
  analyzer: AnswerAnalyzer,
  documents: ReportDocuments,
  integrity: IntegrityReader,
): AsyncService<typeof ScoringServiceService> {
  return {
    analyzeAnswer(request: AnswerRequest): Promise<AnswerAnalysis> {
      return analyzer.analyze({ question: request.question, answer: request.answer, category: request.category });
    },

    calculateScore(request: ScoreRequest): Promise<ScoreResponse> {
      return scoreRequest(request, analyzer);
    },

    async generateReport(request: ReportRequest, ctx): Promise<ReportResponse> {
      const sessionId = requireUuid(request.sessionId, 'session_id');
      const format = reportFormat(request.format);
      // Not a state of this interview that could change: the mesh keeps no video at all.
      if (request.includeVideo)
        throw new NotImplementedError('include_video: the mesh stores no video (frames are analysed, not kept), so no report can include it');
      const stored = await store.loadReport(sessionId);
      if (!stored) throw new NotFoundError(`no report for session ${sessionId}: it has not been scored yet`);
      const report = { ...(request.includeEmotions ? stored : withoutTimeline(stored)), integrity: await integrity(sessionId, ctx) };
      // report_url stays empty: this service is internal; the interview service links to its documents.
      const reportData = format === 'pdf' ? await documents.pdf(report, request.includeEmotions) : Buffer.from(reportJson().stringify(report));
      return { reportUrl: '', reportData, format, report };
    },
  };
}

/**
 * CalculateScore's computation: the score card of the request's answers (each analyzed here) and emotions.
 * @throws LimitExceededError (RESOURCE_EXHAUSTED) for more than BOUNDS.scoredAnswers answers.
 */
async function scoreRequest(request: ScoreRequest, analyzer: AnswerAnalyzer): Promise<ScoreResponse> {
  const sessionId = requireString(request.sessionId, 'session_id');
  if (request.answers.length > BOUNDS.scoredAnswers) {
    throw new LimitExceededError(`the request has ${request.answers.length} answers; the limit is ${BOUNDS.scoredAnswers} answers`);
  }
  const answers: ScoredAnswer[] = await Promise.all(
    request.answers.map(async (a, i) => ({
      questionId: a.questionId,
      question: a.question,
      category: a.category,
      transcript: a.transcript,
      durationSeconds: a.duration,
      analysis: await at(`answers[${i}].`, () => analyzer.analyze(answerInput(a))),
    })),
  );
  const card = calculateScores({
    answers,
    emotions: request.emotions.map((e) => ({
      timestampMs: e.timestamp,
      faceDetected: e.emotion !== '',
      emotion: e.emotion || null,
      confidence: e.confidence,
      blinkCount: e.blinkCount,
    })),
    totalQuestions: Math.max(request.metadata?.totalQuestions ?? 0, answers.length),
  });
  return {
    sessionId,
    technicalScore: card.technicalScore,
    communicationScore: card.communicationScore,
    emotionScore: card.emotionScore,
    overallScore: card.overallScore,
    feedback: card.feedback,
    insights: card.insights.map((i) => ({ category: i.category, description: i.description, impact: i.impact })),
  };
}
