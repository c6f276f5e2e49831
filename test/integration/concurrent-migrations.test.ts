/**
 * Replicas of a service start together against one fresh database, each migrating its schema at
 * start-up (a Consul cluster's three emotion instances, a Kubernetes deployment's pods): every one
 * must come up, and every migration must be applied once.
 */
import { Kysely, sql } from 'kysely';
import { SERVICES as REGISTERED } from '../../src/mesh/registry';
import { keepsTables } from '../../src/platform/service/descriptor';
import { DatabaseHandle, openDatabase } from '../../src/platform/db/database';
import { migrate } from '../../src/mesh/infrastructure';
import { migrateSchema } from '../../src/platform/db/migrate';
import { silentLogger } from '../../src/platform/log/logger';
import { createTestDatabase, Disposable } from '../support/infrastructure';

/** The services that keep tables (migrate skips the others: the gateway). */
const SERVICES = REGISTERED.filter(keepsTables);

jest.setTimeout(60_000);

const REPLICAS = 4;

describe('migrations at start-up, replicas racing on one fresh database', () => {
  let database: Disposable<string>;
  const handles: DatabaseHandle[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
    // One pool per replica, as separate processes would have.
    for (let i = 0; i < REPLICAS; i++) handles.push(await openDatabase({ url: database.value, dataDir: 'unused', log: silentLogger(), maxConnections: 2 }));
  });

  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
    await database.dispose();
  });

  it('brings every replica up, each schema migrated once', async () => {
    const outcomes = await Promise.allSettled(handles.map((h) => migrate(h, REGISTERED, silentLogger())));
    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))).toEqual(Array(REPLICAS).fill('ok'));

    for (const service of SERVICES) {
      const applied = await sql<{ name: string }>`select name from ${sql.table(`${service.name}.kysely_migration`)} order by name`.execute(
        handles[0].forService(service.name),
      );
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(service.migrations).sort());
    }
  });

  it('releases the lock when a migration fails, so the next replica can migrate', async () => {
    const failing = { '0001_broken': { up: async () => Promise.reject(new Error('broken on purpose')) } };
    await expect(migrateSchema(handles[0].forService('scratch'), 'scratch', failing, silentLogger())).rejects.toThrow('broken on purpose');
    const working = { '0001_table': { up: (db: Kysely<unknown>) => db.schema.createTable('t').addColumn('id', 'integer').execute() } };
    await expect(migrateSchema(handles[1].forService('scratch'), 'scratch', working, silentLogger())).resolves.toBeUndefined();
  });
});
