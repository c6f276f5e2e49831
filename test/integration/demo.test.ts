/**
 * The README's main command, `npm run demo`, as a newcomer runs it: embedded defaults (PGlite, the
 * in-process bus), the fixture photographs, a whole interview to its report.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/grpc-clients';
import { run } from '../support/tools';

jest.setTimeout(120_000);

it('runs a whole interview through the embedded mesh and prints faces, emotions, analyses and scores', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'demo-'));
  const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, AUTH_SCRYPT_COST: '10' };
  for (const name of ['INTERVIEW_PORT', 'EMOTION_PORT', 'SCORING_PORT', 'NOTIFIER_PORT', 'AUTH_PORT', 'METRICS_PORT', 'INTERVIEW_HTTPS_PORT'])
    env[name] = String(await freePort());
  delete env.DATABASE_URL;
  delete env.AMQP_URL;
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/demo/run-demo.ts', '--questions', '3', '--out', path.join(dataDir, 'report')], {
      cwd: path.resolve(__dirname, '../..'),
      env,
      timeout: 110_000,
    });
    expect(stdout).toContain('embedded PGlite, in-process bus');
    expect(stdout).toMatch(/signed up candidate candidate-demo-[0-9a-f]+@demo\.example and interviewer interviewer-demo-[0-9a-f]+@demo\.example/);
    expect(stdout).toMatch(/frame 1 astronaut\.png: face at x=\d+ y=\d+ \d+x\d+, emotion happy/);
    expect(stdout).toMatch(/chelsea\.png \(a cat\): no face \(FACE_NOT_DETECTED\)/);
    expect(stdout).toMatch(/answered \(\d+ s, \d+ words\): 3\/3 \(100%\)/);
    expect(stdout).toMatch(/Frames: 6 analyzed, face in 4; emotions: happy 4/);
    expect(stdout).toMatch(/Scores: technical \d+\.\d, communication \d+\.\d, emotion \d+\.\d, overall \d+\.\d \(of 100\)/);
    // The report's PDF, fetched through its link over TLS, and its JSON, written where it says.
    expect(stdout).toMatch(/report link \(until [\dT:.Z-]+\): https:\/\/127\.0\.0\.1:\d+\/v1\/reports\/[0-9a-f-]{36}\.pdf\?token=[\w-]+\.[\w-]+\.[\w-]+/);
    expect(stdout).toMatch(/wrote .*report\/report\.pdf \(\d+ KB, made and returned in \d+\.\d\d s\) and .*report\/report\.json/);
    const pdf = await fs.readFile(path.join(dataDir, 'report', 'report.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const json = JSON.parse(await fs.readFile(path.join(dataDir, 'report', 'report.json'), 'utf8')) as { schemaVersion: number; answers: unknown[] };
    expect(json.schemaVersion).toBe(2);
    expect(json.answers).toHaveLength(3);
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});
