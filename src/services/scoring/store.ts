import { randomUUID } from 'node:crypto';
import type { JsonValue } from '@bufbuild/protobuf';
import { Generated, Kysely, sql, Transaction } from 'kysely';
import { InterviewCompleted } from '../../gen/events';
import { InterviewReport } from '../../gen/report';
import { reportJson } from '../../platform/contracts/report-json';
import { EmotionSample, ScoreCard, ScoredAnswer } from './domain';
import { MessagingTables } from '../../platform/messaging/messaging-tables';

/** The scoring service's tables (schema `scoring`), with its outbox and inbox. */
export interface ScoringTables extends MessagingTables {
  emotion_samples: {
    session_id: string;
    frame_number: number;
    timestamp: Date;
    face_detected: boolean;
    emotion: string | null;
    confidence: number;
    blink_count: number | null;
    /** now() of the transaction that stored the sample. */
    stored_at: Generated<Date>;
  };
  pending_completions: {
    session_id: string;
    /** pg returns int8 as a string, PGlite as a number or bigint. */
    frames_sent: number | string | bigint;
    completed_event: unknown;
    received_at: Generated<Date>;
  };
  scores: {
    id: string;
    session_id: string;
    technical_score: number;
    communication_score: number;
    emotion_score: number;
    overall_score: number;
    feedback: string;
    created_at: Generated<Date>;
  };
  answer_analyses: {
    session_id: string;
    question_id: string;
    relevance_score: number;
    clarity_score: number;
    depth_score: number;
    keywords: unknown;
    feedback: string;
  };
  reports: {
    session_id: string;
    format: string;
    /** The typed report's proto3 JSON (reportJson). */
    report: unknown;
    created_at: Generated<Date>;
  };
  /** Each report's documents, made once (migration 0005_report_documents). */
  report_documents: {
    session_id: string;
    format: string;
    include_emotions: boolean;
    /** Of the integrity section the document shows (migration 0007_report_document_integrity). */
    integrity_digest: string;
    content: Uint8Array;
    created_at: Generated<Date>;
  };
}

/** Which document of a report: its format, whether it shows every frame, and which integrity section. */
export interface DocumentKey {
  readonly sessionId: string;
  readonly format: 'pdf';
  readonly includeEmotions: boolean;
  /** SHA-256 (hex) of the integrity section the document shows (integrityDigest). */
  readonly integrityDigest: string;
}

export type ScoringDb = Kysely<ScoringTables>;
type Db = ScoringDb | Transaction<ScoringTables>;

/** A completion waiting for its interview's last frames: the event, and how many frames it sent. */
export interface PendingCompletion {
  framesSent: number;
  completed: InterviewCompleted;
}

/** All of the scoring service's SQL. Methods taking `trx` run inside the caller's transaction. */
export class ScoringStore {
  constructor(readonly db: ScoringDb) {}

