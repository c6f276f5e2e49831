import { Generated, Kysely, Selectable, sql, Transaction } from 'kysely';
import { MessagingTables } from '../../platform/messaging/messaging-tables';
import { IntegrityEventKind, RiskEvent, SessionRisk, sessionRiskFromJson } from './domain/risk';

/** The integrity service's tables (schema `integrity`), with its outbox and inbox. */
export interface IntegrityTables extends MessagingTables {
  /** Each session's risk as of its last analysed frame (migration 0001_initial). */
  session_risk: {
    session_id: string;
    /** The risk engine's SessionRisk; pg and PGlite parse jsonb, a string is parsed here. */
    state: SessionRisk | string;
    frames_analyzed: number;
    first_frame_at: Date;
    last_frame_at: Date;
    /** pg returns int8 as a string, PGlite as a number or bigint. */
    last_frame_number: number | string | bigint;
    peak_risk: number;
    peak_at: Date | null;
    updated_at: Generated<Date>;
  };
  /** Every event that raised a session's risk, as the risk engine confirmed it. */
  integrity_events: {
    id: Generated<string>;
    session_id: string;
    kind: IntegrityEventKind;
    started_at: Date;
    confirmed_at: Date;
    frame_number: number | string | bigint;
    weight: number;
    risk_after: number;
    detail: string;
    created_at: Generated<Date>;
  };
  /** The frames whose effect on their session's risk is stored: a frame counts once, whichever message brings it. */
  analyzed_frames: {
    session_id: string;
    frame_number: number | string | bigint;
    captured_at: Date;
    analyzed_at: Generated<Date>;
  };
}

/** A session's stored progress and risk state. */
export interface SessionRecord {
  readonly sessionId: string;
  readonly state: SessionRisk;
  readonly framesAnalyzed: number;
  readonly firstFrameAt: Date;
  readonly lastFrameAt: Date;
  readonly lastFrameNumber: number;
  readonly peakRisk: number;
  /** Frame time of the peak; undefined while the risk never rose. */
  readonly peakAt: Date | undefined;
}

/** A session's events, oldest first (at most the limit asked), and how many there are in all. */
export interface SessionEvents {
  readonly events: readonly RiskEvent[];
  readonly total: number;
}

/**
 * All of the integrity service's SQL. A frame's effect (its session's new state, its events, its
 * idempotency key) is written in one transaction under the session row's lock (`lockSession`), so
 * that two replicas analysing frames of one session take turns and a frame counts once.
 */
export class IntegrityStore {
  constructor(readonly db: Kysely<IntegrityTables>) {}

  /** The session's record as last committed, unlocked (a hint before the models run); undefined before its first frame. */
  async session(sessionId: string): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('session_risk').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Whether the frame's effect is stored already (in `trx`, under the session's lock, it is the answer; outside it a hint). */
  async isAnalyzed(db: Kysely<IntegrityTables> | Transaction<IntegrityTables>, sessionId: string, frameNumber: number): Promise<boolean> {
    const row = await db
      .selectFrom('analyzed_frames')
      .select('frame_number')
      .where('session_id', '=', sessionId)
      .where('frame_number', '=', frameNumber)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Locks the session's row in `trx` (SELECT ... FOR UPDATE) until the transaction ends, and
   * returns it; a session without one gets `initial` first (INSERT ... ON CONFLICT DO NOTHING, so
   * that a session's first frames racing on two replicas both end up locking the one row, in turn).
   * `initial` has framesAnalyzed 0: the session's first frame is yet to be saved.
   */
  async lockSession(trx: Transaction<IntegrityTables>, initial: SessionRecord): Promise<SessionRecord> {
    await trx
      .insertInto('session_risk')
      .values({ session_id: initial.sessionId, ...columns(initial) })
      .onConflict((oc) => oc.column('session_id').doNothing())
      .execute();
    const row = await trx.selectFrom('session_risk').selectAll().where('session_id', '=', initial.sessionId).forUpdate().executeTakeFirstOrThrow();
    return toRecord(row);
  }

  /** Writes the session's record, locked by `lockSession` in `trx`. */
  async saveSession(trx: Transaction<IntegrityTables>, record: SessionRecord): Promise<void> {
    await trx
      .updateTable('session_risk')
      .set({ ...columns(record), updated_at: sql`now()` })
      .where('session_id', '=', record.sessionId)
      .execute();
  }

  /** Records in `trx` that the frame's effect is stored; false when it was already (a duplicate). */
  async markAnalyzed(trx: Transaction<IntegrityTables>, sessionId: string, frameNumber: number, capturedAt: Date): Promise<boolean> {
    const result = await trx
      .insertInto('analyzed_frames')
      .values({ session_id: sessionId, frame_number: frameNumber, captured_at: capturedAt })
      .onConflict((oc) => oc.columns(['session_id', 'frame_number']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** Stores the session's new events in `trx`, in order. */
  async insertEvents(trx: Transaction<IntegrityTables>, sessionId: string, events: readonly RiskEvent[]): Promise<void> {
    if (events.length === 0) return;
    await trx
      .insertInto('integrity_events')
      .values(
        events.map((event) => ({
          session_id: sessionId,
          kind: event.kind,
          started_at: new Date(event.startedAtMs),
          confirmed_at: new Date(event.confirmedAtMs),
          frame_number: event.frameNumber,
          weight: event.weight,
          risk_after: event.riskAfter,
          detail: event.detail,
        })),
      )
      .execute();
  }

  /** The session's first `limit` events, oldest first (by confirmation, then as stored), and their total. */
  async events(sessionId: string, limit: number): Promise<SessionEvents> {
    const [rows, count] = await Promise.all([
      this.db.selectFrom('integrity_events').selectAll().where('session_id', '=', sessionId).orderBy('confirmed_at').orderBy('id').limit(limit).execute(),
      this.db
        .selectFrom('integrity_events')
        .select((eb) => eb.fn.countAll<string>().as('total'))
        .where('session_id', '=', sessionId)
        .executeTakeFirstOrThrow(),
    ]);
    return {
      events: rows.map((row) => ({
        kind: row.kind,
        startedAtMs: row.started_at.getTime(),
        confirmedAtMs: row.confirmed_at.getTime(),
        frameNumber: Number(row.frame_number),
        weight: row.weight,
        riskAfter: row.risk_after,
        detail: row.detail,
      })),
      total: Number(count.total),
    };
  }
}

function columns(record: SessionRecord) {
  return {
    state: JSON.stringify(record.state) as never,
    frames_analyzed: record.framesAnalyzed,
    first_frame_at: record.firstFrameAt,
    last_frame_at: record.lastFrameAt,
    last_frame_number: record.lastFrameNumber,
    peak_risk: record.peakRisk,
    peak_at: record.peakAt ?? null,
  };
}

function toRecord(row: Selectable<IntegrityTables['session_risk']>): SessionRecord {
  return {
    sessionId: row.session_id,
    // Checked field by field: a damaged or foreign state fails naming the field, never mis-scores a session.
    state: sessionRiskFromJson(typeof row.state === 'string' ? JSON.parse(row.state) : row.state),
    framesAnalyzed: row.frames_analyzed,
    firstFrameAt: row.first_frame_at,
    lastFrameAt: row.last_frame_at,
    lastFrameNumber: Number(row.last_frame_number),
    peakRisk: row.peak_risk,
    peakAt: row.peak_at ?? undefined,
  };
}
