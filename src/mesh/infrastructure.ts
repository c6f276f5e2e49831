import fs from 'node:fs';
import { AmqpBus } from '../platform/bus/amqp-bus';
import { brokerUser, EventOwners } from '../platform/bus/broker-identity';
import { EventBus, RetryPolicy } from '../platform/bus/event-bus';
import { MemoryBus } from '../platform/bus/memory-bus';
import { ConfigError, Env, optionalUrl } from '../platform/config/env';
import { MeshConfig, serviceVariable } from '../platform/config/mesh-config';
import { DatabaseHandle, openDatabase } from '../platform/db/database';
import { migrateSchema } from '../platform/db/migrate';
import { Logger } from '../platform/log/logger';
import { AnyServiceDescriptor, keepsTables } from '../platform/service/descriptor';
import { meshTopology, serviceTopology } from './topology';

export interface Infrastructure {
  readonly db: DatabaseHandle;
  /** The event bus as service `name`'s broker user; throws for a service that neither publishes nor consumes. */
  busFor(name: string): EventBus;
  close(): Promise<void>;
}

/**
 * Opens the database and the buses the configuration names (PGlite and the in-process bus when it
 * names none) and applies the migrations of `started`. On RabbitMQ each started service that
 * publishes or consumes connects as its own broker user and declares its own queues (the
 * administrator's `npm run broker:provision` declared the exchanges and every queue, so a
 * publisher's events find the queues of consumers running elsewhere); in process, one MemoryBus
 * with every `registered` service's queues, seen by each service as its user (MemoryBus.as).
 */
