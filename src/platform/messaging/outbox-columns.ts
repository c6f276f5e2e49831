import { Kysely } from 'kysely';
import { MessagingTables } from './messaging-tables';

/**
 * Throws, naming the fix, when `service`'s outbox lacks `column`, which the migration `migration`
 * adds (listed after `after`): a service missing it would otherwise fail at its first event.
 */
export async function requireOutboxColumn(
  db: Kysely<MessagingTables>,
  service: string,
  column: 'trace_context' | 'content_type',
  migration: string,
  after: string,
): Promise<void> {
  try {
    await db.selectFrom('outbox').select(column).limit(0).execute();
  } catch (error) {
    throw new Error(`the ${service} service's outbox has no ${column} column: list ${migration} after ${after} among its migrations`, { cause: error });
  }
}
