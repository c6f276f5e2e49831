import { Kysely, sql } from 'kysely';

/**
 * Blink tracking state per session (see src/services/emotion/blink/): one row per session,
 * updated under a row lock by whichever replica analyses the session's next frame, so that the
 * count survives frames landing on different replicas.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('blink_tracks')
    // Any client-chosen session id (DetectBlink accepts more than the interview's UUIDs).
    .addColumn('session_id', 'varchar(200)', (c) => c.primaryKey())
    // Milliseconds since the epoch, in the frames' own timestamps.
    .addColumn('first_timestamp_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_timestamp_ms', 'bigint', (c) => c.notNull())
    .addColumn('closed_since_ms', 'bigint')
    .addColumn('blink_timestamps', sql`bigint[]`, (c) => c.notNull().defaultTo(sql`'{}'::bigint[]`))
    .addColumn('total_blink_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('frames', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('blink_tracks').execute();
}
