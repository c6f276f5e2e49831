/**
 * The README's main command, `npm run demo`, as a newcomer runs it: embedded defaults (PGlite, the
 * in-process bus), the fixture photographs, a whole interview to its report; and with --web, the
 * front door it then keeps open until a signal.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/grpc-clients';
import { run } from '../support/tools';
import { waitFor } from '../support/wait';

const REPO = path.resolve(__dirname, '../..');

/** The demo's environment: a data directory of its own, free ports for every service (the gateway's HTTPS port too), no external servers. */
async function demoEnv(dataDir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, AUTH_SCRYPT_COST: '10' };
  for (const name of [
    'INTERVIEW_PORT',
    'EMOTION_PORT',
    'INTEGRITY_PORT',
    'SCORING_PORT',
    'NOTIFIER_PORT',
    'AUTH_PORT',
    'GATEWAY_PORT',
    'METRICS_PORT',
    'INTERVIEW_HTTPS_PORT',
    'GATEWAY_HTTPS_PORT',
  ])
    env[name] = String(await freePort());
  delete env.DATABASE_URL;
  delete env.AMQP_URL;
  delete env.MESH_TLS_DIR;
  delete env.GATEWAY_WEB_DIR;
  return env;
}

it('runs a whole interview through the embedded mesh and prints faces, emotions, analyses and scores', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'demo-'));
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/demo/run-demo.ts', '--questions', '3', '--out', path.join(dataDir, 'report')], {
      cwd: REPO,
      env: await demoEnv(dataDir),
      timeout: 110_000,
    });
    expect(stdout).toContain('embedded PGlite, in-process bus');
    expect(stdout).toMatch(/signed up candidate candidate-demo-[0-9a-f]+@demo\.example and interviewer interviewer-demo-[0-9a-f]+@demo\.example/);
    expect(stdout).toMatch(/frame 1 astronaut\.png: face at x=\d+ y=\d+ \d+x\d+, emotion happy/);
    expect(stdout).toMatch(/chelsea\.png \(a cat\): no face \(FACE_NOT_DETECTED\)/);
    expect(stdout).toMatch(/answered \(\d+ s, \d+ words\): 3\/3 \(100%\)/);
    expect(stdout).toMatch(/Frames: 6 analyzed, face in 4; emotions: happy 4/);
    expect(stdout).toMatch(/Scores: technical \d+\.\d, communication \d+\.\d, emotion \d+\.\d, overall \d+\.\d \(of 100\)/);
    // Scoring asked the integrity service of this mesh (mTLS, the call policy): its assessment, or that
    // its queue had not reached the frames yet; never that it did not answer.
    expect(stdout).toMatch(
      /Integrity: (verdict (clear|review|flagged), risk \d\.\d\d \(peak \d\.\d\d\), \d+ frames? analysed, \d+ events?|Not assessed: the integrity service analysed no frame)/,
    );
    // The report's PDF, fetched through its link over TLS, and its JSON, written where it says.
    expect(stdout).toMatch(/report link \(until [\dT:.Z-]+\): https:\/\/127\.0\.0\.1:\d+\/v1\/reports\/[0-9a-f-]{36}\.pdf\?token=[\w-]+\.[\w-]+\.[\w-]+/);
    expect(stdout).toMatch(/wrote .*report\/report\.pdf \(\d+ KB, made and returned in \d+\.\d\d s\) and .*report\/report\.json/);
    // Without --web the demo ends once the report is written: no front door printed.
    expect(stdout).not.toContain('Front door');
    const pdf = await fs.readFile(path.join(dataDir, 'report', 'report.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const json = JSON.parse(await fs.readFile(path.join(dataDir, 'report', 'report.json'), 'utf8')) as { schemaVersion: number; answers: unknown[] };
    expect(json.schemaVersion).toBe(2);
    expect(json.answers).toHaveLength(3);
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}, 120_000);

/** One HTTPS request to `url` trusting `ca` (the demo mesh's CA), a JSON body sent; resolves with the status, content type and body. */
function fetchTrusting(
  url: string,
  ca: Buffer,
  init: { method?: string; json?: unknown; token?: string } = {},
): Promise<{ status: number; type: string; body: string }> {
  const payload = init.json === undefined ? undefined : JSON.stringify(init.json);
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method: init.method ?? 'GET',
        ca,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Resolves with the child's exit code and signal once it has exited. */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    }),
  );
}

it('with --web, prints a front door that serves the web app and the accounts to log in with, and stops cleanly on SIGTERM', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'demo-web-'));
  const env = await demoEnv(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/run-demo.ts', '--web', '--questions', '2', '--out', path.join(dataDir, 'report')], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const end = exited(child);
  try {
    await waitFor('the demo to print its front door', () => stdout.includes('Serving until Ctrl-C') || child.exitCode !== null, 150_000);
    // Still running (stderr shown when it is not).
    expect(child.exitCode === null ? null : stderr).toBeNull();
    expect(stdout).toMatch(/web app: (built dist\/web in \d+\.\d s|dist\/web is up to date)/);
    const url = /Front door: (https:\/\/localhost:(\d+)\/) /.exec(stdout);
    expect(url?.[2]).toBe(env.GATEWAY_HTTPS_PORT);
    const caPath = /issued by this mesh's CA, (\S+)\./.exec(stdout)?.[1] ?? '';
    const ca = await fs.readFile(path.resolve(REPO, caPath));
    const base = url?.[1] ?? '';

    const page = await fetchTrusting(base, ca);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.body).toContain('<div id="root"></div>');
    expect(page.body).toContain('/assets/main.js');
    expect((await fetchTrusting(new URL('/healthz', base).href, ca)).status).toBe(200);

    // The printed candidate logs in through the gateway and reads the report of the printed interview.
    const login = /Candidate: log in as (\S+), password (\S+); the report: \S+\/interview\/([0-9a-f-]{36})\/report/.exec(stdout);
    expect(login).not.toBeNull();
    const [, email, password, interviewId] = login ?? [];
    const tokens = await fetchTrusting(new URL('/api/v1/auth/login', base).href, ca, { method: 'POST', json: { email, password } });
    expect(tokens.status).toBe(200);
    const { access_token: token } = JSON.parse(tokens.body) as { access_token: string };
    const report = await fetchTrusting(new URL(`/api/v1/interviews/${interviewId}/report`, base).href, ca, { token });
    expect(report.status).toBe(200);
    expect(JSON.parse(report.body)).toMatchObject({ interview_id: interviewId });
    expect(stdout).toMatch(/Interviewer: log in as interviewer-demo-[0-9a-f]+@demo\.example, password \S+; /);
    expect(stdout).toMatch(/invitation code [\w-]{24}/);

    child.kill('SIGTERM');
    expect(await end).toEqual({ code: 0, signal: null });
    expect(stdout).toContain('SIGTERM: stopping the mesh');
    expect(stdout).toMatch(/Stopped\.\n$/);
    await expect(fetchTrusting(base, ca)).rejects.toThrow(/ECONNREFUSED/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await end;
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}, 200_000);
