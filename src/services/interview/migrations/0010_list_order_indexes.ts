import { Kysely, sql } from 'kysely';

/**
 * Indexes in ListInterviews' order (newest first: started_at, then id, descending; keyset paged by
 * the row (started_at, id)), so that a page is an index range read and stops at its size instead of
 * a sort of every session (store.ts, listSessionIdsQuery):
 * - every interview (an interviewer's list): (started_at DESC, id DESC);
 * - one candidate's: (user_id, started_at DESC, id DESC), which also serves what idx_sessions_user
 *   (0001) served, lookups by user_id (the foreign key's deletes among them), so that one goes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('idx_sessions_started_id')
    .on('interview_sessions')
    .expression(sql`started_at desc, id desc`)
    .execute();
  await db.schema
    .createIndex('idx_sessions_user_started_id')
    .on('interview_sessions')
    .expression(sql`user_id, started_at desc, id desc`)
    .execute();
  await db.schema.dropIndex('idx_sessions_user').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('idx_sessions_user').on('interview_sessions').column('user_id').execute();
  await db.schema.dropIndex('idx_sessions_user_started_id').execute();
  await db.schema.dropIndex('idx_sessions_started_id').execute();
}
