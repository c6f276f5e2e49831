import path from 'node:path';
import { freePort } from '../../support/grpc-clients';
import { createTestDatabase, createTestVhost, FAULT_SERVERS, rabbitmqctl, requireEnv, vhostOf, withClient } from '../../support/infrastructure';
import { meshEnv, meshPorts, removeAuthKeys } from '../../support/mesh-process';
import { ServiceProcess } from '../../support/service-process';
import { run } from '../../support/tools';
import { sleep } from '../../support/wait';
import { Toxiproxy } from './toxiproxy';

const FAULT_CLUSTER = path.resolve(__dirname, '../../../scripts/infra/fault-cluster.sh');

/** Short delays so the poison case finishes in seconds (EVENT_RETRY_DELAYS_MS; the vhost is provisioned with their retry queues). */
const RETRY_DELAYS_MS = [250, 500, 1000];

/** In start order: the auth service before the interview service, which verifies tokens with its keys. */
export const SERVICES: readonly string[] = ['emotion', 'scoring', 'notifier', 'auth', 'interview'];

/**
 * The mesh as deployed (each service its own process) on the fault suite's own PostgreSQL and
 * RabbitMQ, with toxiproxy between the interview service and emotion (`emotion` proxy) and between
 * every service and the broker (`amqp` proxy). A database and a vhost of its own; the auth service
 * (signUp at `address('auth')`) gives the load its tokens.
 */
export class FaultMesh {
  readonly processes = new Map<string, ServiceProcess>();
  /** Log text of processes that have exited, so counts survive restarts. */
  private readonly pastLogs: string[] = [];

  private constructor(
    readonly databaseUrl: string,
    /** The broker without the proxy, on the mesh's vhost. */
    readonly amqpUrl: string,
    readonly vhost: string,
    readonly ports: Record<string, number>,
    readonly env: Record<string, string>,
    readonly toxiproxy: Toxiproxy,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  static async start(): Promise<FaultMesh> {
    const [database, broker] = await Promise.all([createTestDatabase(FAULT_SERVERS), createTestVhost(FAULT_SERVERS, { retry: { delaysMs: RETRY_DELAYS_MS } })]);
    const [databaseUrl, vhost] = [database.value, vhostOf(broker.value)];
    const ports = await meshPorts();
    const [apiPort, amqpProxyPort, emotionProxyPort] = [await freePort(), await freePort(), await freePort()];
    const toxiproxy = await Toxiproxy.start(requireEnv('FAULTS_TOXIPROXY_BIN'), apiPort);
    await toxiproxy.createProxy('amqp', amqpProxyPort, new URL(broker.value).host);
    await toxiproxy.createProxy('emotion', emotionProxyPort, `127.0.0.1:${ports.emotion}`);

    const env = {
      // The broker through the `amqp` proxy, each service as its own user (meshEnv: serviceBrokerEnv keeps the proxy's address).
      ...meshEnv(ports, databaseUrl, `amqp://guest:guest@127.0.0.1:${amqpProxyPort}/${encodeURIComponent(vhost)}`),
      EMOTION_ADDR: `127.0.0.1:${emotionProxyPort}`,
      SCORING_ADDR: `127.0.0.1:${ports.scoring}`,
      AUTH_ADDR: `127.0.0.1:${ports.auth}`,
      // The tokens signed up in beforeAll outlive the whole suite.
      AUTH_ACCESS_TOKEN_TTL_S: '3600',
      EMOTION_DEADLINE_MS: '1500',
      // Short delays so the poison case finishes in seconds; a database outage spends no attempt.
      EVENT_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
      OUTBOX_POLL_MS: '100',
      SHUTDOWN_GRACE_MS: '15000',
    };
    const mesh = new FaultMesh(databaseUrl, broker.value, vhost, ports, env, toxiproxy, async () => {
      await database.dispose().catch(() => undefined);
      await broker.dispose();
    });
    for (const name of SERVICES) mesh.launch(name);
    await mesh.waitServing(SERVICES);
    return mesh;
  }

  address(name: string): string {
    return `127.0.0.1:${this.ports[name]}`;
  }

  /** Starts `name` again (after a kill or a stop) and waits until it serves. */
  async restart(name: string): Promise<void> {
    this.launch(name);
    await this.waitServing([name]);
  }

  /** Sends `signal` to `name`; resolves with its exit code (null when the signal killed it). */
  async stop(name: string, signal: NodeJS.Signals): Promise<number | null> {
    const process = this.processes.get(name);
    if (!process) return null;
    const code = await process.stop(signal);
    this.pastLogs.push(process.logs());
    this.processes.delete(name);
    return code;
  }

  async waitServing(names: readonly string[], timeoutMs = 120_000): Promise<void> {
    try {
      await Promise.all(names.map((name) => this.processes.get(name)!.waitServing(this.address(name), timeoutMs)));
    } catch (error) {
      for (const name of names) console.error(`--- ${name} logs ---\n${this.processes.get(name)?.logs().slice(-5000)}`);
      throw error;
    }
  }

  async restartRabbitmq(): Promise<void> {
    await run('bash', [FAULT_CLUSTER, 'restart-rabbitmq'], { timeout: 180_000 });
  }

  async restartPostgres(): Promise<void> {
    await run('bash', [FAULT_CLUSTER, 'restart-postgres'], { timeout: 120_000 });
  }

  /** Runs `query` on a connection of its own, retrying while the database restarts. */
  async query<R extends Record<string, unknown>>(query: string, params: unknown[] = []): Promise<R[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withClient(this.databaseUrl, async (c) => (await c.query(query, params)).rows as R[]);
      } catch (error) {
        if (attempt >= 60) throw error;
        await sleep(500);
      }
    }
  }

  /** Messages in each non-empty queue of the vhost (e.g. `scoring.emotions.dead`). */
  async queueDepths(): Promise<Record<string, number>> {
    const stdout = await rabbitmqctl(FAULT_SERVERS, ['list_queues', '-p', this.vhost, 'name', 'messages', '--formatter', 'json']);
    const depths: Record<string, number> = {};
    for (const { name, messages } of JSON.parse(stdout) as { name: string; messages: number }[]) if (messages > 0) depths[name] = messages;
    return depths;
  }

  /** Every process's logs so far, those of stopped processes included. */
  logs(): string {
    return [...this.pastLogs, ...[...this.processes.values()].map((p) => p.logs())].join('\n');
  }

  /** How many log lines, across all processes so far, carry `message` (pino's `msg`). */
  countLogs(message: string): number {
    const needle = `"msg":${JSON.stringify(message)}`;
    return this.logs()
      .split('\n')
      .filter((line) => line.includes(needle)).length;
  }

  async close(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((name) => this.stop(name, 'SIGKILL')));
    this.toxiproxy.stop();
    await this.dropDatabase();
    await removeAuthKeys(this.env);
  }

  /** Starts `name` without waiting for it to serve. */
  launch(name: string): void {
    this.processes.set(name, ServiceProcess.start(name, this.env));
  }
}
