/**
 * Builds the web app (web/: TypeScript, React) into static files the gateway serves: dist/web/
 * index.html, assets/main.js and main.css, and the chunks loaded on demand (the expression chart's
 * Vega). esbuild bundles, minifies and writes source maps; ES2022 modules, which every browser the
 * app targets runs. Skipped when nothing it reads changed since the last build (a hash of web/,
 * package-lock.json and this script in dist/web/.build-hash), so `npm start` and the browser tests
 * pay for it once.
 *
 * ### Examples
 * ```sh
 * npm run build:web            # builds when web/ changed, says so either way
 * npm run build:web -- --force # builds anyway
 * ```
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const REPO = path.resolve(__dirname, '..');
const SOURCE = path.join(REPO, 'web');
export const WEB_DIST = path.join(REPO, 'dist/web');
const STAMP = path.join(WEB_DIST, '.build-hash');

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? files(full) : [full];
    });
}

function inputsHash(): string {
  const hash = createHash('sha256');
  for (const file of [...files(SOURCE), path.join(REPO, 'package-lock.json'), __filename]) {
    hash.update(path.relative(REPO, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Builds dist/web unless it is up to date (or `force`); resolves with whether it built. */
export async function buildWeb({ force = false } = {}): Promise<{ built: boolean; dir: string; ms: number }> {
  const started = Date.now();
  const hash = inputsHash();
  if (!force && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === hash) return { built: false, dir: WEB_DIST, ms: Date.now() - started };
  rmSync(WEB_DIST, { recursive: true, force: true });
  mkdirSync(WEB_DIST, { recursive: true });
  await build({
    absWorkingDir: REPO,
    entryPoints: { main: 'web/src/main.tsx' },
    outdir: path.join(WEB_DIST, 'assets'),
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    minify: true,
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
    legalComments: 'linked',
    tsconfig: 'web/tsconfig.json',
  });
  copyFileSync(path.join(SOURCE, 'index.html'), path.join(WEB_DIST, 'index.html'));
  writeFileSync(STAMP, `${hash}\n`);
  return { built: true, dir: WEB_DIST, ms: Date.now() - started };
}

if (require.main === module) {
  buildWeb({ force: process.argv.includes('--force') }).then(
    ({ built, dir, ms }) => {
      console.error(built ? `[web] built ${path.relative(REPO, dir)} in ${ms} ms` : `[web] ${path.relative(REPO, dir)} is up to date`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
