import { Kysely, sql } from 'kysely';

/**
 * Integrity service tables: each session's risk state, the events that raised it, and the frames
 * analysed (the idempotency key of a frame's effect). Session ids are the interview's; no foreign
 * key: sessions belong to the interview service.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('session_risk')
    // GetAssessment's bound on a session id (128 characters).
    .addColumn('session_id', 'varchar(128)', (c) => c.primaryKey())
    // The risk engine's SessionRisk as JSON, as of the session's last analysed frame.
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .addColumn('frames_analyzed', 'integer', (c) => c.notNull().defaultTo(0))
    // The frames' own capture times.
    .addColumn('first_frame_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_frame_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_frame_number', 'bigint', (c) => c.notNull())
    // The highest risk reached and when (frame time); 0 and null before any event.
    .addColumn('peak_risk', 'float8', (c) => c.notNull().defaultTo(0))
    .addColumn('peak_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('integrity_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('session_id', 'varchar(128)', (c) => c.notNull())
    // The risk engine's IntegrityEventKind, e.g. LOOKING_AWAY.
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('confirmed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('frame_number', 'bigint', (c) => c.notNull())
    .addColumn('weight', 'float8', (c) => c.notNull())
    .addColumn('risk_after', 'float8', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // GetAssessment reads a session's events oldest first.
  await db.schema.createIndex('idx_integrity_events_session').on('integrity_events').columns(['session_id', 'confirmed_at', 'id']).execute();

  await db.schema
    .createTable('analyzed_frames')
    .addColumn('session_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('frame_number', 'bigint', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('analyzed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A frame changes its session's risk once, whichever message (a redelivery, a republished event) brings it.
    .addPrimaryKeyConstraint('analyzed_frames_pkey', ['session_id', 'frame_number'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('analyzed_frames').execute();
  await db.schema.dropTable('integrity_events').execute();
  await db.schema.dropTable('session_risk').execute();
}
