import { Kysely, Migration } from 'kysely';
import { MessagingTables } from './messaging-tables';
import { requireOutboxColumn } from './outbox-columns';

/**
 * Adds `outbox.content_type`: the MIME type of the row's body (event-encoding.ts CONTENT_TYPES),
 * which the relay publishes as the AMQP `content_type` for consumers to decode the body by. Rows
 * written before it are proto3 JSON, hence the default. Every service that publishes lists it after
 * outboxTraceContextMigration.
 */
export const outboxContentTypeMigration: Migration = { up, down };

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    // A literal, not CONTENT_TYPES.json: a migration is history, whatever the constant becomes.
    .addColumn('content_type', 'text', (c) => c.notNull().defaultTo('application/json'))
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('content_type').execute();
}

/** Throws, naming the fix, when `service`'s outbox lacks the column this migration adds (requireOutboxColumn). */
export function requireOutboxContentType(db: Kysely<MessagingTables>, service: string): Promise<void> {
  return requireOutboxColumn(db, service, 'content_type', 'outboxContentTypeMigration', 'outboxTraceContextMigration');
}
