import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { EmotionResponse } from '../../gen/emotion';
import { EVENTS } from '../../platform/bus/event-catalog';
import { CallContext } from '../../platform/grpc/call-context';
import { isGrpcCallError, ServiceError } from '../../platform/grpc/errors';
import { Logger } from '../../platform/log/logger';
import { Outbox } from '../../platform/messaging/outbox';
import { Downstream } from './downstream';
import { AnswerRecord, InterviewStore, QuestionRecord, SessionRecord } from './interview-store';
import { InterviewTables, SessionStatus } from './interview-tables';

/** Questions per interview when the request leaves question_count 0, and the most allowed. */
export const DEFAULT_QUESTION_COUNT = 5;
export const MAX_QUESTION_COUNT = 20;
/** Largest frame the interview service accepts, bytes; the emotion service checks pixels and format. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export interface Progress {
  /** 0..100. */
  percent: number;
  answered: number;
  totalQuestions: number;
}

export interface FrameOutcome {
  frameNumber: number;
  /** The synchronous analysis; undefined when the frame was queued for analysis instead. */
  analysis: EmotionResponse | undefined;
}

export function progressOf(session: SessionRecord): Progress {
  const total = session.questions.length;
  const answered = session.answeredQuestionIds.length;
  return { percent: total ? Math.round((answered * 100) / total) : 0, answered, totalQuestions: total };
}

export function nextQuestion(session: SessionRecord): QuestionRecord | undefined {
  const answered = new Set(session.answeredQuestionIds);
  return session.questions.find((q) => !answered.has(q.id));
}

/**
 * The interview service's use cases, shared by the unary RPCs and the stream. Arguments are
 * validated by the caller; this class enforces the interview's states (NOT_FOUND, FAILED_PRECONDITION,
 * ALREADY_EXISTS) and keeps each change in one transaction, together with the events it publishes
 * (written to the outbox in that transaction).
 */
export class Interviews {
  constructor(
    private readonly store: InterviewStore,
    private readonly downstream: Downstream,
    private readonly outbox: Outbox<InterviewTables>,
    private readonly log: Logger,
  ) {}

  async start(candidateId: string, count: number, categories: readonly string[], difficulty: string | undefined): Promise<SessionRecord> {
    const sessionId = randomUUID();
    await this.store.db.transaction().execute(async (trx) => {
      const questions = await this.store.drawQuestions(trx, sessionId, count, categories, difficulty);
      if (questions.length === 0) {
        throw ServiceError.invalidArgument(`the question bank has no question in categories [${categories.join(', ') || 'any'}] at difficulty ${difficulty ?? 'any'}`);
      }
      await this.store.createSession(trx, sessionId, candidateId, questions, new Date());
    });
    return this.get(sessionId);
  }

  async get(sessionId: string): Promise<SessionRecord> {
    const session = await this.store.getSession(this.store.db, sessionId);
    if (!session) throw ServiceError.notFound(`interview ${sessionId} not found`);
    return session;
  }

  async submitAnswer(sessionId: string, answer: Omit<AnswerRecord, 'question' | 'category'>): Promise<{ answerId: string; session: SessionRecord }> {
    const answerId = await this.store.db.transaction().execute(async (trx) => {
      const session = await this.store.getSession(trx, sessionId, true);
      if (!session) throw ServiceError.notFound(`interview ${sessionId} not found`);
      if (session.status !== 'in_progress') throw ServiceError.failedPrecondition(`interview ${sessionId} is ${session.status}; answers are closed`);
      if (!session.questions.some((q) => q.id === answer.questionId)) {
        throw ServiceError.invalidArgument(`question_id ${answer.questionId} is not a question of interview ${sessionId}`);
      }
      const id = await this.store.insertAnswer(trx, sessionId, answer);
      if (!id) throw ServiceError.alreadyExists(`question ${answer.questionId} of interview ${sessionId} is answered already`);
      return id;
    });
    return { answerId, session: await this.get(sessionId) };
  }

