import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Client } from 'pg';
import { SERVICES } from '../../src/mesh/registry';
import { meshTopology } from '../../src/mesh/topology';
import { brokerUser } from '../../src/platform/bus/broker-identity';
import { brokerDefinitions, brokerManagementRequest, provisionBroker } from '../../src/platform/bus/broker-provision';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../../src/platform/bus/event-bus';
import { serviceVariable } from '../../src/platform/config/mesh-config';
import { provisionServiceRoles } from '../../src/platform/db/provision';
import { silentLogger } from '../../src/platform/log/logger';
import { AnyServiceDescriptor, keepsTables, usesBroker } from '../../src/platform/service/descriptor';
import { run } from './tools';

export interface Disposable<T> {
  value: T;
  dispose(): Promise<void>;
}

/** A PostgreSQL server and a RabbitMQ node that jest's global set-up made reachable. */
export interface TestServers {
  /** Environment variable holding the PostgreSQL URL of a user that may create databases. */
  databaseAdminUrlEnv: string;
  /** Environment variable holding the broker's AMQP URL (default vhost), as its administrator. */
  amqpUrlEnv: string;
  /** Environment variable holding the URL of the broker's management HTTP API, with the administrator's credentials. */
  managementUrlEnv: string;
  /** rabbitmqctl's `-n` node; the default node when absent. */
  rabbitmqNode?: string;
  /** Names are `mesh_<prefix>_<hex>` (databases) and `mesh-<prefix>-<hex>` (vhosts). */
  prefix: string;
}

/** The integration tests' servers (test/support/global-setup.ts). */
export const INTEGRATION_SERVERS: TestServers = {
  databaseAdminUrlEnv: 'TEST_DATABASE_ADMIN_URL',
  amqpUrlEnv: 'TEST_AMQP_URL',
  managementUrlEnv: 'TEST_RABBITMQ_MANAGEMENT_URL',
  prefix: 'test',
};

/** The fault suite's own servers (test/faults/support/global-setup.ts, scripts/infra/fault-cluster.sh). */
export const FAULT_SERVERS: TestServers = {
  databaseAdminUrlEnv: 'FAULTS_DATABASE_ADMIN_URL',
  amqpUrlEnv: 'FAULTS_AMQP_URL',
  managementUrlEnv: 'FAULTS_RABBITMQ_MANAGEMENT_URL',
  rabbitmqNode: `faults@${os.hostname().split('.')[0]}`,
  prefix: 'faults',
};

/** The value of environment variable `name`, which a jest global set-up sets. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run the tests through jest, whose global set-up sets it (test/support/global-setup.ts, test/faults/support/global-setup.ts)`,
    );
  return value;
}

/** Runs `work` on a connection of its own to `url`, closed afterwards. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** rabbitmqctl -q `args` on the node of `servers`; resolves with its stdout. */
export async function rabbitmqctl(servers: TestServers, args: readonly string[]): Promise<string> {
  const node = servers.rabbitmqNode ? ['-n', servers.rabbitmqNode] : [];
  return (await run('rabbitmqctl', [...node, '-q', ...args])).stdout;
}

/** `<SERVICE>_DATABASE_URL` of each service's role, by the URL of the test database they were provisioned in. */
const serviceUrlsByDatabase = new Map<string, Record<string, string>>();

/**
 * A fresh PostgreSQL database on `servers`, provisioned as a deployment is (provisionServiceRoles):
 * each service of the mesh a role of its own (`<database>_<service>`, a random password) owning
 * only its schema. Resolves with the database's URL as the administrator (what tests read the
 * tables with); serviceDatabaseEnv gives the services' own URLs. Dropped with its roles on dispose.
 */
