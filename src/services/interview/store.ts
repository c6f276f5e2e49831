import { randomUUID } from 'node:crypto';
import { Generated, Kysely, sql, Transaction } from 'kysely';
import { LRUCache } from 'lru-cache';
import { MessagingTables } from '../../platform/messaging/messaging-tables';
import { AnswerRecord, inInterviewOrder, QuestionRecord, SessionRecord, SessionStatus, SubmittedAnswer } from './domain/interview';

/** The interview service's tables (schema `interview`), with its outbox and inbox. */
export interface InterviewTables extends MessagingTables {
  users: { id: string; external_id: string; role: Generated<string>; created_at: Generated<Date> };
  questions: { id: string; text: string; category: string; difficulty: string; expected_duration: number; created_at: Generated<Date> };
  interview_sessions: {
    id: string;
    user_id: string;
    status: SessionStatus;
    started_at: Date;
    completed_at: Date | null;
    scored_at: Date | null;
    /** When scoring was reported failed (status `failed`), and why. */
    failed_at: Date | null;
    failure_reason: string | null;
    total_duration: number | null;
    video_url: string | null;
    /** bigint: pg returns it as a string. */
    frames_received: Generated<string | number>;
    created_at: Generated<Date>;
  };
  session_questions: { session_id: string; position: number; question_id: string };
  answers: {
    id: string;
    session_id: string;
    question_id: string;
    transcript: string;
    audio_url: string | null;
    duration: number;
    confidence: number;
    created_at: Generated<Date>;
  };
  frames: {
    session_id: string;
    frame_number: number;
    captured_at: Date;
    format: string;
    byte_length: number;
    analyzed_synchronously: boolean;
    received_at: Generated<Date>;
  };
  /** Accounts deleted in the auth service, by token subject: their access tokens are refused. */
  deleted_users: { subject: string; deleted_at: Date; recorded_at: Generated<Date> };
}

export type InterviewDb = Kysely<InterviewTables>;

type Db = InterviewDb | Transaction<InterviewTables>;

/** All of the interview service's SQL. Methods taking `trx` run inside the caller's transaction. */
/** How long a subject found not deleted is believed so without asking again, milliseconds. */
export const NOT_DELETED_MEMO_MS = 2_000;

export class InterviewStore {
  /**
   * Subjects found not deleted lately: the check runs on every call, frames included. A deletion
   * this replica records is seen at once; another replica's within NOT_DELETED_MEMO_MS.
   */
  private readonly notDeleted = new LRUCache<string, true>({ max: 10_000, ttl: NOT_DELETED_MEMO_MS });

  constructor(readonly db: InterviewDb) {}

  /**
   * Draws `count` questions from the bank, filtered by categories (empty: all) and difficulty
   * (undefined: any); a different draw per session (ordered by a hash of question and session id),
   * then sorted from warm-up to wrap-up.
   */
  async drawQuestions(trx: Db, sessionId: string, count: number, categories: readonly string[], difficulty: string | undefined): Promise<QuestionRecord[]> {
    let query = trx.selectFrom('questions').selectAll();
    if (categories.length) query = query.where('category', 'in', categories);
    if (difficulty) query = query.where('difficulty', '=', difficulty);
    const rows = await query
      .orderBy(sql`md5(id::text || ${sessionId})`)
      .limit(count)
      .execute();
    return inInterviewOrder(
      rows.map((r) => ({ id: r.id, text: r.text, category: r.category, difficulty: r.difficulty, expectedDurationSeconds: r.expected_duration })),
    );
  }

  /** Creates the candidate if new, and the session with its questions. */
  async createSession(
    trx: Transaction<InterviewTables>,
    sessionId: string,
    candidateId: string,
    questions: readonly QuestionRecord[],
    now: Date,
  ): Promise<void> {
    const user = await trx
      .insertInto('users')
      .values({ id: randomUUID(), external_id: candidateId })
      .onConflict((oc) => oc.column('external_id').doUpdateSet({ external_id: candidateId }))
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('interview_sessions').values({ id: sessionId, user_id: user.id, status: 'in_progress', started_at: now }).execute();
    await trx
      .insertInto('session_questions')
      .values(questions.map((q, position) => ({ session_id: sessionId, position, question_id: q.id })))
      .execute();
  }