  /**
   * Analyses a frame synchronously when the emotion service answers within its deadline; when it
   * is slow, down or its breaker is open, queues the frame instead (the work is kept). Either way
   * the frame is recorded and published as interview.frame.captured, carrying the synchronous
   * analysis when there is one so the emotion consumer does not analyse it twice. A frame the
   * emotion service rejects as bad input is neither recorded nor published.
   */
  async sendFrame(sessionId: string, image: Buffer, format: string, capturedAt: Date, ctx?: CallContext): Promise<FrameOutcome> {
    if (image.length > MAX_FRAME_BYTES) throw ServiceError.resourceExhausted(`image_data is ${image.length} bytes; the limit is ${MAX_FRAME_BYTES}`);
    // Checked before the (slow) analysis and again, locked, when the frame is recorded.
    requireOpenForFrames(sessionId, await this.store.getStatus(this.store.db, sessionId));

    let analysis: EmotionResponse | undefined;
    try {
      analysis = await this.downstream.analyzeFrame({ sessionId, imageData: image, timestamp: capturedAt.getTime(), format }, ctx);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      this.log.info({ sessionId, reason: error instanceof Error ? error.message : String(error) }, 'emotion service unavailable: frame queued for analysis');
    }

    const frameNumber = await this.outbox.transaction(async (trx) => {
      requireOpenForFrames(sessionId, await this.store.getStatus(trx, sessionId, true));
      const number = await this.store.recordFrame(trx, sessionId, { capturedAt, format: format || 'unknown', byteLength: image.length, analysedSynchronously: analysis !== undefined });
      await this.outbox.add(trx, EVENTS.frameCaptured, { sessionId, timestamp: capturedAt, imageData: image, format, frameNumber: number, analysis }, sessionId);
      return number;
    });
    return { frameNumber, analysis };
  }

  /** Completes the interview and publishes interview.completed; completing again returns it unchanged. */
  async complete(sessionId: string): Promise<SessionRecord> {
    const completed = await this.outbox.transaction(async (trx) => {
      const session = await this.store.getSession(trx, sessionId, true);
      if (!session) throw ServiceError.notFound(`interview ${sessionId} not found`);
      if (session.status !== 'in_progress') return undefined;
      const now = new Date();
      const totalDuration = Math.round((now.getTime() - session.startedAt.getTime()) / 1000);
      await this.store.markCompleted(trx, sessionId, now, totalDuration);
      const answers = await this.store.answersWithQuestions(trx, sessionId);
      await this.outbox.add(
        trx,
        EVENTS.completed,
        {
          sessionId,
          userId: session.candidateId,
          completedAt: now,
          totalDuration,
          answerCount: answers.length,
          startedAt: session.startedAt,
          totalQuestions: session.questions.length,
          framesSent: session.framesReceived,
          answers: answers.map((a) => ({ ...a })),
        },
        sessionId,
      );
      return { answers: answers.length, frames: session.framesReceived };
    });
    if (completed) this.log.info({ sessionId, ...completed }, 'interview completed');
    return this.get(sessionId);
  }

  /** The scoring service's JSON report; FAILED_PRECONDITION until the interview is scored. */
  async report(sessionId: string, includeEmotions: boolean, ctx?: CallContext): Promise<Buffer> {
    const session = await this.get(sessionId);
    if (session.status !== 'scored') throw ServiceError.failedPrecondition(`interview ${sessionId} is ${session.status}; the report exists once it is scored`);
    const response = await this.downstream.generateReport({ sessionId, includeEmotions, includeVideo: false }, ctx);
    return Buffer.from(response.reportData);
  }
}

function requireOpenForFrames(sessionId: string, status: SessionStatus | undefined): void {
  if (!status) throw ServiceError.notFound(`interview ${sessionId} not found`);
  if (status !== 'in_progress') throw ServiceError.failedPrecondition(`interview ${sessionId} is ${status}; frames are closed`);
}

/** Codes that say the emotion service could not answer now, as opposed to rejecting the frame. */
const EMOTION_UNAVAILABLE_CODES = new Set<status>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.INTERNAL, status.UNKNOWN]);

function isRetryable(error: unknown): boolean {
  return (error instanceof ServiceError || isGrpcCallError(error)) && EMOTION_UNAVAILABLE_CODES.has(error.code);
}
