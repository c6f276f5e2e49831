import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Client } from 'pg';
import { SERVICE_NAMES } from '../../src/mesh/registry';
import { serviceVariable } from '../../src/platform/config/mesh-config';
import { provisionServiceRoles } from '../../src/platform/db/provision';
import { silentLogger } from '../../src/platform/log/logger';
import { run } from './tools';

export interface Disposable<T> {
  value: T;
  dispose(): Promise<void>;
}

/** A PostgreSQL server and a RabbitMQ node that jest's global set-up made reachable. */
export interface TestServers {
  /** Environment variable holding the PostgreSQL URL of a user that may create databases. */
  databaseAdminUrlEnv: string;
  /** Environment variable holding the broker's AMQP URL (default vhost). */
  amqpUrlEnv: string;
  /** rabbitmqctl's `-n` node; the default node when absent. */
  rabbitmqNode?: string;
  /** Names are `mesh_<prefix>_<hex>` (databases) and `mesh-<prefix>-<hex>` (vhosts). */
  prefix: string;
}

/** The integration tests' servers (test/support/global-setup.ts). */
export const INTEGRATION_SERVERS: TestServers = { databaseAdminUrlEnv: 'TEST_DATABASE_ADMIN_URL', amqpUrlEnv: 'TEST_AMQP_URL', prefix: 'test' };

/** The fault suite's own servers (test/faults/support/global-setup.ts, scripts/infra/fault-cluster.sh). */
export const FAULT_SERVERS: TestServers = {
  databaseAdminUrlEnv: 'FAULTS_DATABASE_ADMIN_URL',
  amqpUrlEnv: 'FAULTS_AMQP_URL',
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
  const roles = SERVICE_NAMES.map((service) => ({ service, role: `${name}_${service}`, password: randomBytes(18).toString('base64url') }));
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

/** A fresh RabbitMQ virtual host on `servers`, so that test files never share queues; its AMQP URL, deleted on dispose. */
export async function createTestVhost(servers: TestServers = INTEGRATION_SERVERS): Promise<Disposable<string>> {
  const broker = requireEnv(servers.amqpUrlEnv);
  const vhost = `mesh-${servers.prefix}-${randomBytes(6).toString('hex')}`;
  await rabbitmqctl(servers, ['add_vhost', vhost]);
  await rabbitmqctl(servers, ['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
  return {
    value: `${broker.replace(/\/$/, '')}/${encodeURIComponent(vhost)}`,
    dispose: async () => {
      await rabbitmqctl(servers, ['delete_vhost', vhost]).catch(() => undefined);
    },
  };
}

/** The vhost of an AMQP URL such as createTestVhost's. */
export function vhostOf(amqpUrl: string): string {
  return decodeURIComponent(new URL(amqpUrl).pathname.slice(1));
}