export async function openInfrastructure(
  config: MeshConfig,
  registered: readonly AnyServiceDescriptor[],
  started: readonly AnyServiceDescriptor[],
  log: Logger,
  env: Env,
): Promise<Infrastructure> {
  // The broker settings are checked first: a bad one fails before the database is touched.
  const openBuses = planBuses(config, registered, started, log, env);
  const db = await openConfiguredDatabase(config, started, log, env);
  try {
    await migrate(db, started, log);
    const opened = await openBuses();
    return {
      db,
      busFor(name) {
        const bus = opened.buses.get(name);
        if (!bus) throw new Error(`${name} neither publishes nor consumes events: it has no bus`);
        return bus;
      },
      async close() {
        await opened.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * The database the configuration names: PostgreSQL at DATABASE_URL, each of `services` that keeps
 * tables on its own role when `<SERVICE>_DATABASE_URL` is set (provision them with `npm run
 * db:provision`; then DATABASE_URL may be left unset), else PGlite under DATA_DIR/pglite. A service
 * sharing DATABASE_URL's role is warned about: that role may read every other service's tables.
 * Services that keep no tables (keepsTables: the gateway) need no URL; a process running only such
 * services and given no DATABASE_URL opens PGlite in memory, writing nothing to disk (its readiness
 * check still has a database to ping).
 */
export function openConfiguredDatabase(config: MeshConfig, services: readonly AnyServiceDescriptor[], log: Logger, env: Env): Promise<DatabaseHandle> {
  const withTables = services.filter(keepsTables);
  const serviceUrls: Record<string, string> = {};
  for (const { name } of withTables) {
    const url = optionalUrl(env, serviceVariable(name, 'DATABASE_URL'), ['postgres', 'postgresql']);
    if (url) serviceUrls[name] = url;
  }
  const shared = withTables.filter((s) => !(s.name in serviceUrls)).map((s) => s.name);
  if (!config.databaseUrl && Object.keys(serviceUrls).length > 0 && shared.length > 0) {
    // Some services on PostgreSQL and some on PGlite is no deployment anyone wants.
    throw new ConfigError(
      `${shared.map((name) => serviceVariable(name, 'DATABASE_URL')).join(', ')} or DATABASE_URL must be set: the other services use PostgreSQL`,
    );
  }
  if (config.databaseUrl && shared.length > 0) {
    log.warn({ services: shared }, 'these services share the role of DATABASE_URL: set <SERVICE>_DATABASE_URL for a role per service (least privilege)');
  }
  const dataDir = !config.databaseUrl && withTables.length === 0 ? 'memory://' : `${config.dataDir}/pglite`;
  return openDatabase({ url: config.databaseUrl, serviceUrls, dataDir, log });
}

/** Applies each service's migrations to its own schema, named after it; a service keeping no tables gets no schema. */
export async function migrate(db: DatabaseHandle, services: readonly AnyServiceDescriptor[], log: Logger): Promise<void> {
  for (const service of services.filter(keepsTables)) await migrateSchema(db.forService(service.name), service.name, { ...service.migrations }, log);
}

/** The buses of the started services, by name, and how to close them all. */
interface OpenBuses {
  readonly buses: ReadonlyMap<string, EventBus>;
  close(): Promise<void>;
}

/**
 * How to open the bus of each of `started` that publishes or consumes, by service name. On RabbitMQ
 * (`<SERVICE>_AMQP_URL`, else AMQP_URL) each connects as its own user, which must be
 * `<AMQP_USER_PREFIX><service>`: the user every consumer expects that service's events from.
 * Throws ConfigError at once, before anything connects, when a service has no URL while others
 * have one, or its URL's user is not its own.
 */
function planBuses(
  config: MeshConfig,
  registered: readonly AnyServiceDescriptor[],
  started: readonly AnyServiceDescriptor[],
  log: Logger,
  env: Env,
): () => Promise<OpenBuses> {
  const retry: RetryPolicy = { delaysMs: config.eventRetryDelaysMs };
  const owners = EventOwners.of(registered, config.amqpUserPrefix);
  const messaging = started.filter((s) => s.consumes.length > 0 || s.publishes.length > 0);
  const urls = new Map<string, { variable: string; url: string | undefined }>();
  for (const { name } of messaging) {
    const variable = serviceVariable(name, 'AMQP_URL');
    const own = optionalUrl(env, variable, ['amqp', 'amqps']);
    urls.set(name, own ? { variable, url: own } : { variable: 'AMQP_URL', url: config.amqpUrl });
  }
  if (![...urls.values()].some(({ url }) => url)) {
    return async () => {
      const memory = new MemoryBus(log, meshTopology(registered), retry);
      await memory.declareTopology();
      log.info('using the in-process event bus');
      const views = new Map(messaging.map(({ name }) => [name, memory.as(brokerUser(name, config.amqpUserPrefix), owners)]));
      // The views' close does nothing: the bus itself stops its retry timers.
      return { buses: views, close: () => memory.close() };
    };
  }
  const plans = messaging.map((service) => {
    const { variable, url } = urls.get(service.name) ?? { variable: 'AMQP_URL', url: undefined };
    if (!url) throw new ConfigError(`${serviceVariable(service.name, 'AMQP_URL')} or AMQP_URL must be set: the other services use RabbitMQ`);
    const expected = brokerUser(service.name, config.amqpUserPrefix);
    const user = decodeURIComponent(new URL(url).username);
    if (user !== expected) {
      throw new ConfigError(
        `${variable} logs in as ${user || 'no user'}, but the ${service.name} service must connect as its own broker user ${expected} (AMQP_USER_PREFIX + its name; npm run broker:provision)`,
      );
    }
    return { service, url };
  });
  const socket = config.amqpCaFile ? { ca: [readCaFile(config.amqpCaFile)] } : undefined;
  return async () => {
    const buses = new Map<string, EventBus>();
    const outcomes = await Promise.allSettled(
      plans.map(async ({ service, url }) => {
        const bus = await AmqpBus.connect({ url, log: log.child({ service: service.name }), topology: serviceTopology(service), owners, retry, socket });
        buses.set(service.name, bus);
      }),
    );
    const closeAll = async () => {
      await Promise.all([...buses.values()].map((bus) => bus.close()));
    };
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) {
      await closeAll();
      throw failed.reason;
    }
    return { buses, close: closeAll };
  };
}

/** The PEM of AMQP_CA_FILE; ConfigError naming the variable when it cannot be read. */
function readCaFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new ConfigError(`AMQP_CA_FILE ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}
