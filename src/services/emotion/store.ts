import { randomUUID } from 'node:crypto';
import { Generated, Kysely, Selectable, sql, Transaction } from 'kysely';
import { MessagingTables } from '../../platform/messaging/messaging-tables';
import { BlinkState, BlinkSummary, EAR_CLOSED_THRESHOLD, EyeSample, MAX_BLINK_MS, MIN_BLINK_MS, summarizeBlinks } from './domain/blink/blink-tracker';

/** The emotion service's tables (schema `emotion`), with its outbox and inbox. */
export interface EmotionTables extends MessagingTables {
  emotion_analysis: {
    id: string;
    session_id: string;
    frame_number: number;
    timestamp: Date;
    emotion: string | null;
    confidence: number | null;
    blink_count: number | null;
    face_detected: boolean;
    face_box: { x: number; y: number; width: number; height: number } | null;
    metadata: Record<string, unknown>;
    created_at: Generated<Date>;
  };
  /** Each session's blink state (migration 0002_blink_tracks). */
  blink_tracks: {
    session_id: string;
    /** Milliseconds since the epoch; pg returns int8 as a string, PGlite as a number or bigint. */
    first_timestamp_ms: number | string | bigint;
    last_timestamp_ms: number | string | bigint;
    closed_since_ms: number | string | bigint | null;
    blink_timestamps: readonly (number | string | bigint)[];
    total_blink_ms: number | string | bigint;
    frames: Generated<number>;
    updated_at: Generated<Date>;
  };
}

export interface StoredAnalysis {
  sessionId: string;
  frameNumber: number;
  timestamp: Date;
  emotion: string | null;
  confidence: number | null;
  faceDetected: boolean;
  faceBox: { x: number; y: number; width: number; height: number } | null;
  /** The session's blink count as of this frame; null when the frame's blinks were not tracked. */
  blinkCount: number | null;
  metadata: Record<string, unknown>;
}

/**
 * All of the emotion service's SQL: frame analyses, one per (session, frame), and each session's
 * blink state, kept in PostgreSQL so that a session's frames may land on any replica.
 * `recordBlinkSample` is one statement, INSERT ... ON CONFLICT DO UPDATE: PostgreSQL inserts the
 * session's first row or locks the existing one and computes the new state from its latest
 * committed version, so two replicas updating one session take turns and no frame's update is lost,
 * without a transaction round trip (BEGIN, SELECT ... FOR UPDATE, UPDATE, COMMIT) per frame. That
 * SQL is blink-tracker.ts's applyEyeSample, column by column; test/unit/emotion/blink-store.test.ts
 * holds the two to the same results.
 */
export class EmotionStore {
  constructor(readonly db: Kysely<EmotionTables>) {}

  /** Inserts the analysis in `trx`; returns false when that frame was stored already. */
  async insertAnalysis(trx: Transaction<EmotionTables>, analysis: StoredAnalysis): Promise<boolean> {
    const result = await trx
      .insertInto('emotion_analysis')
      .values({
        id: randomUUID(),
        session_id: analysis.sessionId,
        frame_number: analysis.frameNumber,
        timestamp: analysis.timestamp,
        emotion: analysis.emotion,
        confidence: analysis.confidence,
        blink_count: analysis.blinkCount,
        face_detected: analysis.faceDetected,
        face_box: analysis.faceBox === null ? null : (JSON.stringify(analysis.faceBox) as never),
        metadata: JSON.stringify(analysis.metadata) as never,
      })
      .onConflict((oc) => oc.columns(['session_id', 'frame_number']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /**
   * Applies one frame's eye sample to the session's state and returns the session's blinks so far.
   * A frame no later than the latest one counted (a repeat, or a late frame) changes nothing.
   */
  async recordBlinkSample(sessionId: string, sample: EyeSample): Promise<BlinkSummary> {
    return summarizeBlinks(await this.recordBlinkState(sessionId, sample));
  }

  /** recordBlinkSample's state itself: the session's state after the sample (or as it was, for a repeat or late frame). */
  async recordBlinkState(sessionId: string, sample: EyeSample): Promise<BlinkState> {
    const t = sql`${sample.timestampMs}::bigint`;
    const closed = sample.ear < EAR_CLOSED_THRESHOLD;
    // The closed run that this open frame ends, when it lasted as long as a blink does.
    const endsBlink = sql`(NOT ${sql.lit(closed)} AND blink_tracks.closed_since_ms IS NOT NULL AND ${t} - blink_tracks.closed_since_ms BETWEEN ${sql.lit(MIN_BLINK_MS)} AND ${sql.lit(MAX_BLINK_MS)})`;
    const row = await this.db
      .insertInto('blink_tracks')
      .values({
        session_id: sessionId,
        first_timestamp_ms: sample.timestampMs,
        last_timestamp_ms: sample.timestampMs,
        closed_since_ms: closed ? sample.timestampMs : null,
        blink_timestamps: sql<number[]>`'{}'::bigint[]` as unknown as number[],
        total_blink_ms: 0,
        frames: 1,
      })
      .onConflict((oc) =>
        oc
          .column('session_id')
          .doUpdateSet({
            last_timestamp_ms: sql`${t}`,
            closed_since_ms: closed ? sql`COALESCE(blink_tracks.closed_since_ms, ${t})` : null,
            blink_timestamps:
              sql`CASE WHEN ${endsBlink} THEN array_append(blink_tracks.blink_timestamps, blink_tracks.closed_since_ms) ELSE blink_tracks.blink_timestamps END` as unknown as number[],
            total_blink_ms: sql`CASE WHEN ${endsBlink} THEN blink_tracks.total_blink_ms + (${t} - blink_tracks.closed_since_ms) ELSE blink_tracks.total_blink_ms END`,
            frames: sql`blink_tracks.frames + 1`,
            updated_at: sql`now()`,
          })
          // A repeat or late frame: no update, no row returned.
          .where('blink_tracks.last_timestamp_ms', '<', sample.timestampMs),
      )
      .returningAll()
      .executeTakeFirst();
    if (row) return toState(row);
    // No row returned: a repeat or late frame, whose conflict means the session's track exists.
    const current = await this.currentBlinkState(sessionId);
    if (!current) throw new Error(`the blink track of session ${sessionId} was neither written nor found`);
    return current;
  }

  /** The session's blinks so far; undefined when no frame of it had a face. */
  async currentBlinks(sessionId: string): Promise<BlinkSummary | undefined> {
    const state = await this.currentBlinkState(sessionId);
    return state && summarizeBlinks(state);
  }

  /** The session's blink state; undefined when no frame of it had a face. */
  async currentBlinkState(sessionId: string): Promise<BlinkState | undefined> {
    const row = await this.db.selectFrom('blink_tracks').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
    return row ? toState(row) : undefined;
  }
}

type Row = Selectable<EmotionTables['blink_tracks']>;

function toState(row: Row): BlinkState {
  return {
    firstTimestampMs: Number(row.first_timestamp_ms),
    lastTimestampMs: Number(row.last_timestamp_ms),
    closedSinceMs: row.closed_since_ms === null ? null : Number(row.closed_since_ms),
    blinkTimestamps: parseBigintArray(row.blink_timestamps),
    totalBlinkMs: Number(row.total_blink_ms),
  };
}

/** int8[] as pg (strings), PGlite (numbers or bigints) or an unparsed literal ("{1,2}") returns it. */
function parseBigintArray(value: Row['blink_timestamps'] | string): number[] {
  if (typeof value === 'string') return value.replace(/[{}]/g, '').split(',').filter(Boolean).map(Number);
  return Array.from(value, Number);
}
