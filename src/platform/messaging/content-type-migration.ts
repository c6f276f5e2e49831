import { Kysely, Migration } from 'kysely';
import { MessagingTables } from './messaging-tables';

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

/**
 * Throws, naming the fix, when `service`'s outbox lacks the column this migration adds: a service
 * that lists messagingTablesMigration but not this one would otherwise fail at its first event.
 */
export async function requireOutboxContentType(db: Kysely<MessagingTables>, service: string): Promise<void> {
  try {
    await db.selectFrom('outbox').select('content_type').limit(0).execute();
  } catch (error) {
    throw new Error(
      `the ${service} service's outbox has no content_type column: list outboxContentTypeMigration after outboxTraceContextMigration among its migrations`,
      {
        cause: error,
      },
    );
  }
}
