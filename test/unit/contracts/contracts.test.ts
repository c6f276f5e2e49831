import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const REPO = path.resolve(__dirname, '../../..');
const BUF = path.join(REPO, 'node_modules', '.bin', 'buf');

async function buf(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await exec(BUF, args, { cwd: REPO });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('proto contracts', () => {
  it('pass buf lint (exceptions in buf.yaml, each explained)', async () => {
    const { code, output } = await buf('lint');
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('break nothing of seed 003 section 2 (buf breaking, FILE rules, against the seed copies)', async () => {
    const config = JSON.stringify({ version: 'v2', modules: [{ path: 'proto' }], breaking: { use: ['FILE'] } });
    const { code, output } = await buf('breaking', '--against', 'test/fixtures/seed-contracts', '--config', config);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('match the descriptor sets reflection serves (src/gen/descriptors)', async () => {
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'desc-'));
    try {
      expect((await buf('build', '-o', path.join(out, 'mesh.binpb'))).code).toBe(0);
      const [fresh, committed] = await Promise.all([fs.readFile(path.join(out, 'mesh.binpb')), fs.readFile(path.join(REPO, 'src/gen/descriptors/mesh.binpb'))]);
      expect(fresh.equals(committed)).toBe(true);
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  });

  it('match the committed generated code in src/gen', async () => {
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'gen-'));
    try {
      const template = (await fs.readFile(path.join(REPO, 'buf.gen.yaml'), 'utf8')).replace('out: src/gen', `out: ${out}`);
      const { code, output } = await buf('generate', '--template', template);
      expect(output).toBe('');
      expect(code).toBe(0);
      const files = ['emotion.ts', 'scoring.ts', 'interview.ts', 'events.ts'];
      for (const file of files) {
        const [fresh, committed] = await Promise.all([fs.readFile(path.join(out, file), 'utf8'), fs.readFile(path.join(REPO, 'src/gen', file), 'utf8')]);
        expect({ file, same: fresh === committed }).toEqual({ file, same: true });
      }
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  });
});
