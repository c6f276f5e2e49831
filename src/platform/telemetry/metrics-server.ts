import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Logger } from '../log/logger';
import { MeshMetrics } from './metrics';

/** The metrics endpoint of a process: `GET /metrics` in Prometheus's text format. */
export interface MetricsServer {
  /** `host:port` it listens on. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `metrics` at `http://host:port/metrics` (Prometheus text format 0.0.4); every other path
 * is 404 and every other method 405. Port 0 picks a free one. Rejects when the port is taken.
 */
export async function startMetricsServer(metrics: MeshMetrics, host: string, port: number, log: Logger): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://metrics').pathname;
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    metrics.exposition().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        log.warn({ err: error }, 'metrics scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  // A scrape is small and quick: no reason to keep idle connections long.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const address = `${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`;
  log.info({ metrics: `http://${address}/metrics` }, 'serving metrics');
  return {
    address,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
