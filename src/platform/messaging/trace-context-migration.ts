import { Kysely, Migration } from 'kysely';
import { MessagingTables } from './messaging-tables';

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

/**
 * Throws, naming the fix, when `service`'s outbox lacks the column this migration adds: a service
 * that lists messagingTablesMigration but not this one would otherwise fail at its first event.
 */
export async function requireOutboxTraceContext(db: Kysely<MessagingTables>, service: string): Promise<void> {
  try {
    await db.selectFrom('outbox').select('trace_context').limit(0).execute();
  } catch (error) {
    throw new Error(
      `the ${service} service's outbox has no trace_context column: list outboxTraceContextMigration after messagingTablesMigration among its migrations`,
      {
        cause: error,
      },
    );
  }
}
