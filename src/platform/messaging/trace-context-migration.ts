import { Kysely, Migration } from 'kysely';

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
