import { Kysely, sql } from 'kysely';

/** Scoring service tables: scores (seed 002 section 4, docs/seeds.md), the answers' analyses, reports, and its inputs. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Scoring's own copy of each frame's emotion, from interview.emotion.analyzed events.
  await db.schema
    .createTable('emotion_samples')
    .addColumn('session_id', 'uuid', (c) => c.notNull())
    .addColumn('frame_number', 'bigint', (c) => c.notNull())
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('face_detected', 'boolean', (c) => c.notNull())
    .addColumn('emotion', 'varchar(50)')
    .addColumn('confidence', 'float8', (c) => c.notNull())
    .addColumn('blink_count', 'integer')
    .addPrimaryKeyConstraint('emotion_samples_pk', ['session_id', 'frame_number'])
    .execute();

  // Completed interviews whose frames are not all analyzed yet; scored when the last one arrives.
  await db.schema
    .createTable('pending_completions')
    .addColumn('session_id', 'uuid', (c) => c.primaryKey())
    .addColumn('frames_sent', 'bigint', (c) => c.notNull())
    .addColumn('completed_event', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('scores')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('session_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('technical_score', 'float8', (c) => c.notNull())
    .addColumn('communication_score', 'float8', (c) => c.notNull())
    .addColumn('emotion_score', 'float8', (c) => c.notNull())
    .addColumn('overall_score', 'float8', (c) => c.notNull())
    .addColumn('feedback', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('answer_analyses')
    .addColumn('session_id', 'uuid', (c) => c.notNull())
    .addColumn('question_id', 'uuid', (c) => c.notNull())
    .addColumn('relevance_score', 'float8', (c) => c.notNull())
    .addColumn('clarity_score', 'float8', (c) => c.notNull())
    .addColumn('depth_score', 'float8', (c) => c.notNull())
    .addColumn('keywords', 'jsonb', (c) => c.notNull())
    .addColumn('feedback', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('answer_analyses_pk', ['session_id', 'question_id'])
    .execute();

  await db.schema
    .createTable('reports')
    .addColumn('session_id', 'uuid', (c) => c.primaryKey())
    .addColumn('format', 'varchar(16)', (c) => c.notNull())
    .addColumn('report', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['reports', 'answer_analyses', 'scores', 'pending_completions', 'emotion_samples']) {
    await db.schema.dropTable(table).execute();
  }
}
