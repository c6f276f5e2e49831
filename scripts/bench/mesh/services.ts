import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../../src/platform/paths';
import { freePort, waitForHealth } from '../../../test/support/grpc-clients';
import { createTestDatabase, createTestVhost, Disposable } from '../../../test/support/infrastructure';
import { meshEnv, meshPorts, removeAuthKeys } from '../../../test/support/mesh-process';

/** The services, each in a process of its own, in the order they start (mesh-processes.test.ts's). */
export const SERVICES = ['emotion', 'scoring', 'notifier', 'auth', 'interview'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The gateway (src/services/gateway), started only on request (BenchMeshOptions.gateway): bench:mesh does not need it. */
export const GATEWAY = 'gateway';
type ProcessName = ServiceName | typeof GATEWAY;

/** What startBenchMesh starts besides the five services. */
export interface BenchMeshOptions {
  /** Also the gateway, in a process of its own, HTTPS on a free port, the API only (no web app: GATEWAY_WEB_DIR=none). */
  readonly gateway?: boolean;
}

/**
 * Calls per client address per minute that the interview and auth services accept, for the
 * benchmark: every load generator calls from 127.0.0.1, so the default (1000 a minute, README
 * "Limits": LIMIT_REQUESTS_PER_ADDRESS_PER_MINUTE, to raise behind a proxy whose clients share an
 * address) would refuse the frames of 9 interviews and more (2 x 60 x 9 > 1000), as it would every
 * browser behind one proxy. The per-user, per-interview and per-stream limits keep their defaults:
 * one candidate per interview meets them as real users do.
 */
const BENCH_ADDRESS_LIMIT = '1000000';

/** How long a service may take to serve (the emotion service loads its models first), milliseconds. */
const START_TIMEOUT_MS = 180_000;

/** The mesh as deployed: each service in a process of its own on a database and a vhost of their own. */
export interface BenchMesh {
  readonly addresses: Readonly<Record<ServiceName, string>>;
  /** Each service's process id (`node`: its CPU time is that process's, all threads); the gateway's when started. */
  readonly pids: Readonly<Record<ServiceName, number> & { gateway?: number }>;
  /** The gateway's gRPC address (health) and HTTPS port (REST, WebSocket), when started (BenchMeshOptions.gateway). */
  readonly gateway?: { readonly address: string; readonly httpsPort: number };
  /** The database's URL as the administrator (createTestDatabase), and the vhost's name. */
  readonly databaseUrl: string;
  readonly vhost: string;
  /** Where each service's output goes: `<dir>/<service>.log`. */
  readonly logDir: string;
  /** Stops every service (SIGTERM), drops the database and the vhost; removes the logs unless `keepLogs`. */
  stop(keepLogs: boolean): Promise<void>;
}

/** BENCH_SERVICE_NODE_ARGS: extra node flags for every service's process ("--cpu-prof --cpu-prof-dir=/tmp/prof" profiles them); bench:emotion's too. */
export const SERVICE_NODE_ARGS = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** Starts `name` as `npm start -- --services <name>` runs it (node --import tsx, so that signals reach it), its output to `log`. */
function startService(name: ProcessName, env: Record<string, string>, log: string): ChildProcess {
  const out = fs.openSync(log, 'a');
  try {
    return spawn(process.execPath, [...SERVICE_NODE_ARGS, '--import', 'tsx', 'src/main.ts', 'start', '--services', name], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', out, out],
    });
  } finally {
    fs.closeSync(out);
  }
}

/** Resolves once `child` has exited (at once when it has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
}

/** Resolves once `address` serves; rejects as soon as `child` exits instead. */
async function serving(name: string, child: ChildProcess, address: string): Promise<void> {
  const died = exited(child).then(() => {
    throw new Error(`${name} exited (code ${child.exitCode}) before serving on ${address}`);
  });
  await Promise.race([waitForHealth(address, 'SERVING', START_TIMEOUT_MS), died]);
}

/**
 * Starts the mesh as test/integration/mesh-processes.test.ts does: a fresh database (a role per
 * service owning its schema) and vhost (a broker user per service) on the integration tests'
 * servers, meshEnv's environment (free ports, the tests' TLS directory, a free metrics port each,
 * LOG_LEVEL as deployed: info), each service's downstream addresses, and the address limit raised
 * (BENCH_ADDRESS_LIMIT: the gateway's own per-address limit too). With `options.gateway`, the
 * gateway after them, calling the interview and auth services of this mesh. Resolves once every
 * service is SERVING.
 */
export async function startBenchMesh(options: BenchMeshOptions = {}): Promise<BenchMesh> {
  const [database, vhost]: Disposable<string>[] = await Promise.all([createTestDatabase(), createTestVhost()]);
  const ports = await meshPorts();
  const addresses = Object.fromEntries(SERVICES.map((name) => [name, `127.0.0.1:${ports[name]}`])) as Record<ServiceName, string>;
  const gateway = options.gateway ? { address: `127.0.0.1:${ports[GATEWAY]}`, httpsPort: await freePort() } : undefined;
  const env = {
    ...meshEnv(ports, database.value, vhost.value),
    EMOTION_ADDR: addresses.emotion,
    SCORING_ADDR: addresses.scoring,
    AUTH_ADDR: addresses.auth,
    INTERVIEW_ADDR: addresses.interview,
    LIMIT_REQUESTS_PER_ADDRESS_PER_MINUTE: BENCH_ADDRESS_LIMIT,
    ...(gateway ? { GATEWAY_HTTPS_PORT: String(gateway.httpsPort), GATEWAY_WEB_DIR: 'none' } : {}),
  };
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mesh-logs-'));
  const children: [ProcessName, ChildProcess][] = [];
  const started: [ProcessName, string][] = [
    ...SERVICES.map((name): [ProcessName, string] => [name, addresses[name]]),
    ...(gateway ? [[GATEWAY, gateway.address] as [ProcessName, string]] : []),
  ];
  const stop = async (keepLogs: boolean) => {
    for (const [, child] of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(children.map(([, child]) => exited(child)));
    await Promise.all([database.dispose(), vhost.dispose(), removeAuthKeys(env)]);
    if (!keepLogs) fs.rmSync(logDir, { recursive: true, force: true });
  };
  try {
    for (const [name] of started) children.push([name, startService(name, env, path.join(logDir, `${name}.log`))]);
    await Promise.all(children.map(([name, child], i) => serving(name, child, started[i][1])));
  } catch (error) {
    await stop(true);
    throw new Error(`the mesh did not start (logs in ${logDir})`, { cause: error });
  }
  const pids = Object.fromEntries(children.map(([name, child]) => [name, child.pid ?? NaN])) as BenchMesh['pids'];
  return {
    addresses,
    pids,
    ...(gateway ? { gateway } : {}),
    databaseUrl: database.value,
    vhost: decodeURIComponent(new URL(vhost.value).pathname.slice(1)),
    logDir,
    stop,
  };
}
