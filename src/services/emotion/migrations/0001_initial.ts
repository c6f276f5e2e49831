import { Kysely, sql } from 'kysely';

/** Emotion service tables: one analysis per frame (seed 002 section 4 in docs/seeds.md: emotion_analysis, keyed by frame). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('emotion_analysis')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // The interview's id; no foreign key: sessions belong to the interview service.
    .addColumn('session_id', 'uuid', (c) => c.notNull())
    .addColumn('frame_number', 'bigint', (c) => c.notNull())
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('emotion', 'varchar(50)')
    .addColumn('confidence', 'float8')
    .addColumn('blink_count', 'integer')
    .addColumn('face_detected', 'boolean', (c) => c.notNull())
    .addColumn('face_box', 'jsonb')
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // One analysis per frame: a redelivered frame event cannot store a second one.
    .addUniqueConstraint('emotion_analysis_frame_unique', ['session_id', 'frame_number'])
    .execute();
  await db.schema.createIndex('idx_emotion_timestamp').on('emotion_analysis').column('timestamp').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('emotion_analysis').execute();
}
