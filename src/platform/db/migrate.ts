import { Kysely, Migration, Migrator, sql } from 'kysely';
import { Logger } from '../log/logger';

/**
 * Applies a service's migrations (migrations/<service>/) with kysely's Migrator, keeping the
 * migration bookkeeping in the service's own schema so services migrate independently.
 *
 * Replicas starting together migrate one at a time: the whole step, schema creation included, runs
 * on one connection holding a session advisory lock keyed by the schema. Without it, concurrent
 * `create schema if not exists` fails with a unique violation on pg_namespace (PostgreSQL checks
 * existence before it inserts), and all but one replica died at start-up.
 *
 * Throws with the failing migration's name when one fails (the migration's transaction is rolled
 * back: nothing half-applied).
 */
export async function migrateSchema(db: Kysely<unknown>, schema: string, migrations: Record<string, Migration>, log: Logger): Promise<void> {
  const lockKey = `mesh.migrate.${schema}`;
  await db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(hashtext(${lockKey}))`.execute(connection);
    try {
      // A role provisioned per service owns its schema but may not create one (no CREATE on the database).
      const { rows } = await sql<{ found: number }>`select 1 as found from pg_namespace where nspname = ${schema}`.execute(connection);
      if (rows.length === 0) await sql`create schema ${sql.id(schema)}`.execute(connection);
      const migrator = new Migrator({
        db: connection,
        provider: { getMigrations: () => Promise.resolve(migrations) },
        migrationTableSchema: schema,
      });
      const { error, results } = await migrator.migrateToLatest();
      for (const result of results ?? []) {
        if (result.status === 'Success') log.info({ schema, migration: result.migrationName }, 'migration applied');
        if (result.status === 'Error') log.error({ schema, migration: result.migrationName }, 'migration failed');
      }
      if (error) throw new Error(`migrating schema ${schema} failed: ${describe(error)}`);
    } finally {
      // A lost connection releases the lock with its session; the unlock then fails harmlessly.
      await sql`select pg_advisory_unlock(hashtext(${lockKey}))`.execute(connection).catch(() => undefined);
    }
  });
}

/** A failure for a message: an Error's message, anything else thrown (kysely types it `unknown`) as a string. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
