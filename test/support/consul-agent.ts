import { ChildProcess, spawn } from 'node:child_process';
import Consul from 'consul';
import { freePort } from './grpc-clients';
import { ensureTool } from './tools';

/** A Consul agent in dev mode (one in-memory server) on free loopback ports. */
export interface ConsulAgent {
  /** `host:port` of its HTTP API: what CONSUL_HTTP_ADDR is set to. */
  readonly httpAddr: string;
  readonly client: Consul;
  logs(): string;
  /** Addresses of the passing instances of `service`, as Consul's health endpoint lists them. */
  passing(service: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Builds Consul when missing (scripts/infra/ensure-consul.sh) and starts `consul agent -dev`. */
export async function startConsulAgent(): Promise<ConsulAgent> {
  const binary = ensureTool('ensure-consul.sh');
  const [http, server, serfLan] = [await freePort(), await freePort(), await freePort()];
  const ports = `ports { dns = -1 grpc = -1 grpc_tls = -1 serf_wan = -1 server = ${server} serf_lan = ${serfLan} }`;
  const child: ChildProcess = spawn(binary, ['agent', '-dev', '-bind', '127.0.0.1', '-client', '127.0.0.1', '-http-port', String(http), '-hcl', ports, '-log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = new Consul({ host: '127.0.0.1', port: http });

  const until = Date.now() + 30_000;
  for (;;) {
    const leader = await client.status.leader().catch(() => '');
    if (leader) break;
    if (Date.now() > until || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`Consul agent did not elect a leader within 30 s:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    httpAddr: `127.0.0.1:${http}`,
    client,
    logs: () => output.join(''),
    passing: async (service) => {
      const entries: Array<{ Service: { Address: string; Port: number } }> = await client.health.service({ service, passing: true });
      return entries.map((e) => `${e.Service.Address}:${e.Service.Port}`).sort();
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
