import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ReportFormat } from '../../gen/interview';
import { InterviewReport } from '../../gen/report';
import { InvalidInputError } from '../../platform/errors/domain-errors';
import { decodeBase64Image } from './frames';
import { BODY_LIMITS, S } from './schemas';
import { answerJson, difficultyOf, DifficultyName, frameJson, interviewJson, statusJson } from './to-json';
import { callerMetadata, httpCallContext, Upstreams } from './upstream';

interface Id {
  id: string;
}

/** A signal that aborts when the HTTP client goes away before its answer was sent: the downstream call is cancelled with it. */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * Seed 003 section 4's interview endpoints (and the report), each one interview.v1 RPC made with
 * the caller's token: the interview service decides who may do what, as for a gRPC caller.
 */
export function interviewRoutes(fastify: FastifyInstance, upstreams: Upstreams): void {
  const { interview } = upstreams;
  const ctx = (request: FastifyRequest, reply: FastifyReply) => httpCallContext(request.routeOptions.url ?? '', request.caller, clientGone(reply), request.log);
  const meta = (request: FastifyRequest) => callerMetadata(request.caller);
  const auth = { auth: true };

  fastify.post<{ Body: { categories?: string[]; difficulty?: DifficultyName; question_count?: number } | undefined }>(
    '/api/v1/interviews/start',
    { config: auth, schema: { body: S.StartInterviewRequest } },
    async (request, reply) => {
      const body = request.body ?? {};
      const started = await interview.call(
        'startInterview',
        { candidateId: '', categories: body.categories ?? [], difficulty: difficultyOf(body.difficulty), questionCount: body.question_count ?? 0 },
        ctx(request, reply),
        meta(request),
      );
      return reply.code(201).send(interviewJson(started));
    },
  );

  fastify.get<{ Querystring: { page_size?: string; page_token?: string } }>(
    '/api/v1/interviews',
    { config: auth, schema: { querystring: S.ListInterviewsQuery } },
    async (request, reply) => {
      const page = await interview.call(
        'listInterviews',
        { pageSize: Number(request.query.page_size ?? 0), pageToken: request.query.page_token ?? '' },
        ctx(request, reply),
        meta(request),
      );
      return { interviews: page.interviews.map(interviewJson), next_page_token: page.nextPageToken };
    },
  );

  fastify.get<{ Params: Id }>('/api/v1/interviews/:id', { config: auth, schema: { params: S.InterviewId } }, async (request, reply) =>
    interviewJson(await interview.call('getInterview', { interviewId: request.params.id }, ctx(request, reply), meta(request))),
  );

  fastify.post<{ Params: Id; Body: { image: string; format?: string; timestamp?: number; session_id?: string } }>(
    '/api/v1/interviews/:id/frames',
    { config: auth, bodyLimit: BODY_LIMITS.frame, schema: { params: S.InterviewId, body: S.FrameRequest } },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      if (body.session_id !== undefined && body.session_id !== id) throw new InvalidInputError('session_id must be the interview of the path');
      const imageData = decodeBase64Image(body.image, 'image');
      const received = await interview.call(
        'sendFrame',
        { interviewId: id, imageData, format: body.format ?? '', timestampMs: body.timestamp ?? 0 },
        ctx(request, reply),
        meta(request),
      );
      return frameJson(received);
    },
  );

  fastify.post<{ Params: Id; Body: { question_id: string; transcript: string; duration: number; confidence?: number } }>(
    '/api/v1/interviews/:id/answers',
    { config: auth, bodyLimit: BODY_LIMITS.answer, schema: { params: S.InterviewId, body: S.AnswerRequest } },
    async (request, reply) => {
      const b = request.body;
      const answered = await interview.call(
        'submitAnswer',
        { interviewId: request.params.id, questionId: b.question_id, transcript: b.transcript, durationSeconds: b.duration, confidence: b.confidence ?? 0 },
        ctx(request, reply),
        meta(request),
      );
      return answerJson(answered);
    },
  );

  fastify.post<{ Params: Id }>('/api/v1/interviews/:id/complete', { config: auth, schema: { params: S.InterviewId } }, async (request, reply) =>
    interviewJson(await interview.call('completeInterview', { interviewId: request.params.id }, ctx(request, reply), meta(request))),
  );

  fastify.get<{ Params: Id }>('/api/v1/interviews/:id/status', { config: auth, schema: { params: S.InterviewId } }, async (request, reply) =>
    statusJson(await interview.call('getInterviewStatus', { interviewId: request.params.id }, ctx(request, reply), meta(request))),
  );

  fastify.get<{ Params: Id; Querystring: { format?: 'json' | 'pdf'; include_emotions?: 'true' | 'false' } }>(
    '/api/v1/interviews/:id/report',
    { config: auth, schema: { params: S.InterviewId, querystring: S.ReportQuery } },
    async (request, reply) => {
      const pdf = request.query.format === 'pdf';
      const report = await interview.call(
        'getReport',
        {
          interviewId: request.params.id,
          includeEmotions: request.query.include_emotions !== 'false',
          format: pdf ? ReportFormat.REPORT_FORMAT_PDF : ReportFormat.REPORT_FORMAT_JSON,
        },
        ctx(request, reply),
        meta(request),
      );
      if (pdf) {
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="interview-${request.params.id}.pdf"`)
          .send(Buffer.from(report.reportPdf));
      }
      return {
        interview_id: report.interviewId,
        scores: report.scores ?? null,
        feedback: report.feedback,
        report: report.report ? InterviewReport.toJSON(report.report) : null,
        report_url: report.reportUrl,
        report_url_expires_at: report.reportUrlExpiresAt?.toISOString() ?? null,
      };
    },
  );
}
