import { Kysely, Migration } from 'kysely';
import { RATE_LIMITS_TABLE } from './rate-limit';

/**
 * The migration creating the table of a service's rate-limit counters, in the layout
 * rate-limiter-flexible's RateLimiterPostgres reads (`key` is `<limit name>:<key>`, `expire` in
 * milliseconds since the epoch). Every service whose limits must hold across replicas lists it
 * among its migrations. Migrations are history: change the table with a new one.
 */
export const rateLimitsMigration: Migration = { up, down };

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable(RATE_LIMITS_TABLE)
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  // The library deletes expired rows every five minutes.
  await db.schema.createIndex(`idx_${RATE_LIMITS_TABLE}_expire`).on(RATE_LIMITS_TABLE).column('expire').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable(RATE_LIMITS_TABLE).execute();
}