  /** The session's status, candidate and frame count alone (frames need no more); undefined when unknown. `forUpdate` locks its row. */
  async getStatus(trx: Db, sessionId: string, forUpdate = false): Promise<{ status: SessionStatus; candidateId: string; framesReceived: number } | undefined> {
    let query = trx
      .selectFrom('interview_sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.status', 'u.external_id', 's.frames_received'])
      .where('s.id', '=', sessionId);
    if (forUpdate) query = query.forUpdate('s');
    const row = await query.executeTakeFirst();
    return row && { status: row.status, candidateId: row.external_id, framesReceived: Number(row.frames_received) };
  }

  /**
   * Up to `limit` session ids, newest first (started_at, then id, descending), after the `after`
   * key (keyset paging: stable while sessions start); only `candidateId`'s when given.
   */
  async listSessionIds(
    trx: Db,
    limit: number,
    candidateId: string | undefined,
    after: { startedAt: Date; id: string } | undefined,
  ): Promise<{ id: string; startedAt: Date }[]> {
    const rows = await listSessionIdsQuery(trx, limit, candidateId, after).execute();
    return rows.map((r) => ({ id: r.id, startedAt: new Date(r.started_at) }));
  }

  /** The session with its questions and answered ids; undefined when unknown. `forUpdate` locks its row. */
  async getSession(trx: Db, sessionId: string, forUpdate = false): Promise<SessionRecord | undefined> {
    let query = trx
      .selectFrom('interview_sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id', 'u.external_id', 's.status', 's.started_at', 's.completed_at', 's.frames_received', 's.failure_reason'])
      .where('s.id', '=', sessionId);
    if (forUpdate) query = query.forUpdate('s');
    const row = await query.executeTakeFirst();
    if (!row) return undefined;
    const questions = await trx
      .selectFrom('session_questions as sq')
      .innerJoin('questions as q', 'q.id', 'sq.question_id')
      .select(['q.id', 'q.text', 'q.category', 'q.difficulty', 'q.expected_duration'])
      .where('sq.session_id', '=', sessionId)
      .orderBy('sq.position')
      .execute();
    const answered = await trx.selectFrom('answers').select('question_id').where('session_id', '=', sessionId).orderBy('created_at').execute();
    return {
      id: row.id,
      candidateId: row.external_id,
      status: row.status,
      startedAt: new Date(row.started_at),
      completedAt: row.completed_at ? new Date(row.completed_at) : null,
      framesReceived: Number(row.frames_received),
      failureReason: row.failure_reason,
      questions: questions.map((q) => ({
        id: q.id,
        text: q.text,
        category: q.category,
        difficulty: q.difficulty,
        expectedDurationSeconds: q.expected_duration,
      })),
      answeredQuestionIds: answered.map((a) => a.question_id),
    };
  }

  /** Inserts an answer; returns its id, or undefined when that question was answered already. */
  async insertAnswer(trx: Db, sessionId: string, answer: SubmittedAnswer): Promise<string | undefined> {
    const id = randomUUID();
    const result = await trx
      .insertInto('answers')
      .values({
        id,
        session_id: sessionId,
        question_id: answer.questionId,
        transcript: answer.transcript,
        duration: answer.durationSeconds,
        confidence: answer.confidence,
      })
      .onConflict((oc) => oc.columns(['session_id', 'question_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0 ? id : undefined;
  }

  /** Numbers and records a received frame; returns its 1-based frame number. */
  /**
   * Records a frame of `candidateId`'s interview while it takes frames (in progress, fewer than
   * `maxFrames` so far): counts it on the session's row, which the UPDATE locks, and inserts it;
   * returns its number (1, 2, ...), or undefined, recording nothing, when the session is not one
   * that takes this candidate's frames (getStatus then says why).
   */
  async recordFrame(
    trx: Transaction<InterviewTables>,
    sessionId: string,
    candidateId: string,
    maxFrames: number,
    frame: { capturedAt: Date; format: string; byteLength: number; analyzedSynchronously: boolean },
  ): Promise<number | undefined> {
    const counted = await trx
      .updateTable('interview_sessions as s')
      .from('users as u')
      .set({ frames_received: sql`s.frames_received + 1` })
      .whereRef('u.id', '=', 's.user_id')
      .where('s.id', '=', sessionId)
      .where('u.external_id', '=', candidateId)
      .where('s.status', '=', 'in_progress')
      .where('s.frames_received', '<', maxFrames)
      .returning('s.frames_received')
      .executeTakeFirst();
    if (!counted) return undefined;
    const frameNumber = Number(counted.frames_received);
    await trx
      .insertInto('frames')
      .values({
        session_id: sessionId,
        frame_number: frameNumber,
        captured_at: frame.capturedAt,
        format: frame.format,
        byte_length: frame.byteLength,
        analyzed_synchronously: frame.analyzedSynchronously,
      })
      .execute();
    return frameNumber;
  }

  async markCompleted(trx: Transaction<InterviewTables>, sessionId: string, now: Date, totalDurationSeconds: number): Promise<void> {
    await trx
      .updateTable('interview_sessions')
      .set({ status: 'completed', completed_at: now, total_duration: totalDurationSeconds })
      .where('id', '=', sessionId)
      .execute();
  }

  /** Marks a completed session scored; false when it was not in `completed` (unknown or already scored). */
  async markScored(trx: Db, sessionId: string, now: Date): Promise<boolean> {
    const result = await trx
      .updateTable('interview_sessions')
      .set({ status: 'scored', scored_at: now })
      .where('id', '=', sessionId)
      .where('status', '=', 'completed')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records that the account `subject` was deleted; true the first time. */
  async recordDeletedUser(trx: Db, subject: string, deletedAt: Date): Promise<boolean> {
    const inserted = await trx
      .insertInto('deleted_users')
      .values({ subject, deleted_at: deletedAt })
      .onConflict((oc) => oc.column('subject').doNothing())
      .returning('subject')
      .executeTakeFirst();
    this.notDeleted.delete(subject);
    return inserted !== undefined;
  }

  /**
   * Whether the account `subject` was deleted: an index lookup, once per call, unless it was found
   * not deleted within NOT_DELETED_MEMO_MS (recordDeletedUser forgets that at once).
   */
  async isDeletedUser(subject: string): Promise<boolean> {
    if (this.notDeleted.has(subject)) return false;
    const row = await this.db.selectFrom('deleted_users').select('subject').where('subject', '=', subject).executeTakeFirst();
    if (!row) this.notDeleted.set(subject, true);
    return row !== undefined;
  }

  /** Marks a completed session failed, with why; false when it was not in `completed` (unknown, in progress, scored or failed already). */
  async markFailed(trx: Db, sessionId: string, reason: string, now: Date): Promise<boolean> {
    const result = await trx
      .updateTable('interview_sessions')
      .set({ status: 'failed', failure_reason: reason, failed_at: now })
      .where('id', '=', sessionId)
      .where('status', '=', 'completed')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The session's answers with their questions, in the order asked. */
  async answersWithQuestions(trx: Db, sessionId: string): Promise<AnswerRecord[]> {
    const rows = await trx
      .selectFrom('answers as a')
      .innerJoin('questions as q', 'q.id', 'a.question_id')
      .innerJoin('session_questions as sq', (join) => join.onRef('sq.session_id', '=', 'a.session_id').onRef('sq.question_id', '=', 'a.question_id'))
      .select(['a.question_id', 'q.text', 'q.category', 'a.transcript', 'a.duration', 'a.confidence', 'a.created_at'])
      .where('a.session_id', '=', sessionId)
      .orderBy('sq.position')
      .execute();
    return rows.map((r) => ({
      questionId: r.question_id,
      question: r.text,
      category: r.category,
      transcript: r.transcript,
      durationSeconds: r.duration,
      confidence: r.confidence,
      answeredAt: new Date(r.created_at),
    }));
  }
}

/**
 * ListInterviews' query, built but not run (the store runs it; the tests EXPLAIN it). Each form
 * reads an index in its ORDER BY's order and stops at `limit` (migration 0010): every interview by
 * idx_sessions_started_id, one candidate's by idx_sessions_user_started_id, whose user_id is looked
 * up first (a scalar subquery: with a join, PostgreSQL would sort the candidate's rows instead).
 * Sessions reference users by a NOT NULL foreign key, so no join is needed to list them all.
 */
export function listSessionIdsQuery(trx: Db, limit: number, candidateId: string | undefined, after: { startedAt: Date; id: string } | undefined) {
  let query = trx.selectFrom('interview_sessions as s').select(['s.id', 's.started_at']);
  if (candidateId !== undefined)
    query = query.where('s.user_id', '=', (eb) => eb.selectFrom('users').select('users.id').where('users.external_id', '=', candidateId));
  if (after) query = query.where((eb) => eb(eb.refTuple('s.started_at', 's.id'), '<', eb.tuple(after.startedAt, after.id)));
  return query.orderBy('s.started_at', 'desc').orderBy('s.id', 'desc').limit(limit);
}
