import { ChildProcess, spawn } from 'node:child_process';
import Consul from 'consul';
import { silentLogger } from '../../src/platform/log/logger';
import { ensureWorkloadCertificates } from '../../src/platform/tls/certificate-files';
import { freePort } from './grpc-clients';
import { TEST_TLS_DIR } from './tls';
import { runScript } from './tools';
import { waitFor } from './wait';

/**
 * A Consul agent in dev mode (one in-memory server) on free loopback ports, whose gRPC health
 * checks speak TLS as the mesh does: trusting the tests' CA and presenting a certificate of its own.
 */
export interface ConsulAgent {
  /** `host:port` of its HTTP API: what CONSUL_HTTP_ADDR is set to. */
  readonly httpAddr: string;
  readonly client: Consul;
  logs(): string;
  /** Addresses of the passing instances of `service`, as Consul's health endpoint lists them. */
  passing(service: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** One entry of Consul's /v1/health/service/:service, as far as it is read here. */
interface HealthServiceEntry {
  Service: { Address: string; Port: number };
}

/** The workload identity of the tests' Consul agent: the client certificate its health checks present. */
const CONSUL_IDENTITY = { kind: 'operator', name: 'consul' } as const;

/**
 * Builds Consul when missing (scripts/infra/ensure-consul.sh) and starts `consul agent -dev`. Its
 * TLS files are the tests' CA and a certificate of its own (spiffe://interview-mesh/operator/consul,
 * issued in TEST_TLS_DIR when missing); with `enable_agent_tls_for_checks` a check registered with
 * GRPCUseTLS verifies the instance's certificate against that CA under the check's TLSServerName
 * and presents the agent's certificate, which the mesh's internal services require. Its own HTTP
 * API, RPC and gossip stay plaintext (no verify_* setting, no HTTPS port).
 */
export async function startConsulAgent(): Promise<ConsulAgent> {
  const binary = runScript('scripts/infra/ensure-consul.sh');
  const files = await ensureWorkloadCertificates(TEST_TLS_DIR, [CONSUL_IDENTITY], [], silentLogger());
  const [http, server, serfLan] = [await freePort(), await freePort(), await freePort()];
  const ports = `ports { dns = -1 grpc = -1 grpc_tls = -1 serf_wan = -1 server = ${server} serf_lan = ${serfLan} }`;
  const tls = [
    'tls { defaults {',
    `  ca_file = ${JSON.stringify(files.caCertificate)}`,
    `  cert_file = ${JSON.stringify(files.certificate(CONSUL_IDENTITY.name))}`,
    `  key_file = ${JSON.stringify(files.privateKey(CONSUL_IDENTITY.name))}`,
    '} }',
    'enable_agent_tls_for_checks = true',
  ].join('\n');
  const child: ChildProcess = spawn(
    binary,
    ['agent', '-dev', '-bind', '127.0.0.1', '-client', '127.0.0.1', '-http-port', String(http), '-hcl', ports, '-hcl', tls, '-log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const client = new Consul({ host: '127.0.0.1', port: http });

  const elected = async () => {
    if (await client.status.leader().catch(() => '')) return true;
    if (child.exitCode !== null) throw new Error('Consul agent exited');
    return false;
  };
  await waitFor('a Consul leader', elected, 30_000, 200).catch(() => {
    child.kill('SIGKILL');
    throw new Error(`Consul agent did not elect a leader within 30 s:\n${output.join('')}`);
  });
  return {
    httpAddr: `127.0.0.1:${http}`,
    client,
    logs: () => output.join(''),
    passing: async (service) => {
      // The consul package types health.service's entries as any[]; this is the part of one read here.
      const entries = (await client.health.service({ service, passing: true })) as HealthServiceEntry[];
      return entries.map((e) => `${e.Service.Address}:${e.Service.Port}`).sort();
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
