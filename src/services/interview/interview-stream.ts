import { status } from '@grpc/grpc-js';
import { StreamInterviewRequest, StreamInterviewResponse } from '../../gen/interview';
import { BOUNDS } from '../../platform/contracts/bounds';
import { LimitExceededError } from '../../platform/errors/domain-errors';
import { RateLimitedError } from '../../platform/limits/rate-limit';
import { RATE_LIMIT_EXCEEDED } from '../../platform/grpc/status-details';
import { fail } from '../../platform/grpc/async-service';
import { CallContext } from '../../platform/grpc/call-context';
import { Principal, principalOf } from '../../platform/identity/principal';
import { CandidateOnlyError } from './domain/errors';
import { requireBytes, requireUuid } from '../../platform/grpc/validate';
import { nextQuestion, progressOf } from './domain/interview';
import { Interviews } from './interviews';
import { frameKey, HandlerLimits } from './limits';
import { captureTime, validateAnswer } from './request-validation';
import { toProgress, toQuestion } from './to-proto';

/** The error for a frame with no face in seed 003 section 5 (docs/seeds.md). */
const FACE_NOT_DETECTED = { code: 'FAILED_PRECONDITION', reason: 'FACE_NOT_DETECTED', message: 'Please ensure your face is visible', retryAfterMs: 0 };

/** How long one StreamInterview may last, and may go without a message from the client, milliseconds. */
export interface StreamBounds {
  readonly lifetimeMs: number;
  readonly idleMs: number;
}

/** The contract's bounds (BOUNDS.streamLifetimeMs, BOUNDS.streamIdleMs). */
export const STREAM_BOUNDS: StreamBounds = { lifetimeMs: BOUNDS.streamLifetimeMs, idleMs: BOUNDS.streamIdleMs };

/**
 * StreamInterview: the interview as a conversation. The first event names the interview (an
 * unknown one ends the stream with NOT_FOUND); then each frame gets an emotion update (and a
 * FACE_NOT_DETECTED error event when there is no face), each answer a status and the next
 * question, each ping a pong. A bad event gets an error event with its status code and the stream
 * goes on; a frame past the frames-per-second limit gets one with RATE_LIMIT_EXCEEDED and its
 * retry delay. The stream ends with RESOURCE_EXHAUSTED when the user already holds
 * `limits.streams`' maximum of open streams, when it has lasted `bounds.lifetimeMs`, or the client
 * has sent nothing for `bounds.idleMs` (see boundedRequests); quietly when the call is cancelled.
 */
export async function* streamInterview(
  interviews: Interviews,
  limits: HandlerLimits,
  requests: AsyncIterable<StreamInterviewRequest>,
  ctx: CallContext,
  bounds: StreamBounds = STREAM_BOUNDS,
): AsyncIterable<StreamInterviewResponse> {
  const actor = principalOf(ctx);
  await limits.streams.take(actor.subject);
  try {
    yield* conversation(interviews, limits, actor, requests, ctx, bounds);
  } finally {
    await limits.streams.giveBack(actor.subject);
  }
}

async function* conversation(
  interviews: Interviews,
  limits: HandlerLimits,
  actor: Principal,
  requests: AsyncIterable<StreamInterviewRequest>,
  ctx: CallContext,
  bounds: StreamBounds,
): AsyncIterable<StreamInterviewResponse> {
  let sessionId: string | undefined;
  for await (const request of boundedRequests(requests, ctx.signal, bounds)) {
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
      yield* handleEvent(interviews, limits, actor, sessionId, request, ctx);
    } catch (error) {
      const { code, details } = fail(ctx, error, 'stream event failed');
      const limited = error instanceof RateLimitedError;
      yield {
        error: { code: status[code], message: details, reason: limited ? RATE_LIMIT_EXCEEDED : '', retryAfterMs: limited ? Math.ceil(error.retryAfterMs) : 0 },
      };
    }
  }
}

