import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from 'pg';

const exec = promisify(execFile);

export interface Disposable<T> {
  value: T;
  dispose(): Promise<void>;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the integration tests through jest (test/support/global-setup.ts)`);
  return value;
}

/** A fresh PostgreSQL database on the test server; its URL, dropped on dispose. */
export async function createTestDatabase(): Promise<Disposable<string>> {
  const admin = requireEnv('TEST_DATABASE_ADMIN_URL');
  const name = `mesh_test_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { value: url.toString(), dispose: () => run(`drop database if exists ${name} with (force)`) };
}

/** A fresh RabbitMQ virtual host, so that test files never share queues; deleted on dispose. */
export async function createTestVhost(): Promise<Disposable<string>> {
  const broker = requireEnv('TEST_AMQP_URL');
  const vhost = `mesh-test-${randomBytes(6).toString('hex')}`;
  await exec('rabbitmqctl', ['-q', 'add_vhost', vhost]);
  await exec('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
  return {
    value: `${broker.replace(/\/$/, '')}/${encodeURIComponent(vhost)}`,
    dispose: async () => {
      await exec('rabbitmqctl', ['-q', 'delete_vhost', vhost]).catch(() => undefined);
    },
  };
}
