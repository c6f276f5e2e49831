import { AmqpBus } from '../platform/bus/amqp-bus';
import { EventBus } from '../platform/bus/event-bus';
import { MemoryBus } from '../platform/bus/memory-bus';
import { MeshConfig, ServiceName } from '../platform/config/mesh-config';
import { DatabaseHandle, openDatabase } from '../platform/db/database';
import { isDatabaseUnavailable } from '../platform/db/db-errors';
import { migrateSchema } from '../platform/db/migrate';
import { Logger } from '../platform/log/logger';
import { MIGRATIONS } from '../../migrations';

export interface Infrastructure {
  readonly db: DatabaseHandle;
  readonly bus: EventBus;
  close(): Promise<void>;
}

/**
 * Opens the database and the bus the configuration names (PGlite and the in-process bus when it
 * names none), applies the migrations of `services` and declares the event topology.
 */
export async function openInfrastructure(config: MeshConfig, services: readonly ServiceName[], log: Logger): Promise<Infrastructure> {
  const db = await openConfiguredDatabase(config, log);
  try {
    await migrate(db, services, log);
    // A database outage is not the message's fault: such failures wait without spending attempts.
    const retry = { delaysMs: config.eventRetryDelaysMs, isTransient: isDatabaseUnavailable };
    const bus: EventBus = config.amqpUrl ? await AmqpBus.connect(config.amqpUrl, log, retry) : new MemoryBus(log, retry);
    if (!config.amqpUrl) log.info('using the in-process event bus');
    await bus.declareTopology();
    return {
      db,
      bus,
      async close() {
        await bus.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** The database the configuration names: PostgreSQL at DATABASE_URL, else PGlite under DATA_DIR/pglite. */
export function openConfiguredDatabase(config: MeshConfig, log: Logger): Promise<DatabaseHandle> {
  return openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite`, log });
}

/** Applies each service's migrations to its own schema. */
export async function migrate(db: DatabaseHandle, services: readonly ServiceName[], log: Logger): Promise<void> {
  for (const service of services) await migrateSchema(db.forService(service), service, MIGRATIONS[service], log);
}
