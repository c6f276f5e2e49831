import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ServiceName } from '../../../src/platform/config/mesh-config';
import { freePort } from '../../support/grpc-clients';
import { meshEnv, meshPorts } from '../../support/mesh-process';
import { ServiceProcess } from '../../support/service-process';
import { Toxiproxy } from './toxiproxy';

const exec = promisify(execFile);
const FAULT_CLUSTER = path.resolve(__dirname, '../../../scripts/infra/fault-cluster.sh');
/** The fault suite's RabbitMQ node (scripts/infra/fault-cluster.sh). */
const RABBITMQ_NODE = `faults@${os.hostname().split('.')[0]}`;

export const SERVICES: readonly ServiceName[] = ['emotion', 'scoring', 'notifier', 'interview'];

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the fault suite through jest (test/faults/support/global-setup.ts)`);
  return value;
}

/**
 * The mesh as deployed (each service its own process) on the fault suite's own PostgreSQL and
 * RabbitMQ, with toxiproxy between the interview service and emotion (`emotion` proxy) and between
 * every service and the broker (`amqp` proxy). A database and a vhost of its own.
 */
export class FaultMesh {
  readonly processes = new Map<ServiceName, ServiceProcess>();
  /** Log text of processes that have exited, so counts survive restarts. */
  private readonly pastLogs: string[] = [];

  private constructor(
    readonly databaseUrl: string,
    readonly vhost: string,
    readonly ports: Record<ServiceName, number>,
    readonly env: Record<string, string>,
    readonly toxiproxy: Toxiproxy,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  static async start(): Promise<FaultMesh> {
    const admin = requireEnv('FAULTS_DATABASE_ADMIN_URL');
    const broker = new URL(requireEnv('FAULTS_AMQP_URL'));
    const suffix = randomBytes(5).toString('hex');
    const database = `mesh_faults_${suffix}`;
    await withClient(admin, (c) => c.query(`create database ${database}`));
    const databaseUrl = Object.assign(new URL(admin), { pathname: `/${database}` }).toString();
    const vhost = `mesh-faults-${suffix}`;
    await exec('rabbitmqctl', ['-n', RABBITMQ_NODE, '-q', 'add_vhost', vhost]);
    await exec('rabbitmqctl', ['-n', RABBITMQ_NODE, '-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);

    const ports = await meshPorts();
    const [apiPort, amqpProxyPort, emotionProxyPort] = [await freePort(), await freePort(), await freePort()];
    const toxiproxy = await Toxiproxy.start(requireEnv('FAULTS_TOXIPROXY_BIN'), apiPort);
    await toxiproxy.createProxy('amqp', amqpProxyPort, broker.host);
    await toxiproxy.createProxy('emotion', emotionProxyPort, `127.0.0.1:${ports.emotion}`);

    const env = {
      // The broker through the `amqp` proxy.
      ...meshEnv(ports, databaseUrl, `amqp://guest:guest@127.0.0.1:${amqpProxyPort}/${encodeURIComponent(vhost)}`),
      EMOTION_ADDR: `127.0.0.1:${emotionProxyPort}`,
      SCORING_ADDR: `127.0.0.1:${ports.scoring}`,
      EMOTION_DEADLINE_MS: '1500',
      // Short delays so the poison case finishes in seconds; a database outage spends no attempt.
      EVENT_RETRY_DELAYS_MS: '250,500,1000',
      OUTBOX_POLL_MS: '100',
      SHUTDOWN_GRACE_MS: '15000',
    };
    const mesh = new FaultMesh(databaseUrl, vhost, ports, env, toxiproxy, async () => {
      await withClient(admin, (c) => c.query(`drop database if exists ${database} with (force)`)).catch(() => undefined);
      await exec('rabbitmqctl', ['-n', RABBITMQ_NODE, '-q', 'delete_vhost', vhost]).catch(() => undefined);
    });
    for (const name of SERVICES) mesh.launch(name);
    await mesh.waitServing(SERVICES);
    return mesh;
  }

  address(name: ServiceName): string {
    return `127.0.0.1:${this.ports[name]}`;
  }

  /** Starts `name` again (after a kill or a stop) and waits until it serves. */
  async restart(name: ServiceName): Promise<void> {
    this.launch(name);
    await this.waitServing([name]);
  }

  /** Sends `signal` to `name`; resolves with its exit code (null when the signal killed it). */
  async stop(name: ServiceName, signal: NodeJS.Signals): Promise<number | null> {
    const process = this.processes.get(name);
    if (!process) return null;
    const code = await process.stop(signal);
    this.pastLogs.push(process.logs());
    this.processes.delete(name);
    return code;
  }

  async waitServing(names: readonly ServiceName[], timeoutMs = 120_000): Promise<void> {
    try {
      await Promise.all(names.map((name) => this.processes.get(name)!.waitServing(this.address(name), timeoutMs)));
    } catch (error) {
      for (const name of names) console.error(`--- ${name} logs ---\n${this.processes.get(name)?.logs().slice(-5000)}`);
      throw error;
    }
  }

  async restartRabbitmq(): Promise<void> {
    await exec('bash', [FAULT_CLUSTER, 'restart-rabbitmq'], { timeout: 180_000 });
  }

  async restartPostgres(): Promise<void> {
    await exec('bash', [FAULT_CLUSTER, 'restart-postgres'], { timeout: 120_000 });
  }

  /** Runs `query` on a connection of its own, retrying while the database restarts. */
  async query<R extends Record<string, unknown>>(query: string, params: unknown[] = []): Promise<R[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withClient(this.databaseUrl, async (c) => (await c.query(query, params)).rows as R[]);
      } catch (error) {
        if (attempt >= 60) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Messages in each non-empty queue of the vhost (e.g. `scoring.emotions.dead`). */
  async queueDepths(): Promise<Record<string, number>> {
    const { stdout } = await exec('rabbitmqctl', ['-n', RABBITMQ_NODE, '-q', 'list_queues', '-p', this.vhost, 'name', 'messages', '--formatter', 'json']);
    const depths: Record<string, number> = {};
    for (const { name, messages } of JSON.parse(stdout) as Array<{ name: string; messages: number }>) if (messages > 0) depths[name] = messages;
    return depths;
  }

  /** Every process's logs so far, those of stopped processes included. */
  logs(): string {
    return [...this.pastLogs, ...[...this.processes.values()].map((p) => p.logs())].join('\n');
  }

  /** How many log lines, across all processes so far, carry `message` (pino's `msg`). */
  countLogs(message: string): number {
    const needle = `"msg":${JSON.stringify(message)}`;
    return this.logs().split('\n').filter((line) => line.includes(needle)).length;
  }

  async close(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((name) => this.stop(name, 'SIGKILL')));
    this.toxiproxy.stop();
    await this.dropDatabase();
  }

  /** Starts `name` without waiting for it to serve. */
  launch(name: ServiceName): void {
    this.processes.set(name, ServiceProcess.start(name, this.env));
  }
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