async function* handleEvent(
  interviews: Interviews,
  limits: HandlerLimits,
  actor: Principal,
  sessionId: string,
  request: StreamInterviewRequest,
  ctx: CallContext,
): AsyncIterable<StreamInterviewResponse> {
  if (request.frame) {
    const capturedAt = captureTime(request.frame.timestampMs);
    await limits.frames.take(frameKey(actor.subject, sessionId));
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
        blinks: outcome.analysis?.blinkMetrics,
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

type Wait<T> = { readonly kind: 'message'; readonly result: IteratorResult<T> } | { readonly kind: 'timeout' } | { readonly kind: 'aborted' };

/**
 * `source`'s messages while the stream is within `bounds`: each wait for the next message races a
 * timer for the idle bound or what is left of the lifetime, whichever is shorter, and `signal`.
 * Throws LimitExceededError naming the bound when the timer wins; ends when `signal` aborts (the
 * call is over). The lifetime is checked while waiting for the client: time spent handling an
 * event counts towards it, and a stream past it ends at its next wait. One timer at most, cleared
 * on every message and when the stream ends, however it ends.
 */
async function* boundedRequests<T>(source: AsyncIterable<T>, signal: AbortSignal, bounds: StreamBounds): AsyncGenerator<T> {
  const endsAt = Date.now() + bounds.lifetimeMs;
  const iterator = source[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  let pending: Promise<unknown> | undefined;
  let finished = false;
  let onAbort = (): void => undefined;
  const aborted = new Promise<Wait<T>>((resolve) => {
    onAbort = () => {
      resolve({ kind: 'aborted' });
    };
  });
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!signal.aborted) {
      const remaining = endsAt - Date.now();
      if (remaining <= 0) throw lifetimeExceeded(bounds.lifetimeMs);
      const lifetimeFirst = remaining <= bounds.idleMs;
      const next = iterator.next();
      pending = next;
      const message = next.then(
        (result): Wait<T> => ({ kind: 'message', result }),
        (error: unknown) => {
          finished = true;
          throw error;
        },
      );
      const timeout = new Promise<Wait<T>>((resolve) => {
        timer = setTimeout(resolve, Math.min(remaining, bounds.idleMs), { kind: 'timeout' });
      });
      const wait = await Promise.race([message, timeout, aborted]);
      clearTimeout(timer);
      timer = undefined;
      if (wait.kind === 'timeout') throw lifetimeFirst ? lifetimeExceeded(bounds.lifetimeMs) : idleExceeded(bounds.idleMs);
      if (wait.kind === 'aborted') return;
      pending = undefined;
      if (wait.result.done) {
        finished = true;
        return;
      }
      yield wait.result.value;
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    if (!finished) await closeSource(iterator, pending);
  }
}

/**
 * Tells `iterator` no more messages are wanted, as `for await` does on leaving early. With a read
 * still `pending` (the timer or the abort won the race), the close is not awaited: an async
 * generator's return waits for its pending next, which may wait for the client forever.
 */
async function closeSource(iterator: AsyncIterator<unknown>, pending: Promise<unknown> | undefined): Promise<void> {
  const closing = Promise.resolve(iterator.return?.()).catch(() => undefined);
  if (!pending) await closing;
}

function lifetimeExceeded(ms: number): LimitExceededError {
  return new LimitExceededError(`the interview stream lasted its limit of ${duration(ms)}; open a new one`);
}

function idleExceeded(ms: number): LimitExceededError {
  return new LimitExceededError(`no message for ${duration(ms)}: the stream is closed; open a new one when you resume`);
}

/** `ms` in the largest unit that divides it: 180 minutes, 30 seconds, 200 ms. */
function duration(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms >= 60_000 && ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  if (ms >= 1_000 && ms % 1_000 === 0) return plural(ms / 1_000, 'second');
  return `${ms} ms`;
}
