import { InterviewServiceService, Report, SendFrameResponse } from '../../gen/interview';
import { AsyncService } from '../../platform/grpc/async-service';
import { ServiceError } from '../../platform/grpc/errors';
import { requireBytes, requireUuid } from '../../platform/grpc/validate';
import { principalOf } from '../../platform/identity/principal';
import { OtherCandidateError } from './domain/errors';
import { DEFAULT_QUESTION_COUNT, MAX_QUESTION_COUNT, nextQuestion, progressOf } from './domain/interview';
import { Interviews } from './interviews';
import { streamInterview } from './interview-stream';
import { frameKey, HandlerLimits } from './limits';
import { captureTime, validateAnswer, validateCategories } from './request-validation';
import { difficultyName, toInterview, toProgress, toQuestion, toState } from './to-proto';

/**
 * interview.v1.InterviewService: validates requests and maps the use cases of Interviews to proto,
 * each on behalf of the call's verified principal (the authentication interceptor's), within
 * `limits` (interviews started per hour, frames per second, open streams).
 */
export function interviewHandlers(interviews: Interviews, limits: HandlerLimits): AsyncService<typeof InterviewServiceService> {
  return {
    async startInterview(request, ctx) {
      const actor = principalOf(ctx);
      // Kept on the wire for the seed's clients; the candidate is the token's subject.
      if (request.candidateId.trim() !== '' && request.candidateId.trim() !== actor.subject) throw new OtherCandidateError();
      const count = request.questionCount || DEFAULT_QUESTION_COUNT;
      if (!Number.isInteger(count) || count < 1 || count > MAX_QUESTION_COUNT) {
        throw ServiceError.invalidArgument(`question_count must be from 1 to ${MAX_QUESTION_COUNT}, got ${request.questionCount}`);
      }
      const categories = validateCategories(request.categories);
      await limits.interviews.take(actor.subject);
      return toInterview(await interviews.start(actor, count, categories, difficultyName(request.difficulty)));
    },

    async getInterview(request, ctx) {
      return toInterview(await interviews.get(principalOf(ctx), requireUuid(request.interviewId, 'interview_id')));
    },

    async submitAnswer(request, ctx) {
      const sessionId = requireUuid(request.interviewId, 'interview_id');
      const { answerId, session } = await interviews.submitAnswer(principalOf(ctx), sessionId, validateAnswer(request));
      const next = nextQuestion(session);
      return { answerId, nextQuestion: next && toQuestion(next), progress: toProgress(progressOf(session)) };
    },

    async sendFrame(request, ctx): Promise<SendFrameResponse> {
      const sessionId = requireUuid(request.interviewId, 'interview_id');
      const image = requireBytes(request.imageData, 'image_data');
      const actor = principalOf(ctx);
      await limits.frames.take(frameKey(actor.subject, sessionId));
      const outcome = await interviews.sendFrame(actor, sessionId, image, request.format, captureTime(request.timestampMs), ctx);
      return { frameNumber: outcome.frameNumber, analysis: outcome.analysis, queued: outcome.analysis === undefined };
    },

    streamInterview: (requests, ctx) => streamInterview(interviews, limits, requests, ctx),

    async completeInterview(request, ctx) {
      return toInterview(await interviews.complete(principalOf(ctx), requireUuid(request.interviewId, 'interview_id')));
    },

    async getInterviewStatus(request, ctx) {
      const session = await interviews.get(principalOf(ctx), requireUuid(request.interviewId, 'interview_id'));
      return {
        interviewId: session.id,
        state: toState(session.status),
        progress: toProgress(progressOf(session)),
        framesReceived: session.framesReceived,
        failureReason: session.failureReason ?? '',
      };
    },

    async getReport(request, ctx): Promise<Report> {
      const sessionId = requireUuid(request.interviewId, 'interview_id');
      const json = await interviews.report(principalOf(ctx), sessionId, request.includeEmotions, ctx);
      const report = JSON.parse(json.toString('utf8')) as {
        scores: { technical: number; communication: number; emotion: number; overall: number };
        feedback: string;
      };
      return {
        interviewId: sessionId,
        scores: report.scores,
        feedback: report.feedback,
        reportJson: json,
        report: undefined,
        reportPdf: Buffer.alloc(0),
        reportUrl: '',
        reportUrlExpiresAt: undefined,
      };
    },
  };
}
