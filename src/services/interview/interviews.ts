import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { EmotionResponse, FrameRequest } from '../../gen/emotion';
import { ReportRequest, ReportResponse } from '../../gen/scoring';
import { EVENTS } from '../../platform/bus/event-catalog';
import { BOUNDS } from '../../platform/contracts/bounds';
import { checkFrame } from '../../platform/contracts/frame-checks';
import { classifyError } from '../../platform/errors/classify';
import { CallContext } from '../../platform/grpc/call-context';
import { ServiceError } from '../../platform/grpc/errors';
import { Logger } from '../../platform/log/logger';
import { Outbox } from '../../platform/messaging/outbox';
import { Principal } from '../../platform/identity/principal';
import {
  AnswerExistsError,
  CandidateOnlyError,
  InterviewFailedError,
  InterviewNotFoundError,
  InterviewStateError,
  NoMatchingQuestionsError,
  NotAQuestionOfInterviewError,
  requireCandidate,
  requireOpenForFrames,
  requireReader,
} from './domain/errors';
import { SessionRecord, SubmittedAnswer } from './domain/interview';
import { IntegritySampler, leanFrameCaptured } from './frame-event';
import type { LinkFormat, LinkGrant } from './report-links';
import { InterviewStore, InterviewTables } from './store';

/** How long an interview found open for its candidate's frames is believed so before analysing the next, milliseconds. */
export const OPEN_FOR_FRAMES_MEMO_MS = 5_000;

/** What the interview service asks of its downstreams (their clients, behind breakers, in server.ts). */
export interface InterviewDownstreams {
  analyzeFrame(request: FrameRequest, ctx?: CallContext): Promise<EmotionResponse>;
  generateReport(request: ReportRequest, ctx?: CallContext): Promise<ReportResponse>;
}

export interface FrameOutcome {
  frameNumber: number;
  /** The synchronous analysis; undefined when the frame was queued for analysis instead. */
  analysis: EmotionResponse | undefined;
}

/**
 * The interview service's use cases, shared by the unary RPCs and the stream. Arguments are
 * validated by the caller; `actor` is the call's verified principal. This class enforces who may
 * do what (a candidate reaches only their own interviews, InterviewNotFoundError for others';
 * interviewers read every interview and report but change none, CandidateOnlyError) and the
 * interview's states (InterviewStateError, AnswerExistsError), and keeps each change in one
 * transaction, together with the events it publishes (written to the outbox in that transaction).
 */
export class Interviews {
  /** Interviews that passed the check before a frame's analysis lately, with the subject they passed for. */
  private readonly openForFrames = new LRUCache<string, string>({ max: 10_000, ttl: OPEN_FOR_FRAMES_MEMO_MS });

  constructor(
    private readonly store: InterviewStore,
    private readonly downstreams: InterviewDownstreams,
    private readonly outbox: Outbox<InterviewTables>,
    private readonly log: Logger,
    /** Which analysed frames keep their image for the integrity service; by default none does. */
    private readonly integritySampler: IntegritySampler = new IntegritySampler(0),
  ) {}

  /** Starts an interview for `actor`, a candidate (CandidateOnlyError otherwise). */
  async start(actor: Principal, count: number, categories: readonly string[], difficulty: string | undefined): Promise<SessionRecord> {
    if (actor.role !== 'candidate') throw new CandidateOnlyError('starts an interview');
    const candidateId = actor.subject;
    const sessionId = randomUUID();
    await this.store.db.transaction().execute(async (trx) => {
      const questions = await this.store.drawQuestions(trx, sessionId, count, categories, difficulty);
      if (questions.length === 0) throw new NoMatchingQuestionsError(categories, difficulty);
      await this.store.createSession(trx, sessionId, candidateId, questions, new Date());
    });
    return this.get(actor, sessionId);
  }

  /** The interview, for its candidate or an interviewer; InterviewNotFoundError for anyone else. */
  async get(actor: Principal, sessionId: string): Promise<SessionRecord> {
    const session = await this.store.getSession(this.store.db, sessionId);
    requireReader(actor, sessionId, session?.candidateId);
    if (!session) throw new InterviewNotFoundError(sessionId);
    return session;
  }

