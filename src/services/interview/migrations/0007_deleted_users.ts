import { Kysely, sql } from 'kysely';

/**
 * Accounts deleted in the auth service (auth.user.deleted): their access tokens, valid until they
 * expire, are refused from then on. Keyed by the token subject (the auth service's user id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deleted_users')
    .addColumn('subject', 'text', (c) => c.primaryKey())
    .addColumn('deleted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('deleted_users').execute();
}
