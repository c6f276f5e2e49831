import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCaptured, runScript } from '../../support/tools';

const REPO = path.resolve(__dirname, '../../..');
const BUF = path.join(REPO, 'node_modules', '.bin', 'buf');

const buf = (...args: string[]) => runCaptured(BUF, args, { cwd: REPO });

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

  it('match the committed generated code: TypeScript in src/gen, the Go and Python clients in clients/', async () => {
    // buf.gen.yaml's Go and Python generators (pinned), installed under .cache/ when missing.
    runScript('scripts/infra/ensure-codegen-plugins.sh');
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'gen-'));
    try {
      const templateOf = async (file: string) =>
        (await fs.readFile(path.join(REPO, file), 'utf8')).replace(/^(\s*out: )(\S+)$/gm, (_, key: string, dir: string) => `${key}${path.join(out, dir)}`);
      const { code, output } = await buf('generate', '--template', await templateOf('buf.gen.yaml'));
      expect(output).toBe('');
      expect(code).toBe(0);
      // Google's error model, as scripts/codegen.sh generates it.
      const google = 'node_modules/google-proto-files';
      const rpc = await buf(
        'generate',
        google,
        '--template',
        await templateOf('buf.gen.google-rpc.yaml'),
        ...['status', 'error_details'].flatMap((name) => ['--path', `${google}/google/rpc/${name}.proto`]),
      );
      expect(rpc).toEqual({ code: 0, output: '' });
      // What each output directory holds that the generators write (the rest is written by hand).
      const generated: Record<string, (file: string) => boolean> = {
        'src/gen': (file) => file.endsWith('.ts'),
        'clients/go': (file) => file.endsWith('.pb.go'),
        'clients/python/gen': (file) => /\.pyi?$/.test(file),
      };
      for (const [dir, isGenerated] of Object.entries(generated)) {
        const [fresh, committed] = await Promise.all([listFiles(path.join(out, dir)), listFiles(path.join(REPO, dir))]);
        expect({ dir, files: committed.filter(isGenerated) }).toEqual({ dir, files: fresh });
        for (const file of fresh) {
          const [a, b] = await Promise.all([fs.readFile(path.join(out, dir, file), 'utf8'), fs.readFile(path.join(REPO, dir, file), 'utf8')]);
          expect({ file: `${dir}/${file}`, same: a === b }).toEqual({ file: `${dir}/${file}`, same: true });
        }
      }
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  }, 600_000);
});

/** Files under `dir`, relative to it, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