export async function createTestDatabase(servers: TestServers = INTEGRATION_SERVERS): Promise<Disposable<string>> {
  const admin = requireEnv(servers.databaseAdminUrlEnv);
  const name = `mesh_${servers.prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(admin, (c) => c.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  // The services that keep tables, as provision-db's default: the gateway gets no role.
  const roles = SERVICES.filter(keepsTables).map(({ name: service }) => ({
    service,
    role: `${name}_${service}`,
    password: randomBytes(18).toString('base64url'),
  }));
  const drop = async () => {
    serviceUrlsByDatabase.delete(url.toString());
    await withClient(admin, async (c) => {
      await c.query(`drop database if exists ${name} with (force)`);
      for (const { role } of roles) await c.query(`drop role if exists ${role}`);
    });
  };
  try {
    await provisionServiceRoles(url.toString(), roles, silentLogger());
  } catch (error) {
    await drop();
    throw error;
  }
  serviceUrlsByDatabase.set(
    url.toString(),
    Object.fromEntries(
      roles.map(({ service, role, password }) => {
        const own = new URL(url);
        own.username = role;
        own.password = password;
        return [serviceVariable(service, 'DATABASE_URL'), own.toString()];
      }),
    ),
  );
  return { value: url.toString(), dispose: drop };
}

/** `<SERVICE>_DATABASE_URL` of every service's own role in the test database at `databaseUrl` (createTestDatabase); none for another database. */
export function serviceDatabaseEnv(databaseUrl: string): Record<string, string> {
  return { ...serviceUrlsByDatabase.get(databaseUrl) };
}

/** The broker users createTestVhost provisioned, by vhost: their prefix and each service's password. */
const brokerUsersByVhost = new Map<string, { userPrefix: string; users: readonly { service: string; password: string }[] }>();

export interface TestVhostOptions {
  /** The services' retry delays (EVENT_RETRY_DELAYS_MS of the mesh that uses the vhost): their retry queues are provisioned. */
  retry?: RetryPolicy;
  /** The registry whose services get a user each and whose queues are declared; the mesh's (SERVICES) by default. */
  services?: readonly AnyServiceDescriptor[];
}

/**
 * A fresh RabbitMQ virtual host on `servers`, so that test files never share queues, provisioned
 * as a deployment is (`npm run broker:provision`: brokerDefinitions through the management API):
 * each service a user of its own, `<vhost>-<service>` (AMQP_USER_PREFIX `<vhost>-`) with a random
 * password, allowed only its own queues and routing keys; the exchanges and every queue of the
 * mesh, with retry queues for `options.retry` (the default policy unless given: a mesh with other
 * EVENT_RETRY_DELAYS_MS needs them, since no service may declare a retry queue itself). Resolves
 * with the vhost's AMQP URL as the administrator (guest, who keeps every permission there, for
 * inspection); serviceBrokerEnv gives the services' own URLs. Deleted with its users on dispose.
 */
export async function createTestVhost(servers: TestServers = INTEGRATION_SERVERS, options: TestVhostOptions = {}): Promise<Disposable<string>> {
  const broker = requireEnv(servers.amqpUrlEnv);
  const managementUrl = requireEnv(servers.managementUrlEnv);
  const services = options.services ?? SERVICES;
  const vhost = `mesh-${servers.prefix}-${randomBytes(6).toString('hex')}`;
  const userPrefix = `${vhost}-`;
  // The services with events, as broker:provision's default: the gateway gets no user.
  const users = services.filter(usesBroker).map(({ name }) => ({ service: name, password: randomBytes(18).toString('base64url') }));
  const definitions = brokerDefinitions({
    vhost,
    userPrefix,
    users,
    services,
    topology: meshTopology(services),
    retry: options.retry ?? DEFAULT_RETRY_POLICY,
    administrator: decodeURIComponent(new URL(broker).username),
  });
  const remove = async () => {
    brokerUsersByVhost.delete(vhost);
    await brokerManagementRequest(managementUrl, 'DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
    for (const { name } of definitions.users) await brokerManagementRequest(managementUrl, 'DELETE', `/api/users/${encodeURIComponent(name)}`);
  };
  try {
    await provisionBroker({ managementUrl, definitions, log: silentLogger() });
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
  brokerUsersByVhost.set(vhost, { userPrefix, users });
  return { value: `${broker.replace(/\/$/, '')}/${encodeURIComponent(vhost)}`, dispose: remove };
}

/**
 * The environment that connects each service to the vhost of `amqpUrl` (createTestVhost's, or the
 * same vhost through a proxy: the URL's scheme, host and port are kept) as its own user:
 * AMQP_USER_PREFIX and `<SERVICE>_AMQP_URL` for every service provisioned there; nothing for a
 * vhost createTestVhost did not make.
 */
export function serviceBrokerEnv(amqpUrl: string): Record<string, string> {
  const provisioned = brokerUsersByVhost.get(vhostOf(amqpUrl));
  if (!provisioned) return {};
  const env: Record<string, string> = { AMQP_USER_PREFIX: provisioned.userPrefix };
  for (const { service } of provisioned.users) env[serviceVariable(service, 'AMQP_URL')] = brokerUserUrl(amqpUrl, service);
  return env;
}

/** `amqpUrl` with the credentials of `service`'s own user on its vhost (createTestVhost); throws for a vhost or service it did not provision. */
export function brokerUserUrl(amqpUrl: string, service: string): string {
  const provisioned = brokerUsersByVhost.get(vhostOf(amqpUrl));
  const user = provisioned?.users.find((u) => u.service === service);
  if (!provisioned || !user) throw new Error(`no broker user of ${service} was provisioned on the vhost of ${new URL(amqpUrl).pathname} (createTestVhost)`);
  const own = new URL(amqpUrl);
  own.username = brokerUser(service, provisioned.userPrefix);
  own.password = user.password;
  return own.toString();
}

/** The vhost of an AMQP URL such as createTestVhost's. */
export function vhostOf(amqpUrl: string): string {
  return decodeURIComponent(new URL(amqpUrl).pathname.slice(1));
}