  /** Serialises work on one interview across consumers and replicas (released at commit). */
  async lockSession(trx: Transaction<ScoringTables>, sessionId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext(${'scoring:' + sessionId}))`.execute(trx);
  }

  /** Stores one frame's emotion sample; false, leaving it as it is, for a frame stored already. */
  async insertSample(trx: Transaction<ScoringTables>, sessionId: string, frameNumber: number, sample: EmotionSample): Promise<boolean> {
    const result = await trx
      .insertInto('emotion_samples')
      .values({
        session_id: sessionId,
        frame_number: frameNumber,
        timestamp: new Date(sample.timestampMs),
        face_detected: sample.faceDetected,
        emotion: sample.emotion,
        confidence: sample.confidence,
        blink_count: sample.blinkCount,
      })
      .onConflict((oc) => oc.columns(['session_id', 'frame_number']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** How many frames of the interview have their sample. */
  async countSamples(trx: Db, sessionId: string): Promise<number> {
    const row = await trx
      .selectFrom('emotion_samples')
      .select(sql<string>`count(*)`.as('n'))
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The interview's samples in frame order. */
  async loadSamples(trx: Db, sessionId: string): Promise<EmotionSample[]> {
    const rows = await trx.selectFrom('emotion_samples').selectAll().where('session_id', '=', sessionId).orderBy('frame_number').execute();
    return rows.map((r) => ({
      timestampMs: new Date(r.timestamp).getTime(),
      faceDetected: r.face_detected,
      emotion: r.emotion,
      confidence: r.confidence,
      blinkCount: r.blink_count,
    }));
  }

  async isScored(trx: Db, sessionId: string): Promise<boolean> {
    return (await trx.selectFrom('scores').select('id').where('session_id', '=', sessionId).executeTakeFirst()) !== undefined;
  }

  /** Keeps a completion until its last frame arrives; a second copy of it is ignored. */
  async addPendingCompletion(trx: Transaction<ScoringTables>, completed: InterviewCompleted): Promise<void> {
    await trx
      .insertInto('pending_completions')
      .values({ session_id: completed.sessionId, frames_sent: completed.framesSent, completed_event: JSON.stringify(InterviewCompleted.toJSON(completed)) })
      .onConflict((oc) => oc.column('session_id').doNothing())
      .execute();
  }

  /** The interview's waiting completion, if any. */
  async pendingCompletion(trx: Db, sessionId: string): Promise<PendingCompletion | undefined> {
    const row = await trx.selectFrom('pending_completions').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
    if (!row) return undefined;
    const json: unknown = typeof row.completed_event === 'string' ? JSON.parse(row.completed_event) : row.completed_event;
    return { framesSent: Number(row.frames_sent), completed: InterviewCompleted.fromJSON(json) };
  }

  async deletePendingCompletion(trx: Transaction<ScoringTables>, sessionId: string): Promise<void> {
    await trx.deleteFrom('pending_completions').where('session_id', '=', sessionId).execute();
  }

  /** Stores the score card, each answer's analysis and the report; all in the caller's transaction. */
  async insertScores(
    trx: Transaction<ScoringTables>,
    sessionId: string,
    card: ScoreCard,
    answers: readonly ScoredAnswer[],
    report: InterviewReport,
  ): Promise<void> {
    await trx
      .insertInto('scores')
      .values({
        id: randomUUID(),
        session_id: sessionId,
        technical_score: card.technicalScore,
        communication_score: card.communicationScore,
        emotion_score: card.emotionScore,
        overall_score: card.overallScore,
        feedback: card.feedback,
      })
      .execute();
    if (answers.length) {
      await trx
        .insertInto('answer_analyses')
        .values(
          answers.map((a) => ({
            session_id: sessionId,
            question_id: a.questionId,
            relevance_score: a.analysis.relevanceScore,
            clarity_score: a.analysis.clarityScore,
            depth_score: a.analysis.depthScore,
            keywords: JSON.stringify(a.analysis.keywords),
            feedback: a.analysis.feedback,
          })),
        )
        .execute();
    }
    await trx
      .insertInto('reports')
      .values({ session_id: sessionId, format: 'json', report: reportJson().stringify(report) })
      .execute();
  }

  /** The interview's stored report (schema 2, or 1 for one stored before the report was typed); undefined before it is scored. */
  async loadReport(sessionId: string): Promise<InterviewReport | undefined> {
    const row = await this.db.selectFrom('reports').select('report').where('session_id', '=', sessionId).executeTakeFirst();
    if (!row) return undefined;
    // jsonb: pg parses it, PGlite may hand the text.
    return reportJson().parse((typeof row.report === 'string' ? JSON.parse(row.report) : row.report) as JsonValue);
  }

  /** A document of the report made before; undefined when none was. */
  async loadDocument(key: DocumentKey): Promise<Buffer | undefined> {
    const row = await this.db
      .selectFrom('report_documents')
      .select('content')
      .where('session_id', '=', key.sessionId)
      .where('format', '=', key.format)
      .where('include_emotions', '=', key.includeEmotions)
      .where('integrity_digest', '=', key.integrityDigest)
      .executeTakeFirst();
    return row && Buffer.from(row.content);
  }

  /**
   * Keeps a document made for the report and returns the one kept: `content`, or the one another
   * call (or replica) kept first, so that every caller gets the same bytes.
   */
  async saveDocument(key: DocumentKey, content: Uint8Array): Promise<Buffer> {
    await this.db
      .insertInto('report_documents')
      .values({ session_id: key.sessionId, format: key.format, include_emotions: key.includeEmotions, integrity_digest: key.integrityDigest, content })
      .onConflict((oc) => oc.columns(['session_id', 'format', 'include_emotions', 'integrity_digest']).doNothing())
      .execute();
    const kept = await this.loadDocument(key);
    if (!kept) throw new Error(`the ${key.format} of report ${key.sessionId} was not kept`);
    return kept;
  }
}
