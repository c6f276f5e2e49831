import { InterviewServiceService, Report, ReportFormat, SendFrameResponse } from '../../gen/interview';
import { reportJson } from '../../platform/contracts/report-json';
import { UnavailableError } from '../../platform/errors/domain-errors';
import { AsyncService } from '../../platform/grpc/async-service';
import { ServiceError } from '../../platform/grpc/errors';

import { requireBytes, requireUuid } from '../../platform/grpc/validate';
import { principalOf } from '../../platform/identity/principal';
import { OtherCandidateError } from './domain/errors';
import { DEFAULT_QUESTION_COUNT, MAX_QUESTION_COUNT, nextQuestion, progressOf } from './domain/interview';
import { Interviews } from './interviews';
import { streamInterview } from './interview-stream';
import { frameKey, HandlerLimits } from './limits';
import { LinkFormat, ReportLinks } from './report-links';
import { captureTime, validateAnswer, validateCategories } from './request-validation';
import { difficultyName, toInterview, toProgress, toQuestion, toState } from './to-proto';

/** ListInterviews' page size when none is asked for, and the most it gives. */
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** GetReportRequest.format as the document's format; INVALID_ARGUMENT for a value the enum does not have. */
export function documentFormat(format: ReportFormat): LinkFormat {
  switch (format) {
    case ReportFormat.REPORT_FORMAT_UNSPECIFIED:
    case ReportFormat.REPORT_FORMAT_JSON:
      return 'json';
    case ReportFormat.REPORT_FORMAT_PDF:
      return 'pdf';
    default:
      throw ServiceError.invalidArgument(`format ${String(format)} is not a known ReportFormat`);
  }
}

/**
 * interview.v1.InterviewService: validates requests and maps the use cases of Interviews to proto,
 * each on behalf of the call's verified principal (the authentication interceptor's), within
 * `limits` (interviews started per hour, frames per second, open streams); GetReport hands out a
 * link to the document (`links`).
 */
export function interviewHandlers(interviews: Interviews, limits: HandlerLimits, links: ReportLinks): AsyncService<typeof InterviewServiceService> {
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

    async listInterviews(request, ctx) {
      const size = request.pageSize || DEFAULT_PAGE_SIZE;
      if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
        throw ServiceError.invalidArgument(`page_size must be from 0 to ${MAX_PAGE_SIZE}, got ${request.pageSize}`);
      const { sessions, nextPageToken } = await interviews.list(principalOf(ctx), size, request.pageToken);
      return { interviews: sessions.map(toInterview), nextPageToken };
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
      const format = documentFormat(request.format);
      const { includeEmotions } = request;
      const response = await interviews.report(principalOf(ctx), sessionId, includeEmotions, format, ctx);
      const { report } = response;
      // A scoring service from before the typed report (a rolling upgrade): it will be there shortly.
      if (!report) throw new UnavailableError('the scoring service answered without the typed report; retry shortly');
      // Checked above: the caller may read this report, so may the link's holder.
      const link = await links.issue({ interviewId: sessionId, format, includeEmotions });
      return {
        interviewId: sessionId,
        scores: report.scores,
        feedback: report.feedback,
        report,
        // The deprecated field, kept for the callers written before `report`.
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        reportJson: Buffer.from(reportJson().stringify(report)),
        reportPdf: format === 'pdf' ? Buffer.from(response.reportData) : Buffer.alloc(0),
        reportUrl: link.url,
        reportUrlExpiresAt: link.expiresAt,
      };
    },
  };
}
