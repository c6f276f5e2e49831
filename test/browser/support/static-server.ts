import { createReadStream, statSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** A request handler given first refusal: it answers and returns true, or returns false for the files to be served. */
export type Handler = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

export interface StaticServer {
  readonly server: Server;
  /** http://127.0.0.1:<port>, a secure context for getUserMedia as localhost is. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A test's HTTP server on 127.0.0.1 and a free port: `handler` first (a test double of an API),
 * then the files under `root`; a path with no file and no extension gets `fallback` (index.html:
 * a single-page app's routes). Test-only: no caching, no ranges, GET and HEAD only.
 */
export async function serveStatic(root: string, { handler, fallback = 'index.html' }: { handler?: Handler; fallback?: string } = {}): Promise<StaticServer> {
  const base = path.resolve(root);
  const server = createServer((request, response) => {
    void (async () => {
      if (handler && (await handler(request, response))) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405).end();
        return;
      }
      const url = new URL(request.url ?? '/', 'http://test');
      let file = path.join(base, decodeURIComponent(url.pathname));
      if (!file.startsWith(base)) {
        response.writeHead(403).end();
        return;
      }
      const stat = statSync(file, { throwIfNoEntry: false });
      if (stat?.isDirectory()) file = path.join(file, 'index.html');
      else if (!stat && path.extname(file) === '') file = path.join(base, fallback);
      if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
