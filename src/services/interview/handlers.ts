import { InterviewServiceService, Report, SendFrameResponse } from '../../gen/interview';
import { AsyncService } from '../../platform/grpc/async-service';
import { ServiceError } from '../../platform/grpc/errors';
import { requireBytes, requireString, requireUuid } from '../../platform/grpc/validate';
import { DEFAULT_QUESTION_COUNT, MAX_QUESTION_COUNT, nextQuestion, progressOf } from './domain/interview';
import { Interviews } from './interviews';
import { streamInterview } from './interview-stream';
import { captureTime, validateAnswer } from './request-validation';
import { difficultyName, toInterview, toProgress, toQuestion, toState } from './to-proto';

/** interview.v1.InterviewService: validates requests and maps the use cases of Interviews to proto. */
export function interviewHandlers(interviews: Interviews): AsyncService<typeof InterviewServiceService> {
  return {
    async startInterview(request) {
      const candidateId = requireString(request.candidateId, 'candidate_id');
      const count = request.questionCount || DEFAULT_QUESTION_COUNT;
      if (!Number.isInteger(count) || count < 1 || count > MAX_QUESTION_COUNT) {
        throw ServiceError.invalidArgument(`question_count must be from 1 to ${MAX_QUESTION_COUNT}, got ${request.questionCount}`);
      }
      const categories = request.categories.map((c) => c.trim().toLowerCase()).filter(Boolean);
      return toInterview(await interviews.start(candidateId, count, categories, difficultyName(request.difficulty)));
    },

    async getInterview(request) {
      return toInterview(await interviews.get(requireUuid(request.interviewId, 'interview_id')));
    },

    async submitAnswer(request) {
      const sessionId = requireUuid(request.interviewId, 'interview_id');
      const { answerId, session } = await interviews.submitAnswer(sessionId, validateAnswer(request));
      const next = nextQuestion(session);
      return { answerId, nextQuestion: next && toQuestion(next), progress: toProgress(progressOf(session)) };
    },

    async sendFrame(request, ctx): Promise<SendFrameResponse> {
      const sessionId = requireUuid(request.interviewId, 'interview_id');
      const image = requireBytes(request.imageData, 'image_data');
      const outcome = await interviews.sendFrame(sessionId, image, request.format, captureTime(request.timestampMs), ctx);
      return { frameNumber: outcome.frameNumber, analysis: outcome.analysis, queued: outcome.analysis === undefined };
    },

    streamInterview: (requests, ctx) => streamInterview(interviews, requests, ctx),

    async completeInterview(request) {
      return toInterview(await interviews.complete(requireUuid(request.interviewId, 'interview_id')));
    },

    async getInterviewStatus(request) {
      const session = await interviews.get(requireUuid(request.interviewId, 'interview_id'));
      return { interviewId: session.id, state: toState(session.status), progress: toProgress(progressOf(session)), framesReceived: session.framesReceived };
    },

    async getReport(request, ctx): Promise<Report> {
      const sessionId = requireUuid(request.interviewId, 'interview_id');
      const json = await interviews.report(sessionId, request.includeEmotions, ctx);
      const report = JSON.parse(json.toString('utf8')) as {
        scores: { technical: number; communication: number; emotion: number; overall: number };
        feedback: string;
      };
      return { interviewId: sessionId, scores: report.scores, feedback: report.feedback, reportJson: json };
    },
  };
}
