import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import WebSocket from 'ws';
import { tlsFiles } from '../../src/platform/tls/certificate-files';
import { TEST_TLS_DIR } from './tls';

/** A port free now (for the gateway's HTTPS port, which the mesh does not report). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** TLS options trusting the tests' CA, naming `localhost` (the workload certificates' DNS name). */
export function testTls() {
  return { ca: fs.readFileSync(tlsFiles(TEST_TLS_DIR).caCertificate), servername: 'localhost' };
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
  readonly raw: Buffer;
}

/** One HTTPS request to the gateway on 127.0.0.1:`port`; a JSON body is sent and read as JSON. */
export function request(
  port: number,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<HttpAnswer> {
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ...testTls(),
        headers: {
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          let body: unknown = undefined;
          if ((res.headers['content-type'] ?? '').includes('json') && raw.length > 0) body = JSON.parse(raw.toString());
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, raw });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A WebSocket to the gateway with the messages it received and how it closed. */
export interface TestSocket {
  readonly socket: WebSocket;
  readonly messages: { type: string; data: Record<string, unknown> }[];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first message (from now on, or already received past `from`) that `match` accepts. */
  next(
    match: (m: { type: string; data: Record<string, unknown> }) => boolean,
    from?: number,
    timeoutMs?: number,
  ): Promise<{ type: string; data: Record<string, unknown> }>;
  send(message: unknown): void;
}

export function openSocket(port: number, path: string): Promise<TestSocket> {
  const socket = new WebSocket(`wss://127.0.0.1:${port}${path}`, { ...testTls() });
  const messages: TestSocket['messages'] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse((data as Buffer).toString('utf8')) as TestSocket['messages'][number]);
    waiters.splice(0).forEach((w) => {
      w();
    });
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
    }),
  );
  const next: TestSocket['next'] = (match, from = 0, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(() => {
        reject(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 500)}`));
      }, timeoutMs);
      const check = () => {
        const found = messages.slice(from).find(match);
        if (found) {
          clearTimeout(deadline);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      resolve({
        socket,
        messages,
        closed,
        next,
        send: (m) => {
          socket.send(JSON.stringify(m));
        },
      });
    });
    socket.once('error', reject);
  });
}
