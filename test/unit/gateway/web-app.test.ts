/**
 * The gateway serves the built web app: its files, its page for the app's client-side routes (SPA
 * fallback), never for the API's paths nor for a missing file; hashed chunks cacheable for a year,
 * the page and the entry points revalidated; the CSP the app needs (its own scripts and styles,
 * same-origin connections, blob: media) on every answer. A directory of its own stands in for
 * dist/web, and fakes for the upstreams (no request here reaches them).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildGatewayApp, GatewayApp, GatewayDeps } from '../../../src/services/gateway/app';
import { silentLogger } from '../../../src/platform/log/logger';
import { isAppRoute } from '../../../src/services/gateway/web-app';

const INDEX = '<!doctype html><html lang="en"><head><title>app</title><script type="module" src="/assets/main.js"></script></head><body></body></html>';
let dir: string;
let app: GatewayApp;

async function build(webDir: string | undefined): Promise<GatewayApp> {
  const limit = { spec: {} as never, take: () => Promise.resolve(), giveBack: () => Promise.resolve() };
  const deps: GatewayDeps = {
    upstreams: {} as never,
    verifier: { verify: () => Promise.reject(new Error('no token here')) },
    perAddress: limit,
    framesPerSocket: limit,
    settings: { corsOrigins: [], wsAuthTimeoutMs: 1000, webDir },
    log: silentLogger(),
  };
  return buildGatewayApp(deps);
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gateway-web-'));
  await fs.mkdir(path.join(dir, 'assets/chunks'), { recursive: true });
  await fs.writeFile(path.join(dir, 'index.html'), INDEX);
  await fs.writeFile(path.join(dir, 'assets/main.js'), 'console.log(1);');
  await fs.writeFile(path.join(dir, 'assets/chunks/vega-AB12CD34.js'), 'export const v = 1;');
  await fs.writeFile(path.join(dir, '.build-hash'), 'secret-ish\n');
  app = await build(dir);
});

afterAll(async () => {
  await app.close();
  await fs.rm(dir, { recursive: true, force: true });
});

test('the page at / and at every client-side route, revalidated', async () => {
  for (const url of ['/', '/login', '/interview', '/interviews', '/interviews/0b6f1c1e-1111-4222-8333-944445555666', '/interview/x/report?tab=1']) {
    const answer = await app.fastify.inject({ method: 'GET', url });
    expect([url, answer.statusCode]).toEqual([url, 200]);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.body).toBe(INDEX);
    expect(answer.headers['cache-control']).toBe('no-cache');
  }
});

test('assets: entry points revalidated with an ETag, hashed chunks immutable, dotfiles hidden', async () => {
  const main = await app.fastify.inject({ method: 'GET', url: '/assets/main.js' });
  expect(main.statusCode).toBe(200);
  expect(main.headers['content-type']).toMatch(/javascript/);
  expect(main.headers['cache-control']).toBe('no-cache');
  expect(main.headers.etag).toBeDefined();
  const again = await app.fastify.inject({ method: 'GET', url: '/assets/main.js', headers: { 'if-none-match': String(main.headers.etag) } });
  expect(again.statusCode).toBe(304);
  const chunk = await app.fastify.inject({ method: 'GET', url: '/assets/chunks/vega-AB12CD34.js' });
  expect(chunk.statusCode).toBe(200);
  expect(chunk.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  const dotfile = await app.fastify.inject({ method: 'GET', url: '/.build-hash' });
  expect(dotfile.statusCode).toBe(404);
  expect(dotfile.body).not.toContain('secret-ish');
});

test('a missing file and the API paths are JSON 404s, never the page', async () => {
  for (const url of ['/assets/chunks/gone-ZZZZ9999.js', '/api/v1/nothing', '/ws/nothing', '/api/v1']) {
    const answer = await app.fastify.inject({ method: 'GET', url });
    expect([url, answer.statusCode]).toEqual([url, 404]);
    expect(answer.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  }
  expect((await app.fastify.inject({ method: 'POST', url: '/interviews' })).statusCode).toBe(404);
  expect(isAppRoute('GET', '/openapi.json')).toBe(false);
  expect(isAppRoute('GET', '/healthz')).toBe(false);
});

test('the CSP the app needs: its own scripts and styles, same-origin connections, blob: media, no framing', async () => {
  const csp = String((await app.fastify.inject({ method: 'GET', url: '/' })).headers['content-security-policy']);
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
  expect(directives.get('script-src')).toEqual(["'self'"]);
  expect(directives.get('style-src')).toEqual(["'self'"]);
  expect(directives.get('connect-src')).toEqual(["'self'"]);
  expect(directives.get('media-src')).toEqual(["'self'", 'blob:']);
  expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
  expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  expect(csp).not.toContain('unsafe');
});

test('no web app built: the API only, / is a JSON 404', async () => {
  const bare = await build(path.join(dir, 'not-there'));
  try {
    expect((await bare.fastify.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
    expect((await bare.fastify.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  } finally {
    await bare.close();
  }
});
