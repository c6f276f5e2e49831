import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The Content-Security-Policy of every answer: the web app's own scripts and styles only (no inline
 * code, no eval: the chart's Vega runs through vega-interpreter), requests and the WebSocket to
 * this origin only (CSP 3's 'self' covers same-origin wss:), images and media from this origin,
 * data: and blob: (the camera's snapshots, the chart), no plug-ins, no framing by anyone.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  fontSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

// esbuild's chunks carry their content's hash in their names (scripts/build-web.ts: chunks/[name]-[hash]).
const HASHED = /\/assets\/chunks\/[^/]+-[A-Z0-9]{8}\.(js|css|map)$/i;
// Paths the API owns: an unknown one there is a JSON 404, never the app's page.
const API_PREFIXES = ['/api/', '/ws/', '/openapi.json', '/healthz'];

/** Whether `url` is the API's (REST, WebSocket, OpenAPI, health), whose answers are never cached. */
export function isApiPath(url: string): boolean {
  const pathname = url.split('?')[0];
  return API_PREFIXES.some((prefix) => pathname === prefix.replace(/\/$/, '') || pathname.startsWith(prefix));
}

/** Whether a request for a path with no file should get the app's index.html (a client-side route). */
export function isAppRoute(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (isApiPath(url)) return false;
  const pathname = url.split('?')[0];
  // A missing file (an extension, or a dotfile) is a 404, not the page: a stale chunk must not be answered with HTML.
  const last = path.posix.basename(pathname);
  return path.posix.extname(last) === '' && !last.startsWith('.');
}

/**
 * Serves the built web app (`npm run build:web`, dist/web) from `dir`: its files, hashed chunks
 * cacheable for a year (immutable), index.html and the unhashed entry points revalidated on every
 * load (no-cache, with ETag and Last-Modified); dotfiles (the build's hash stamp) hidden. Resolves
 * to false, serving nothing, when `dir` holds no index.html (the app not built).
 */
export async function serveWebApp(fastify: FastifyInstance, dir: string): Promise<boolean> {
  if (!existsSync(path.join(dir, 'index.html'))) return false;
  await fastify.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: true,
    index: ['index.html'],
    dotfiles: 'ignore',
    etag: true,
    lastModified: true,
    cacheControl: false,
    setHeaders: (response, file) => {
      response.setHeader('cache-control', HASHED.test(file.split(path.sep).join('/')) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return true;
}

/** The app's page for a client-side route (the not-found handler's first resort). */
export function sendAppPage(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html');
}
