import { Kysely, Migration, sql } from 'kysely';

/**
 * The migration creating the transactional outbox and the consumers' inbox (messaging-tables.ts):
 * every service that publishes or consumes events lists it among its migrations, so each schema
 * gets its own pair. Migrations are history: change these tables with a new migration, never by
 * editing this one.
 */
export const messagingTablesMigration: Migration = { up, down };

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('message_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('routing_key', 'text', (c) => c.notNull())
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('schema_version', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('body', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('published_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute();
  // The relay reads only what is left to publish: keep that scan small however long the history.
  await db.schema.createIndex('idx_outbox_unpublished').on('outbox').column('seq').where(sql.ref('published_at'), 'is', null).execute();
  await db.schema.createIndex('idx_outbox_published_at').on('outbox').column('published_at').where(sql.ref('published_at'), 'is not', null).execute();

  await db.schema
    .createTable('inbox')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('inbox_pkey', ['consumer', 'message_id'])
    .execute();
  await db.schema.createIndex('idx_inbox_processed_at').on('inbox').column('processed_at').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('inbox').execute();
  await db.schema.dropTable('outbox').execute();
}
