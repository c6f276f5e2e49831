import { status } from '@grpc/grpc-js';
import { StreamInterviewRequest, StreamInterviewResponse } from '../../gen/interview';
import { fail } from '../../platform/grpc/async-service';
import { CallContext } from '../../platform/grpc/call-context';
import { Principal, principalOf } from '../../platform/identity/principal';
import { CandidateOnlyError } from './domain/errors';
import { requireBytes, requireUuid } from '../../platform/grpc/validate';
import { nextQuestion, progressOf } from './domain/interview';
import { Interviews } from './interviews';
import { captureTime, validateAnswer } from './request-validation';
import { toProgress, toQuestion } from './to-proto';

/** The error for a frame with no face in seed 003 section 5 (docs/seeds.md). */
const FACE_NOT_DETECTED = { code: 'FAILED_PRECONDITION', reason: 'FACE_NOT_DETECTED', message: 'Please ensure your face is visible' };

/**
 * StreamInterview: the interview as a conversation. The first event names the interview (an
 * unknown one ends the stream with NOT_FOUND); then each frame gets an emotion update (and a
 * FACE_NOT_DETECTED error event when there is no face), each answer a status and the next
 * question, each ping a pong. A bad event gets an error event with its status code and the stream
 * goes on.
 */
export async function* streamInterview(
  interviews: Interviews,
  requests: AsyncIterable<StreamInterviewRequest>,
  ctx: CallContext,
): AsyncIterable<StreamInterviewResponse> {
  const actor = principalOf(ctx);
  let sessionId: string | undefined;
  for await (const request of requests) {
    if (!sessionId) {
      sessionId = requireUuid(request.interviewId, 'interview_id');
      const session = await interviews.get(actor, sessionId);
      // The conversation is the candidate's: an interviewer reads the interview with the unary RPCs.
      if (actor.role !== 'candidate') throw new CandidateOnlyError('holds the interview stream');
      yield { status: toProgress(progressOf(session)) };
      const question = nextQuestion(session);
      if (question) yield { question: toQuestion(question) };
    }
    try {
      yield* handleEvent(interviews, actor, sessionId, request, ctx);
    } catch (error) {
      const { code, details } = fail(ctx, error, 'stream event failed');
      yield { error: { code: status[code], message: details, reason: '' } };
    }
  }
}

async function* handleEvent(
  interviews: Interviews,
  actor: Principal,
  sessionId: string,
  request: StreamInterviewRequest,
  ctx: CallContext,
): AsyncIterable<StreamInterviewResponse> {
  if (request.frame) {
    const capturedAt = captureTime(request.frame.timestampMs);
    const outcome = await interviews.sendFrame(
      actor,
      sessionId,
      requireBytes(request.frame.imageData, 'frame.image_data'),
      request.frame.format,
      capturedAt,
      ctx,
    );
    const face = outcome.analysis?.faceMetrics;
    yield {
      emotionUpdate: {
        frameNumber: outcome.frameNumber,
        timestampMs: capturedAt.getTime(),
        emotion: outcome.analysis?.emotion ?? '',
        confidence: outcome.analysis?.confidence ?? 0,
        faceDetected: face?.detected ?? false,
        faceBox: face?.boundingBox,
        queued: outcome.analysis === undefined,
      },
    };
    if (outcome.analysis && !face?.detected) yield { error: FACE_NOT_DETECTED };
  } else if (request.answer) {
    const { session } = await interviews.submitAnswer(actor, sessionId, validateAnswer(request.answer));
    yield { status: toProgress(progressOf(session)) };
    const next = nextQuestion(session);
    if (next) yield { question: toQuestion(next) };
  } else if (request.ping) {
    yield { pong: { sentAtMs: request.ping.sentAtMs } };
  }
}