  /**
   * A page of interviews, newest first: a candidate's own, or every one for an interviewer.
   * `pageToken` is the opaque key of the previous page's last interview (encodePageToken).
   */
  async list(actor: Principal, pageSize: number, pageToken: string): Promise<{ sessions: SessionRecord[]; nextPageToken: string }> {
    const after = pageToken === '' ? undefined : decodePageToken(pageToken);
    const owner = actor.role === 'candidate' ? actor.subject : undefined;
    // One more than the page: whether there is a next page, without a count.
    const ids = await this.store.listSessionIds(this.store.db, pageSize + 1, owner, after);
    const page = ids.slice(0, pageSize);
    const sessions = (await Promise.all(page.map((row) => this.store.getSession(this.store.db, row.id)))).filter((s) => s !== undefined);
    const last = page.at(-1);
    return { sessions, nextPageToken: ids.length > pageSize && last ? encodePageToken(last) : '' };
  }

  async submitAnswer(actor: Principal, sessionId: string, answer: SubmittedAnswer): Promise<{ answerId: string; session: SessionRecord }> {
    const answerId = await this.store.db.transaction().execute(async (trx) => {
      const session = await this.store.getSession(trx, sessionId, true);
      requireCandidate(actor, sessionId, session?.candidateId, 'answers');
      if (!session) throw new InterviewNotFoundError(sessionId);
      if (session.status !== 'in_progress') throw new InterviewStateError(sessionId, session.status, 'answers are closed');
      if (!session.questions.some((q) => q.id === answer.questionId)) throw new NotAQuestionOfInterviewError(sessionId, answer.questionId);
      const id = await this.store.insertAnswer(trx, sessionId, answer);
      if (!id) throw new AnswerExistsError(sessionId, answer.questionId);
      return id;
    });
    return { answerId, session: await this.get(actor, sessionId) };
  }

  /**
   * Analyzes a frame synchronously when the emotion service answers within its deadline; when it
   * is slow, down, failing or its breaker is open, queues the frame instead (the work is kept).
   * Either way the frame is recorded and published as interview.frame.captured, carrying the
   * synchronous analysis when there is one so the emotion consumer does not analyze it twice (and
   * then not the image, nor the analysis' landmarks: leanFrameCaptured), except on the frames the
   * integrity sampler picks (about one per INTEGRITY_SAMPLE_INTERVAL_MS of the interview), whose
   * image the integrity service analyses. A frame the emotion service rejects as bad input, or
   * whose caller gave up, is neither recorded nor published.
   */
  async sendFrame(actor: Principal, sessionId: string, image: Buffer, format: string, capturedAt: Date, ctx?: CallContext): Promise<FrameOutcome> {
    // Checked before the (slow) analysis, then again, locked, when the frame is recorded. The first
    // check is remembered a while (its candidate never changes; a status that did is caught by
    // the second), so an interview's frames cost one read each, not two.
    if (this.openForFrames.get(sessionId) !== actor.subject) {
      requireOpenForFrames(actor, sessionId, await this.store.getStatus(this.store.db, sessionId));
      this.openForFrames.set(sessionId, actor.subject);
    }
    // What the emotion service would refuse is refused here, before anything is recorded or queued.
    await checkFrame(image, format);

    let analysis: EmotionResponse | undefined;
    try {
      analysis = await this.downstreams.analyzeFrame({ sessionId, imageData: image, timestamp: capturedAt.getTime(), format, traceContext: {} }, ctx);
    } catch (error) {
      const kind = classifyError(error);
      if (kind === 'rejected' || kind === 'cancelled') throw error;
      this.log.info({ sessionId, reason: error instanceof Error ? error.message : String(error) }, 'emotion service unavailable: frame queued for analysis');
    }

    // Unanalysed, the frame travels with its image anyway, which the integrity service may take.
    const keepsImage = analysis === undefined || this.integritySampler.isDue(sessionId, capturedAt.getTime());
    const frameNumber = await this.outbox.transaction(async (trx) => {
      const frame = { capturedAt, format: format || 'unknown', byteLength: image.length, analyzedSynchronously: analysis !== undefined };
      const number = actor.role === 'candidate' ? await this.store.recordFrame(trx, sessionId, actor.subject, BOUNDS.framesPerInterview, frame) : undefined;
      if (number === undefined) {
        this.openForFrames.delete(sessionId);
        requireOpenForFrames(actor, sessionId, await this.store.getStatus(trx, sessionId, true));
        throw new Error(`frame of interview ${sessionId} not recorded, though the interview takes its candidate's frames`);
      }
      await this.outbox.add(
        trx,
        EVENTS.frameCaptured,
        leanFrameCaptured({ sessionId, timestamp: capturedAt, imageData: image, format, frameNumber: number, analysis }, keepsImage),
        sessionId,
      );
      return number;
    });
    // Remembered once committed: a frame rolled back was never sent.
    if (keepsImage) this.integritySampler.sent(sessionId, capturedAt.getTime());
    return { frameNumber, analysis };
  }

