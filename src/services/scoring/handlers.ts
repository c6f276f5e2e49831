import { AnswerAnalysis, AnswerRequest, ReportRequest, ReportResponse, ScoreRequest, ScoreResponse, ScoringServiceService } from '../../gen/scoring';
import { AsyncService } from '../../platform/grpc/async-service';
import { ServiceError } from '../../platform/grpc/errors';
import { requireString, requireUuid } from '../../platform/grpc/validate';
import { analyzeAnswer, calculateScores, ScoredAnswer, ScoringInputError } from './domain';
import { loadReport, ScoringDb } from './scoring-store';

/** Runs domain code, turning its input errors into INVALID_ARGUMENT prefixed with where the value was. */
function validated<T>(run: () => T, where = ''): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ScoringInputError) throw ServiceError.invalidArgument(`${where}${error.message}`);
    throw error;
  }
}

const analyse = (input: { question: string; answer: string; category: string }, where = '') => validated(() => analyzeAnswer(input), where);

/** scoring.ScoringService: AnalyzeAnswer and CalculateScore compute; GenerateReport reads the stored report. */
export function scoringHandlers(db: ScoringDb): AsyncService<typeof ScoringServiceService> {
  return {
    async analyzeAnswer(request: AnswerRequest): Promise<AnswerAnalysis> {
      return analyse({ question: request.question, answer: request.answer, category: request.category });
    },

    async calculateScore(request: ScoreRequest): Promise<ScoreResponse> {
      const sessionId = requireString(request.sessionId, 'session_id');
      const answers: ScoredAnswer[] = request.answers.map((a, i) => ({
        questionId: a.questionId,
        question: a.question,
        category: a.category,
        transcript: a.transcript,
        durationSeconds: a.duration,
        analysis: analyse({ question: a.question, answer: a.transcript, category: a.category }, `answers[${i}].`),
      }));
      const card = validated(() => calculateScores({
        answers,
        emotions: request.emotions.map((e) => ({
          timestampMs: e.timestamp,
          faceDetected: e.emotion !== '',
          emotion: e.emotion || null,
          confidence: e.confidence,
          blinkCount: e.blinkCount,
        })),
        totalQuestions: Math.max(request.metadata?.totalQuestions ?? 0, answers.length),
      }));
      return {
        sessionId,
        technicalScore: card.technicalScore,
        communicationScore: card.communicationScore,
        emotionScore: card.emotionScore,
        overallScore: card.overallScore,
        feedback: card.feedback,
        insights: card.insights.map((i) => ({ category: i.category, description: i.description, impact: i.impact })),
      };
    },

    async generateReport(request: ReportRequest): Promise<ReportResponse> {
      const sessionId = requireUuid(request.sessionId, 'session_id');
      if (request.includeVideo) throw ServiceError.unimplemented('GenerateReport with include_video');
      const report = await loadReport(db, sessionId);
      if (!report) throw ServiceError.notFound(`no report for session ${sessionId}: it has not been scored yet`);
      const body = request.includeEmotions ? report : { ...report, emotionSummary: { ...report.emotionSummary, timeline: null } };
      return { reportUrl: '', reportData: Buffer.from(JSON.stringify(body)), format: 'json' };
    },
  };
}
