import { Kysely, Migration, Migrator, sql } from 'kysely';
import { Logger } from '../log/logger';

/**
 * Applies a service's migrations (migrations/<service>/) with kysely's Migrator, keeping the
 * migration bookkeeping in the service's own schema so services migrate independently.
 * Throws with the failing migration's name when one fails (the migration's transaction is
 * rolled back: nothing half-applied).
 */
export async function migrateSchema(db: Kysely<unknown>, schema: string, migrations: Record<string, Migration>, log: Logger): Promise<void> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    if (result.status === 'Success') log.info({ schema, migration: result.migrationName }, 'migration applied');
    if (result.status === 'Error') log.error({ schema, migration: result.migrationName }, 'migration failed');
  }
  if (error) throw new Error(`migrating schema ${schema} failed: ${error instanceof Error ? error.message : String(error)}`);
}
