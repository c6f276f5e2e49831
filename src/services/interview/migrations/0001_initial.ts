import { Kysely, sql } from 'kysely';

/** Interview service tables, from seed 002 section 4 (docs/seeds.md: users, interview_sessions, questions, answers). */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Candidates, known by the caller's own id; seed 002 kept credentials here, which the mesh
  // leaves to the caller's identity system.
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('external_id', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'varchar(50)', (c) => c.notNull().defaultTo('candidate'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('questions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('category', 'varchar(100)', (c) => c.notNull())
    .addColumn('difficulty', 'varchar(50)', (c) => c.notNull())
    .addColumn('expected_duration', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('interview_sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('status', 'varchar(50)', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .addColumn('scored_at', 'timestamptz')
    .addColumn('total_duration', 'integer')
    .addColumn('video_url', 'text')
    .addColumn('frames_received', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('idx_sessions_user').on('interview_sessions').column('user_id').execute();
  await db.schema.createIndex('idx_sessions_status').on('interview_sessions').column('status').execute();

  // The questions drawn for a session, in the order they are asked.
  await db.schema
    .createTable('session_questions')
    .addColumn('session_id', 'uuid', (c) => c.notNull().references('interview_sessions.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('question_id', 'uuid', (c) => c.notNull().references('questions.id'))
    .addPrimaryKeyConstraint('session_questions_pk', ['session_id', 'position'])
    .addUniqueConstraint('session_questions_question_unique', ['session_id', 'question_id'])
    .execute();

  await db.schema
    .createTable('answers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('session_id', 'uuid', (c) => c.notNull().references('interview_sessions.id').onDelete('cascade'))
    .addColumn('question_id', 'uuid', (c) => c.notNull().references('questions.id'))
    .addColumn('transcript', 'text', (c) => c.notNull())
    .addColumn('audio_url', 'text')
    .addColumn('duration', 'float8', (c) => c.notNull())
    .addColumn('confidence', 'float8', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('answers_session_question_unique', ['session_id', 'question_id'])
    .execute();
  await db.schema.createIndex('idx_answers_session').on('answers').column('session_id').execute();

  // Frames received (the image bytes travel in the frame.captured event, not in this table).
  await db.schema
    .createTable('frames')
    .addColumn('session_id', 'uuid', (c) => c.notNull().references('interview_sessions.id').onDelete('cascade'))
    .addColumn('frame_number', 'bigint', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('format', 'varchar(16)', (c) => c.notNull())
    .addColumn('byte_length', 'integer', (c) => c.notNull())
    .addColumn('analysed_synchronously', 'boolean', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('frames_pk', ['session_id', 'frame_number'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['frames', 'answers', 'session_questions', 'interview_sessions', 'questions', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
