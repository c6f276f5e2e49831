import { AmqpBus } from '../platform/bus/amqp-bus';
import { EventBus } from '../platform/bus/event-bus';
import { MemoryBus } from '../platform/bus/memory-bus';
import { ConfigError, Env, optionalUrl } from '../platform/config/env';
import { MeshConfig, serviceVariable } from '../platform/config/mesh-config';
import { DatabaseHandle, openDatabase } from '../platform/db/database';
import { migrateSchema } from '../platform/db/migrate';
import { Logger } from '../platform/log/logger';
import { AnyServiceDescriptor } from '../platform/service/descriptor';
import { meshTopology } from './topology';

export interface Infrastructure {
  readonly db: DatabaseHandle;
  readonly bus: EventBus;
  close(): Promise<void>;
}

/**
 * Opens the database and the bus the configuration names (PGlite and the in-process bus when it
 * names none), applies the migrations of `started` and declares the topology of every `registered`
 * service (a publisher's events must find the queues of consumers running elsewhere).
 */
export async function openInfrastructure(
  config: MeshConfig,
  registered: readonly AnyServiceDescriptor[],
  started: readonly AnyServiceDescriptor[],
  log: Logger,
  env: Env,
): Promise<Infrastructure> {
  const db = await openConfiguredDatabase(config, started, log, env);
  try {
    await migrate(db, started, log);
    const retry = { delaysMs: config.eventRetryDelaysMs };
    const topology = meshTopology(registered);
    const bus: EventBus = config.amqpUrl ? await AmqpBus.connect(config.amqpUrl, log, topology, retry) : new MemoryBus(log, topology, retry);
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

/**
 * The database the configuration names: PostgreSQL at DATABASE_URL, each of `services` on its own
 * role when `<SERVICE>_DATABASE_URL` is set (provision them with `npm run db:provision`; then
 * DATABASE_URL may be left unset), else PGlite under DATA_DIR/pglite. A service sharing DATABASE_URL's role is warned about: that role
 * may read every other service's tables.
 */
export function openConfiguredDatabase(config: MeshConfig, services: readonly AnyServiceDescriptor[], log: Logger, env: Env): Promise<DatabaseHandle> {
  const serviceUrls: Record<string, string> = {};
  for (const { name } of services) {
    const url = optionalUrl(env, serviceVariable(name, 'DATABASE_URL'), ['postgres', 'postgresql']);
    if (url) serviceUrls[name] = url;
  }
  const shared = services.filter((s) => !(s.name in serviceUrls)).map((s) => s.name);
  if (!config.databaseUrl && Object.keys(serviceUrls).length > 0 && shared.length > 0) {
    // Some services on PostgreSQL and some on PGlite is no deployment anyone wants.
    throw new ConfigError(
      `${shared.map((name) => serviceVariable(name, 'DATABASE_URL')).join(', ')} or DATABASE_URL must be set: the other services use PostgreSQL`,
    );
  }
  if (config.databaseUrl && shared.length > 0) {
    log.warn({ services: shared }, 'these services share the role of DATABASE_URL: set <SERVICE>_DATABASE_URL for a role per service (least privilege)');
  }
  return openDatabase({ url: config.databaseUrl, serviceUrls, dataDir: `${config.dataDir}/pglite`, log });
}

/** Applies each service's migrations to its own schema, named after it. */
export async function migrate(db: DatabaseHandle, services: readonly AnyServiceDescriptor[], log: Logger): Promise<void> {
  for (const service of services) await migrateSchema(db.forService(service.name), service.name, { ...service.migrations }, log);
}