  /** Completes the interview and publishes interview.completed; completing again returns it unchanged. */
  async complete(actor: Principal, sessionId: string): Promise<SessionRecord> {
    const completed = await this.outbox.transaction(async (trx) => {
      const session = await this.store.getSession(trx, sessionId, true);
      requireCandidate(actor, sessionId, session?.candidateId, 'completes the interview');
      if (!session) throw new InterviewNotFoundError(sessionId);
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
    // Frames after this are refused before their analysis, not only when recorded (on this replica; another's memo lapses in OPEN_FOR_FRAMES_MEMO_MS).
    this.openForFrames.delete(sessionId);
    if (completed) this.log.info({ sessionId, ...completed }, 'interview completed');
    return this.get(actor, sessionId);
  }

  /**
   * The scoring service's report with its document in `format`, for the interview's candidate or an
   * interviewer; InterviewStateError until the interview is scored, InterviewFailedError (with why)
   * when its scoring failed.
   */
  async report(actor: Principal, sessionId: string, includeEmotions: boolean, format: LinkFormat, ctx?: CallContext): Promise<ReportResponse> {
    requireScored(await this.get(actor, sessionId));
    return this.downstreams.generateReport({ sessionId, includeEmotions, includeVideo: false, format }, ctx);
  }

  /**
   * The document a verified report link grants: whoever holds the link may fetch it, while the
   * interview still exists (InterviewNotFoundError once its candidate's account is deleted).
   */
  async linkedDocument(grant: LinkGrant, ctx?: CallContext): Promise<Uint8Array> {
    const session = await this.store.getSession(this.store.db, grant.interviewId);
    if (!session) throw new InterviewNotFoundError(grant.interviewId);
    requireScored(session);
    const response = await this.downstreams.generateReport(
      { sessionId: grant.interviewId, includeEmotions: grant.includeEmotions, includeVideo: false, format: grant.format },
      ctx,
    );
    return response.reportData;
  }
}

/** A report exists once the interview is scored; never for one whose scoring failed. */
function requireScored(session: SessionRecord): void {
  if (session.status === 'failed') throw new InterviewFailedError(session.id, session.failureReason);
  if (session.status !== 'scored') throw new InterviewStateError(session.id, session.status, 'the report exists once it is scored');
}

/** The opaque page token of ListInterviews: the last listed interview's start (ms) and id, base64url. */
export function encodePageToken(key: { startedAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([key.startedAt.getTime(), key.id])).toString('base64url');
}

/** The key of a page token encodePageToken made; INVALID_ARGUMENT for anything else. */
export function decodePageToken(token: string): { startedAt: Date; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string' && UUID.test(value[1])) {
      return { startedAt: new Date(value[0] as number), id: value[1] };
    }
  } catch {
    // Not JSON: refused below.
  }
  throw ServiceError.invalidArgument('page_token is not one ListInterviews issued');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
