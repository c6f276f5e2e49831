import { AnswerAnalysis, AnswerRequest, ReportRequest, ReportResponse, ScoreRequest, ScoreResponse, ScoringServiceService } from '../../gen/scoring';
import { AsyncService } from '../../platform/grpc/async-service';
import { BOUNDS } from '../../platform/contracts/bounds';
import { LimitExceededError, NotFoundError } from '../../platform/errors/domain-errors';
import { ServiceError } from '../../platform/grpc/errors';
import { requireString, requireUuid } from '../../platform/grpc/validate';
import { AnswerAnalyzer, answerInput } from './answer-analyzer';
import { calculateScores, ScoredAnswer, ScoringInputError } from './domain';
import { ScoringStore } from './store';

/** Runs `run`; an input error it throws names where in the request the value was (`answers[2].`). */
async function at<T>(where: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ScoringInputError) throw new ScoringInputError(`${where}${error.field}`, `${where}${error.message}`);
    throw error;
  }
}

/** scoring.ScoringService: AnalyzeAnswer and CalculateScore compute; GenerateReport reads the stored report. */
export function scoringHandlers(store: ScoringStore, analyzer: AnswerAnalyzer): AsyncService<typeof ScoringServiceService> {
  return {
    analyzeAnswer(request: AnswerRequest): Promise<AnswerAnalysis> {
      return analyzer.analyze({ question: request.question, answer: request.answer, category: request.category });
    },

    calculateScore(request: ScoreRequest): Promise<ScoreResponse> {
      return scoreRequest(request, analyzer);
    },

    async generateReport(request: ReportRequest): Promise<ReportResponse> {
      const sessionId = requireUuid(request.sessionId, 'session_id');
      if (request.includeVideo) throw ServiceError.unimplemented('GenerateReport with include_video');
      const report = await store.loadReport(sessionId);
      if (!report) throw new NotFoundError(`no report for session ${sessionId}: it has not been scored yet`);
      const body = request.includeEmotions ? report : { ...report, emotionSummary: { ...report.emotionSummary, timeline: null } };
      return { reportUrl: '', reportData: Buffer.from(JSON.stringify(body)), format: 'json', report: undefined };
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
