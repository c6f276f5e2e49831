import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import Consul from 'consul';
import { SERVICE_NAMES } from '../../src/mesh/registry';
import { consulTokenEnv, MeshConsulTokens, parseConsulAddress, provisionConsulAcl } from '../../src/platform/discovery';
import { silentLogger } from '../../src/platform/log/logger';
import { ensureWorkloadCertificates } from '../../src/platform/tls/certificate-files';
import { freePort } from './grpc-clients';
import { TEST_TLS_DIR } from './tls';
import { runScript } from './tools';
import { waitFor } from './wait';

/**
 * A Consul agent in dev mode (one in-memory server) on free loopback ports, whose gRPC health
 * checks speak TLS as the mesh does: trusting the tests' CA and presenting a certificate of its own.
 * Its ACLs are on, default deny, as a deployment's are: each service has its own token (it may
 * register its own name only) and the resolver a read-only one, provisioned as
 * `npm run consul:provision` does.
 */
export interface ConsulAgent {
  /** `host:port` of its HTTP API: what CONSUL_HTTP_ADDR is set to. */
  readonly httpAddr: string;
  /** A client with the management token: it may do anything. */
  readonly client: Consul;
  /** The management token (acl.tokens.initial_management), generated for this agent. */
  readonly managementToken: string;
  /** Each provisioned service's token and the resolver's, by SecretID. */
  readonly tokens: MeshConsulTokens;
  /** `<SERVICE>_CONSUL_TOKEN` for every provisioned service and CONSUL_RESOLVER_TOKEN: what the mesh's processes get. */
  readonly tokenEnv: Readonly<Record<string, string>>;
  /** A client sending `token` (none: the anonymous token, which may do nothing). */
  clientWith(token: string | undefined): Consul;
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
 * API, RPC and gossip stay plaintext (no verify_* setting, no HTTPS port). ACLs: enabled, default
 * deny, a management token generated here (also the agent's own token, for its node's catalog
 * entry); once it works, the services' and the resolver's tokens are provisioned with it.
 */
export interface ConsulAgentOptions {
  /** Services to provision a token for; every service of the mesh by default. */
  readonly services?: readonly string[];
}

export async function startConsulAgent(options: ConsulAgentOptions = {}): Promise<ConsulAgent> {
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
  const managementToken = randomUUID();
  const acl = [
    'acl {',
    '  enabled = true',
    '  default_policy = "deny"',
    '  enable_token_persistence = false',
    `  tokens { initial_management = ${JSON.stringify(managementToken)} agent = ${JSON.stringify(managementToken)} }`,
    '}',
  ].join('\n');
  const child: ChildProcess = spawn(
    binary,
    ['agent', '-dev', '-bind', '127.0.0.1', '-client', '127.0.0.1', '-http-port', String(http), '-hcl', ports, '-hcl', tls, '-hcl', acl, '-log-level', 'warn'],
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
  const clientWith = (token: string | undefined) => new Consul({ host: '127.0.0.1', port: http, ...(token ? { defaults: { token } } : {}) });
  const client = clientWith(managementToken);

  const elected = async () => {
    if (await client.status.leader().catch(() => '')) return true;
    if (child.exitCode !== null) throw new Error('Consul agent exited');
    return false;
  };
  await waitFor('a Consul leader', elected, 30_000, 200).catch(() => {
    child.kill('SIGKILL');
    throw new Error(`Consul agent did not elect a leader within 30 s:\n${output.join('')}`);
  });
  // The leader bootstraps the ACL system (and the management token) just after its election.
  const aclReady = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${http}/v1/acl/token/self`, { headers: { 'X-Consul-Token': managementToken } })).ok;
    } catch {
      return false;
    }
  };
  let tokens: MeshConsulTokens;
  try {
    await waitFor("the Consul agent's ACLs", aclReady, 30_000, 200);
    tokens = await provisionConsulAcl(parseConsulAddress(`127.0.0.1:${http}`), managementToken, options.services ?? SERVICE_NAMES);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`Consul agent's ACLs could not be provisioned (${(error as Error).message}):\n${output.join('')}`, { cause: error });
  }
  return {
    httpAddr: `127.0.0.1:${http}`,
    client,
    managementToken,
    tokens,
    tokenEnv: consulTokenEnv(tokens),
    clientWith,
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
