import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Client } from 'pg';
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

/** A fresh PostgreSQL database on `servers`; its URL, dropped on dispose. */
export async function createTestDatabase(servers: TestServers = INTEGRATION_SERVERS): Promise<Disposable<string>> {
  const admin = requireEnv(servers.databaseAdminUrlEnv);
  const name = `mesh_${servers.prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(admin, (c) => c.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    value: url.toString(),
    dispose: async () => {
      await withClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
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
