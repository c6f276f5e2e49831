import { Kysely, sql } from 'kysely';

/** Notifier tables: every notification decided on, with its delivery status. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('session_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'varchar(32)', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // recorded: decided and stored; sent: handed to a mail transport (none is configured yet).
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    // What it is about, e.g. `scored:<session>`: a redelivered or republished event cannot
    // record a second notification.
    .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('idx_notifications_session').on('notifications').column('session_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
}
