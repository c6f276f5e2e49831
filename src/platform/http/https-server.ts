import http, { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { experimental } from '@grpc/grpc-js';
import { Logger } from '../log/logger';

/** Longest request line, path and query, characters: a report link is under 600. */
export const MAX_URL_CHARS = 2_048;

/** An HTTP request handler: answers `response` (the server ends it with 500 if it throws). */
export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * Takes over a request to upgrade the connection (RFC 6455's WebSocket handshake): `socket` is the
 * raw connection, `head` the first bytes after the headers. Without one, upgrades are refused.
 */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** A service's HTTPS listener (ServiceContext.serveHttps). */
export interface HttpsListener {
  /** Where people reach it: `https://<advertised host>:<port>` (`http://` with the development switch). */
  readonly url: string;
  readonly port: number;
  /** Stops taking connections; answers in progress finish, idle connections close. */
  close(): Promise<void>;
}

export interface HttpsServerOptions {
  readonly host: string;
  /** The host in `url`. */
  readonly advertiseHost: string;
  /** 0 picks a free one. */
  readonly port: number;
  /**
   * The service's certificate and key, the ones its gRPC port presents, renewed without a restart;
   * undefined: plain HTTP (MESH_INSECURE_PLAINTEXT, development only).
   */
  readonly identity: experimental.CertificateProvider | undefined;
  readonly handler: HttpHandler;
  /** Upgrades (WebSocket), bounded like requests: URLs of MAX_URL_CHARS, 16 KiB of headers. */
  readonly upgrade?: UpgradeHandler;
  readonly log: Logger;
}

/**
 * An HTTPS server (TLS 1.2 at least, no client certificate: its callers are people with a link),
 * bounded: headers in 10 s, a whole request in 30 s, URLs of MAX_URL_CHARS (414 past it), 16 KiB of
 * headers, no request body read. Rejects when the port is taken.
 */
export async function startHttpsServer(options: HttpsServerOptions): Promise<HttpsListener> {
  const { identity, log } = options;
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    if ((request.url ?? '').length > MAX_URL_CHARS) {
      response.writeHead(414, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(`URL longer than ${MAX_URL_CHARS} characters\n`);
      return;
    }
    options.handler(request, response).catch((error: unknown) => {
      log.error({ err: error, path: request.url?.split('?')[0] }, 'HTTP handler failed');
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('internal error\n');
    });
  };
  const serverOptions = { maxHeaderSize: 16 * 1024, requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 };
  let server: http.Server;
  let unsubscribe: (() => void) | undefined;
  if (identity) {
    const first = await firstIdentity(identity);
    const tls = https.createServer({ ...serverOptions, cert: first.certificate, key: first.privateKey, minVersion: 'TLSv1.2' }, listener);
    // A renewed certificate serves new connections, as on the gRPC ports.
    const renewed: experimental.IdentityCertificateUpdateListener = (update) => {
      if (update) tls.setSecureContext({ cert: update.certificate, key: update.privateKey, minVersion: 'TLSv1.2' });
    };
    identity.addIdentityCertificateListener(renewed);
    unsubscribe = () => {
      identity.removeIdentityCertificateListener(renewed);
    };
    server = tls;
  } else {
    server = http.createServer(serverOptions, listener);
  }
  const upgrade = options.upgrade;
  if (upgrade) {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if ((request.url ?? '').length > MAX_URL_CHARS) {
        socket.end('HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      upgrade(request, socket, head);
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    unsubscribe?.();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.advertiseHost.includes(':') ? `[${options.advertiseHost}]` : options.advertiseHost;
  const url = `${identity ? 'https' : 'http'}://${host}:${port}`;
  log.info({ url }, identity ? 'serving HTTPS' : 'serving plaintext HTTP (MESH_INSECURE_PLAINTEXT)');
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe?.();
        server.close(() => {
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** The provider's current certificate and key (it hands them to a new listener at once). */
function firstIdentity(identity: experimental.CertificateProvider): Promise<{ certificate: Buffer; privateKey: Buffer }> {
  return new Promise((resolve, reject) => {
    const once: experimental.IdentityCertificateUpdateListener = (update) => {
      identity.removeIdentityCertificateListener(once);
      if (update) resolve(update);
      else reject(new Error('no certificate for the HTTPS listener'));
    };
    identity.addIdentityCertificateListener(once);
  });
}
