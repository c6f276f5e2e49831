/**
 * `npm run broker:provision`: the mesh's RabbitMQ users, permissions and topology (README, "Broker
 * users"), as `npm run db:provision` is its PostgreSQL roles. Through RabbitMQ's management HTTP
 * API at RABBITMQ_MANAGEMENT_URL (http(s)://ADMIN:PASSWORD@HOST:15672, an administrator's), it
 * loads a definitions document (POST /api/definitions) holding, on the vhost AMQP_VHOST (`/` by
 * default):
 *
 * - for each service (`--service`, every service of the mesh by default) the user
 *   `<AMQP_USER_PREFIX><service>` (`mesh-<service>` by default) with the password
 *   `<SERVICE>_AMQP_PASSWORD` (required: no service gets a default), sent as its hash, and its
 *   permissions: its own queues only, and on each exchange only the routing keys it owns or consumes;
 * - every permission on the vhost for the administrator (the URL's user);
 * - the exchanges, and every queue of the mesh with its dead-letter and retry queues (at
 *   EVENT_RETRY_DELAYS_MS, the services' own) and their bindings.
 *
 * Idempotent: running it again sets the permissions and passwords again (a new password rotates
 * it) and keeps the queues and their messages. `--out <file>` writes the document instead (mode
 * 0600: it holds the password hashes), for RabbitMQ's `load_definitions` at boot; it names the
 * administrator only when RABBITMQ_MANAGEMENT_URL is set. Logs what it did, never a password.
 *
 *   RABBITMQ_MANAGEMENT_URL=http://admin:…@127.0.0.1:15672 INTERVIEW_AMQP_PASSWORD=… EMOTION_AMQP_PASSWORD=… … npm run broker:provision
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ConfigError, optionalString, stringOr } from '../../src/platform/config/env';
import { loadConfig, serviceVariable } from '../../src/platform/config/mesh-config';
import { SERVICE_NAMES, SERVICES } from '../../src/mesh/registry';
import { meshTopology } from '../../src/mesh/topology';
import { DEFAULT_BROKER_USER_PREFIX } from '../../src/platform/bus/broker-identity';
import { brokerDefinitions, provisionBroker } from '../../src/platform/bus/broker-provision';
import { createLogger } from '../../src/platform/log/logger';
import { usesBroker } from '../../src/platform/service/descriptor';

interface ProvisionOptions {
  service?: string[];
  out?: string;
}

/** The services with a broker user by default: those that publish or consume events. */
const BROKER_SERVICE_NAMES = SERVICES.filter(usesBroker).map((s) => s.name);

const list = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...value.split(',').filter(Boolean)];

/** The administrator's user in RABBITMQ_MANAGEMENT_URL; throws (without echoing the URL: it holds a password) when it is not an http(s) URL with one. */
function administratorOf(managementUrl: string): string {
  let url: URL;
  try {
    url = new URL(managementUrl);
  } catch {
    throw new ConfigError('RABBITMQ_MANAGEMENT_URL must be a URL: http(s)://ADMIN:PASSWORD@HOST:15672');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('RABBITMQ_MANAGEMENT_URL must be http(s)://ADMIN:PASSWORD@HOST:15672');
  if (!url.username || !url.password)
    throw new ConfigError("RABBITMQ_MANAGEMENT_URL must hold an administrator's user and password: http(s)://ADMIN:PASSWORD@HOST:15672");
  return decodeURIComponent(url.username);
}

async function provision(options: ProvisionOptions): Promise<void> {
  const env = process.env;
  const config = loadConfig(env);
  const log = createLogger({ level: config.logLevel });
  // By default the services that publish or consume (usesBroker): one that does neither (the gateway) gets no user.
  const services = options.service ?? [...BROKER_SERVICE_NAMES];
  const unknown = services.filter((name) => !SERVICE_NAMES.includes(name));
  if (unknown.length) throw new ConfigError(`--service: no service named ${unknown.join(', ')} (the mesh's: ${SERVICE_NAMES.join(', ')})`);
  const missing = services.map((name) => serviceVariable(name, 'AMQP_PASSWORD')).filter((variable) => !optionalString(env, variable));
  if (missing.length) throw new ConfigError(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required: no service gets a default broker password`);
  const managementUrl = optionalString(env, 'RABBITMQ_MANAGEMENT_URL');
  if (!managementUrl && !options.out) {
    throw new ConfigError(
      "RABBITMQ_MANAGEMENT_URL must name RabbitMQ's management API as an administrator (http(s)://ADMIN:PASSWORD@HOST:15672), or --out a file",
    );
  }
  const administrator = managementUrl ? administratorOf(managementUrl) : undefined;
  const vhost = stringOr(env, 'AMQP_VHOST', '/');
  const userPrefix = stringOr(env, 'AMQP_USER_PREFIX', DEFAULT_BROKER_USER_PREFIX);
  const definitions = brokerDefinitions({
    vhost,
    userPrefix,
    users: services.map((service) => ({ service, password: optionalString(env, serviceVariable(service, 'AMQP_PASSWORD')) ?? '' })),
    services: SERVICES,
    topology: meshTopology(SERVICES),
    retry: { delaysMs: config.eventRetryDelaysMs },
    administrator,
  });
  if (options.out) {
    const file = path.resolve(options.out);
    // The hashes must never sit in a file others may read: an existing file goes first, since
    // writeFileSync's mode applies only to a file it creates.
    fs.rmSync(file, { force: true });
    fs.writeFileSync(file, `${JSON.stringify(definitions, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    log.info(
      { file, vhost, users: definitions.users.map((u) => u.name), administrator: administrator ?? null, queues: definitions.queues.length },
      "broker definitions written (load them with RabbitMQ's load_definitions or POST /api/definitions)",
    );
    return;
  }
  await provisionBroker({ managementUrl: managementUrl ?? '', definitions, log: log.child({ vhost }) });
}

const program = new Command('broker:provision')
  .description(
    "makes each service a RabbitMQ user <AMQP_USER_PREFIX><service> allowed only its own queues and routing keys, and declares the mesh's exchanges and queues " +
      '(idempotent), through the management API at RABBITMQ_MANAGEMENT_URL; passwords from <SERVICE>_AMQP_PASSWORD (required)',
  )
  .option('--service <names>', `services to provision, comma-separated or repeated (default: those with events, ${BROKER_SERVICE_NAMES.join(',')})`, list)
  .option('--out <file>', "write the definitions document to <file> (for RabbitMQ's load_definitions) instead of loading it")
  .action(provision);

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
