import { Kysely, sql } from 'kysely';

/**
 * When each emotion sample was stored (now() of the transaction that took it): its `timestamp` is
 * the frame's capture time, and since samples are deduplicated by their own key rather than an
 * inbox row, no other table says when a frame reached scoring (bench:mesh's lag reads this). Rows
 * stored before read the time of this migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('emotion_samples')
    .addColumn('stored_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('emotion_samples').dropColumn('stored_at').execute();
}
