/**
 * `npm run stat` against a real mesh: auth and interview started in this process (PGlite in memory,
 * the in-process bus, a metrics endpoint on a free port), real Register and Login calls over TLS
 * during the window, and the stat command's `--once` table, called as a function and run as the
 * command (`npx tsx src/stat/cli.ts`); then the live view ended with Ctrl-C (SIGINT), exit 0.
 * Last, the same mesh registered with a Consul agent (ACLs on): `--consul` finds its metrics
 * endpoint through the registrations' `metrics_port`, with the resolver's read-only token.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Mesh, startMesh } from '../../src/mesh/start-mesh';
import { loadConfig } from '../../src/platform/config/mesh-config';
import { silentLogger } from '../../src/platform/log/logger';
import { runStat } from '../../src/stat/stat';
import { ConsulAgent, startConsulAgent } from '../support/consul-agent';
import { signUp } from '../support/identity';
import { TEST_MESH_ENV } from '../support/mesh-env';
import { startAuthAndInterview } from '../support/auth-interview-mesh';
import { runCaptured } from '../support/tools';
import { sleep, waitFor } from '../support/wait';

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../..');

interface RpcLine {
  readonly service: string;
  readonly success: string;
  readonly rps: number;
  readonly requests: number;
  readonly total: number;
}

/** The rows of the "RPCs served" table, by method. */
function rpcTable(text: string): Map<string, RpcLine> {
  const lines = text.split('\n');
  const header = lines.findIndex((line) => /^SERVICE\s+METHOD\s/.test(line));
  if (header === -1) throw new Error(`no RPC table in:\n${text}`);
  const rows = new Map<string, RpcLine>();
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    const [service, method, success, rps, requests, total] = line.split(/ +/);
    rows.set(method, { service, success, rps: Number(rps), requests: Number(requests), total: Number(total) });
  }
  return rows;
}

/** Checks that Register and Login were served in the window, all of them OK. */
function expectAuthCalls(text: string): void {
  const rows = rpcTable(text);
  for (const method of ['auth.v1.AuthService/Register', 'auth.v1.AuthService/Login']) {
    const row = rows.get(method);
    if (!row) throw new Error(`${method} missing from:\n${text}`);
    expect(row.service).toBe('auth');
    expect(row.success).toBe('100.00%');
    expect(row.requests).toBeGreaterThan(0);
    expect(row.rps).toBeGreaterThan(0);
    expect(row.total).toBeGreaterThanOrEqual(row.requests);
  }
}

/** Collects what runStat writes. */
function collect(): { write(text: string): boolean; text: string } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

/** Signs up candidates (Register, then Login) one after the other until `done()`; resolves with how many. */
async function signUpUntil(authAddress: string, done: () => boolean): Promise<number> {
  let count = 0;
  while (!done()) {
    await signUp(authAddress, 'candidate');
    count++;
    await sleep(50);
  }
  return count;
}

