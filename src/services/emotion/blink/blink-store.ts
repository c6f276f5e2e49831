import { Generated, Kysely, Selectable, sql } from 'kysely';
import { applyEyeSample, BlinkState, BlinkSummary, EyeSample, summarizeBlinks } from './blink-tracker';

/** The blink_tracks table (schema `emotion`, migration 0002_blink_tracks). */
export interface BlinkTables {
  blink_tracks: {
    session_id: string;
    /** Milliseconds since the epoch; pg returns int8 as a string, PGlite as a number or bigint. */
    first_timestamp_ms: number | string | bigint;
    last_timestamp_ms: number | string | bigint;
    closed_since_ms: number | string | bigint | null;
    blink_timestamps: ReadonlyArray<number | string | bigint>;
    total_blink_ms: number | string | bigint;
    frames: Generated<number>;
    updated_at: Generated<Date>;
  };
}

/**
 * Each session's blink state in PostgreSQL, so that a session's frames may land on any replica:
 * `record` reads the row under `SELECT ... FOR UPDATE` and writes the new state in the same
 * transaction, so two replicas updating one session take turns and no frame's update is lost.
 */
export class BlinkStore {
  constructor(private readonly db: Kysely<BlinkTables>) {}

  /**
   * Applies one frame's eye sample to the session's state and returns the session's blinks so far.
   * A frame no later than the latest one counted (a repeat, or a late frame) changes nothing.
   */
  async record(sessionId: string, sample: EyeSample): Promise<BlinkSummary> {
    return this.db.transaction().execute(async (trx) => {
      for (;;) {
        const row = await trx.selectFrom('blink_tracks').selectAll().where('session_id', '=', sessionId).forUpdate().executeTakeFirst();
        const { state, applied } = applyEyeSample(row ? toState(row) : undefined, sample);
        if (!row) {
          // First frame of the session; if another replica inserted it meanwhile, lock theirs and retry.
          const inserted = await trx
            .insertInto('blink_tracks')
            .values({ session_id: sessionId, ...toColumns(state), frames: 1 })
            .onConflict((oc) => oc.column('session_id').doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) continue;
        } else if (applied) {
          await trx
            .updateTable('blink_tracks')
            .set({ ...toColumns(state), frames: sql`frames + 1`, updated_at: sql`now()` })
            .where('session_id', '=', sessionId)
            .execute();
        }
        return summarizeBlinks(state);
      }
    });
  }

  /** The session's blinks so far; undefined when no frame of it had a face. */
  async current(sessionId: string): Promise<BlinkSummary | undefined> {
    const row = await this.db.selectFrom('blink_tracks').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
    return row ? summarizeBlinks(toState(row)) : undefined;
  }
}

type Row = Selectable<BlinkTables['blink_tracks']>;

function toState(row: Row): BlinkState {
  return {
    firstTimestampMs: Number(row.first_timestamp_ms),
    lastTimestampMs: Number(row.last_timestamp_ms),
    closedSinceMs: row.closed_since_ms === null ? null : Number(row.closed_since_ms),
    blinkTimestamps: parseBigintArray(row.blink_timestamps),
    totalBlinkMs: Number(row.total_blink_ms),
  };
}

function toColumns(state: BlinkState) {
  return {
    first_timestamp_ms: state.firstTimestampMs,
    last_timestamp_ms: state.lastTimestampMs,
    closed_since_ms: state.closedSinceMs,
    // An array literal: pg and PGlite both take it for bigint[] without driver-specific array encoding.
    blink_timestamps: sql<number[]>`${`{${state.blinkTimestamps.join(',')}}`}::bigint[]` as unknown as number[],
    total_blink_ms: state.totalBlinkMs,
  };
}

/** int8[] as pg (strings), PGlite (numbers or bigints) or an unparsed literal ("{1,2}") returns it. */
function parseBigintArray(value: Row['blink_timestamps'] | string): number[] {
  if (typeof value === 'string') return value.replace(/[{}]/g, '').split(',').filter(Boolean).map(Number);
  return Array.from(value, Number);
}
