import { Kysely, Migration } from 'kysely';
import { MessagingTables } from './messaging-tables';
import { requireOutboxColumn } from './outbox-columns';

/**
 * Adds `outbox.trace_context`: the W3C trace context (JSON of `traceparent`, `tracestate`) of the
 * request whose transaction wrote the row, so the event continues that request's trace
 * (message-tracing.ts). Every service that publishes lists it after messagingTablesMigration.
 */
export const outboxTraceContextMigration: Migration = { up, down };

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('trace_context', 'text').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('trace_context').execute();
}

/** Throws, naming the fix, when `service`'s outbox lacks the column this migration adds (requireOutboxColumn). */
export function requireOutboxTraceContext(db: Kysely<MessagingTables>, service: string): Promise<void> {
  return requireOutboxColumn(db, service, 'trace_context', 'outboxTraceContextMigration', 'messagingTablesMigration');
}