describe('npm run stat against a running mesh', () => {
  let mesh: Mesh;
  let keysDir: string;
  let metrics: string;

  beforeAll(async () => {
    // Emotion and scoring do not run: the interview service's breakers towards them are all this needs of them.
    ({ mesh, keysDir } = await startAuthAndInterview('stat'));
    if (!mesh.metricsAddress) throw new Error('the mesh serves no metrics');
    metrics = mesh.metricsAddress;
  });

  afterAll(async () => {
    await mesh.stop(1_000);
    await fs.rm(keysDir, { recursive: true, force: true });
  });

  it('--once, called in-process: the methods called in the window, their rate, 100% success; breakers and outboxes', async () => {
    const out = collect();
    let finished = false;
    const stat = runStat({ targets: [metrics], once: true, intervalMs: 2_000, windowMs: 3_000 }, { out }).finally(() => {
      finished = true;
    });
    // The first scrape is sent at once: the calls land in the window.
    const calls = await signUpUntil(mesh.address('auth'), () => finished);
    expect(await stat).toBe(0);
    expect(calls).toBeGreaterThan(0);

    const written = out.text;
    expect(written.split('\n')[0]).toMatch(new RegExp(`^targets: ${metrics} · window 3\\.\\d s$`));
    expectAuthCalls(written);
    expect(written).not.toContain('\x1b');
    expect(written).toMatch(/\nBreakers\nSERVICE {4}DOWNSTREAM {2}STATE\n(interview +\w+ +closed\n)+/);
    expect(written).toMatch(/\nOutboxes\nSERVICE +WAITING +OLDEST_AGE_S\n/);
    expect(written).toMatch(/\nauth +0 +0\.0\n/);
  });

  it('--once, run as the command (npx tsx): the same table, exit 0; exit 1 when no target answers', async () => {
    let finished = false;
    const command = runCaptured('npx', ['tsx', 'src/stat/cli.ts', '--target', metrics, '--once', '--window', '3s'], { cwd: REPO, timeout: 60_000 }).finally(
      () => {
        finished = true;
      },
    );
    // The command starts in a second or two: calls go on until it has printed its table.
    await signUpUntil(mesh.address('auth'), () => finished);
    const { code, output } = await command;
    expect({ code, output }).toMatchObject({ code: 0 });
    expectAuthCalls(output);

    const unreachable = await runCaptured('npx', ['tsx', 'src/stat/cli.ts', '--target', '127.0.0.1:9', '--once'], { cwd: REPO, timeout: 60_000 });
    expect(unreachable.code).toBe(1);
    expect(unreachable.output).toContain('unreachable: 127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9');

    const wrong = await runCaptured('npx', ['tsx', 'src/stat/cli.ts', '--interval', 'soon'], { cwd: REPO, timeout: 60_000 });
    expect(wrong.code).toBe(1);
    expect(wrong.output).toContain("option '-i, --interval <duration>' argument 'soon' is invalid. a duration is a number and a unit (500ms, 2s, 1m)");
  });

  it('the live view refreshes until Ctrl-C, then exits 0', async () => {
    // node --import tsx, not the tsx wrapper: SIGINT reaches the command itself, as Ctrl-C does.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/stat/cli.ts', '--target', metrics, '--interval', '500ms'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => {
        resolve(code);
      });
    });
    try {
      await waitFor('two refreshes of the live view', () => output.split('interview-mesh stat · every 500ms').length > 2, 30_000, 100);
      await signUp(mesh.address('auth'), 'candidate');
      await waitFor('a refresh with the calls', () => /auth\.v1\.AuthService\/Login +100\.00%/.test(output), 10_000, 100);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    // Not a terminal: frames one after the other, no escape sequences.
    expect(output).not.toContain('\x1b');
    expect(output).toMatch(new RegExp(`targets: ${metrics} · window 0\\.\\d s`));
  });
});

describe('npm run stat --consul', () => {
  let consul: ConsulAgent;
  let mesh: Mesh | undefined;
  let keysDir: string;

  beforeAll(async () => {
    consul = await startConsulAgent({ services: ['auth', 'interview'] });
    keysDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stat-consul-keys-'));
    const env = {
      DATA_DIR: 'memory://',
      ...TEST_MESH_ENV,
      BIND_HOST: '127.0.0.1',
      ADVERTISE_HOST: '127.0.0.1',
      CONSUL_HTTP_ADDR: consul.httpAddr,
      // Each service registers with its own token (AUTH_CONSUL_TOKEN, INTERVIEW_CONSUL_TOKEN).
      ...consul.tokenEnv,
      AUTH_SCRYPT_COST: '10',
      AUTH_KEYS_DIR: keysDir,
      AUTH_PORT: '0',
      INTERVIEW_PORT: '0',
      EMOTION_ADDR: '127.0.0.1:9',
      SCORING_ADDR: '127.0.0.1:9',
    };
    mesh = await startMesh({ ...loadConfig(env), dataDir: 'memory://' }, ['auth', 'interview'], silentLogger(), { env });
  });

  afterAll(async () => {
    await mesh?.stop(1_000);
    await consul.stop();
    await fs.rm(keysDir, { recursive: true, force: true });
  });

  it("scrapes the instances Consul lists, at their address and their registration's metrics_port", async () => {
    const running = mesh!;
    const out = collect();
    let finished = false;
    const stat = runStat(
      { targets: [], consul: consul.httpAddr, consulToken: consul.tokens.resolver, once: true, intervalMs: 2_000, windowMs: 2_000 },
      { out },
    ).finally(() => {
      finished = true;
    });
    await signUpUntil(running.address('auth'), () => finished);
    expect(await stat).toBe(0);
    // auth and interview run in one process: one metrics endpoint, listed once.
    expect(out.text.split('\n')[0]).toMatch(new RegExp(`^targets: ${running.metricsAddress ?? '?'} \\(auth, interview\\) · window 2\\.\\d s$`));
    expectAuthCalls(out.text);

    // Without a token that may read the catalog, Consul lists nothing: said, exit 1.
    const denied = collect();
    expect(await runStat({ targets: [], consul: consul.httpAddr, once: true, intervalMs: 2_000, windowMs: 100 }, { out: denied })).toBe(1);
    expect(denied.text).toContain(
      `targets: none answered · first scrape, no window yet\nConsul at ${consul.httpAddr} lists no instance (no ACL token given: with ACLs on, set CONSUL_RESOLVER_TOKEN or CONSUL_HTTP_TOKEN)\n`,
    );
  });
});
