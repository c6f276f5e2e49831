/**
 * Report links: a link works for its document alone and until it expires; forged, altered or
 * borrowed tokens are refused (ReportLinks). The HTTPS route answers the document, or 403/410/404/405
 * (reportRoute on the platform's HTTPS server with the tests' certificates), and its key file is
 * made once and kept.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { SignJWT } from 'jose';
import { ConfigError } from '../../../src/platform/config/env';
import { ServiceError } from '../../../src/platform/grpc/errors';
import { HttpsListener, startHttpsServer } from '../../../src/platform/http/https-server';
import { createRateLimit } from '../../../src/platform/limits/rate-limit';
import { silentLogger } from '../../../src/platform/log/logger';
import { TransportSecurity } from '../../../src/platform/tls/transport-security';
import { InvalidLinkError, LinkGrant, loadLinkKey, ReportLinks } from '../../../src/services/interview/report-links';
import { reportRoute } from '../../../src/services/interview/report-route';
import { tlsFiles } from '../../../src/platform/tls/certificate-files';
import { TEST_TLS_DIR, testTransport } from '../../support/tls';

const KEY = randomBytes(32);
const A = '5b7f3c8e-2d4a-4e6b-9c1d-0a2b3c4d5e6f';
const B = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const T0 = new Date('2025-03-14T10:00:00Z');

let now = T0;
const links = new ReportLinks(
  KEY,
  900,
  () => 'https://reports.test',
  () => now,
);
const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;

async function refusal(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof InvalidLinkError)) throw new Error(`not refused: ${String(error)}`);
  return `${error.expired ? 'expired' : 'invalid'}: ${error.message}`;
}

describe('ReportLinks', () => {
  beforeEach(() => {
    now = T0;
  });

  it('issues a link to one document that verifies until it expires, 15 minutes later', async () => {
    const link = await links.issue({ interviewId: A, format: 'pdf', includeEmotions: true });
    expect(link.url).toMatch(new RegExp(`^https://reports\\.test/v1/reports/${A}\\.pdf\\?token=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    expect(link.expiresAt).toEqual(new Date(T0.getTime() + 900_000));
    expect(await links.verify(A, 'pdf', tokenOf(link.url))).toEqual({ interviewId: A, format: 'pdf', includeEmotions: true });
    now = new Date(T0.getTime() + 899_000);
    await expect(links.verify(A, 'pdf', tokenOf(link.url))).resolves.toBeDefined();
    now = new Date(T0.getTime() + 900_000);
    expect(await refusal(links.verify(A, 'pdf', tokenOf(link.url)))).toBe('expired: the link has expired: ask for the report again for a new one');
  });

  it('refuses the token for another interview, another format, altered, forged or of another kind', async () => {
    const token = tokenOf((await links.issue({ interviewId: A, format: 'json', includeEmotions: false })).url);
    const invalid = 'invalid: the link is not valid for this report';
    expect(await refusal(links.verify(B, 'json', token))).toBe(invalid);
    expect(await refusal(links.verify(A, 'pdf', token))).toBe(invalid);
    // The payload altered to say B, the signature kept.
    const [header, payload, signature] = token.split('.');
    const altered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: B })).toString('base64url');
    expect(await refusal(links.verify(B, 'json', `${header}.${altered}.${signature}`))).toBe(invalid);
    // alg none.
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'report-link+jwt' })).toString('base64url')}.${payload}.`;
    expect(await refusal(links.verify(A, 'json', none))).toBe(invalid);
    // Signed with another key; and with this key but as an access token (typ at+jwt).
    const claims = { fmt: 'json', emo: false };
    const sign = (key: Uint8Array, typ: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ })
        .setIssuer('interview-mesh/interview')
        .setAudience('interview-mesh/report-link')
        .setSubject(A)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(key);
    expect(await refusal(links.verify(A, 'json', await sign(randomBytes(32), 'report-link+jwt')))).toBe(invalid);
    expect(await refusal(links.verify(A, 'json', await sign(KEY, 'at+jwt')))).toBe(invalid);
    expect(await refusal(links.verify(A, 'json', ''))).toBe('invalid: the link has no valid token');
    expect(await refusal(links.verify(A, 'json', 'x'.repeat(2_000)))).toBe('invalid: the link has no valid token');
  });

  it('needs a key of 32 bytes', () => {
    expect(() => new ReportLinks(randomBytes(16), 900, () => '')).toThrow(ConfigError);
  });
});

describe('loadLinkKey', () => {
  it('creates the key file once (mode 0600) and reads it back; refuses a short key', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'link-key-'));
    try {
      const file = path.join(dir, 'keys', 'report-link.key');
      const [first, second] = await Promise.all([loadLinkKey(file), loadLinkKey(file)]);
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
      expect(first.length).toBe(32);
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
      expect(await fs.readdir(path.dirname(file))).toEqual(['report-link.key']);
      await fs.writeFile(file, 'c2hvcnQ\n');
      await expect(loadLinkKey(file)).rejects.toThrow(ConfigError);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('only reads a key file that exists: a Secret mounted read-only, where nothing can be written', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'link-key-'));
    // Every write refused, as on a read-only mount (these tests run as root, whom file modes do not stop).
    const readOnly = (call: string) => () => Promise.reject(Object.assign(new Error(`${call}: read-only file system`), { code: 'EROFS' }));
    const writes = [
      jest.spyOn(fs, 'mkdir').mockImplementation(readOnly('mkdir')),
      jest.spyOn(fs, 'writeFile').mockImplementation(readOnly('writeFile')),
      jest.spyOn(fs, 'link').mockImplementation(readOnly('link')),
    ];
    try {
      const key = randomBytes(32);
      const file = path.join(dir, 'report-link.key');
      // As a Kubernetes Secret holds it (openssl rand -base64 32 | tr '+/' '-_': padded).
      await fs.appendFile(file, `${key.toString('base64').replace(/\+/g, '-').replace(/\//g, '_')}\n`);
      expect(Buffer.from(await loadLinkKey(file)).equals(key)).toBe(true);
      for (const write of writes) expect(write).not.toHaveBeenCalled();
      // No file: one is to be made, and the mount refuses it.
      await expect(loadLinkKey(path.join(dir, 'missing.key'))).rejects.toMatchObject({ code: 'EROFS' });
    } finally {
      for (const write of writes) write.mockRestore();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the report route over HTTPS', () => {
  let transport: TransportSecurity;
  let listener: HttpsListener;
  const served: LinkGrant[] = [];

  beforeAll(async () => {
    transport = await testTransport();
    listener = await startHttpsServer({
      host: '127.0.0.1',
      advertiseHost: '127.0.0.1',
      port: 0,
      identity: transport.identity('interview'),
      handler: reportRoute({
        links,
        document: (grant) => {
          served.push(grant);
          if (grant.interviewId === B) return Promise.reject(new ServiceError(status.UNAVAILABLE, 'scoring is unavailable'));
          return Promise.resolve(Buffer.from(grant.format === 'pdf' ? '%PDF-1.3 the report' : '{"sessionId":"a"}'));
        },
        perAddress: createRateLimit({ name: 'requests_per_address_per_minute', max: 1000, windowSeconds: 60, unit: 'requests' }, { kind: 'memory' }),
        log: silentLogger(),
      }),
      log: silentLogger(),
    });
  });

  afterAll(async () => {
    await listener.close();
    transport.close();
  });

  /** GET `pathAndQuery` over TLS trusting the tests' CA, as a browser that was handed the link. */
  async function get(pathAndQuery: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    const ca = await fs.readFile(tlsFiles(TEST_TLS_DIR).caCertificate);
    return new Promise((resolve, reject) => {
      const request = https.request(`${listener.url.replace('127.0.0.1', 'localhost')}${pathAndQuery}`, { method, ca }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() });
        });
      });
      request.on('error', reject);
      request.end();
    });
  }

  const linkPath = async (grant: LinkGrant) => {
    now = new Date();
    const url = new URL((await links.issue(grant)).url);
    return `${url.pathname}${url.search}`;
  };

  it('serves the linked document over TLS, as an attachment nobody caches', async () => {
    const response = await get(await linkPath({ interviewId: A, format: 'pdf', includeEmotions: true }));
    expect(response.status).toBe(200);
    expect(response.body).toBe('%PDF-1.3 the report');
    expect(response.headers).toMatchObject({
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="interview-${A}.pdf"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    });
    expect(served.at(-1)).toEqual({ interviewId: A, format: 'pdf', includeEmotions: true });
  });

  it('refuses a link used for another interview or format (403), an expired one (410), other paths (404) and methods (405)', async () => {
    const pdf = await linkPath({ interviewId: A, format: 'pdf', includeEmotions: false });
    const count = served.length;
    expect((await get(pdf.replace(A, B))).status).toBe(403);
    expect((await get(pdf.replace('.pdf?', '.json?'))).status).toBe(403);
    expect((await get(pdf.replace(/token=.*/, 'token='))).status).toBe(403);
    now = new Date(Date.now() - 3_600_000);
    const old = new URL((await links.issue({ interviewId: A, format: 'pdf', includeEmotions: false })).url);
    now = new Date();
    expect(await get(`${old.pathname}${old.search}`)).toMatchObject({ status: 410, body: 'the link has expired: ask for the report again for a new one\n' });
    expect((await get(`/v1/reports/${A}.docx`)).status).toBe(404);
    expect((await get('/metrics')).status).toBe(404);
    expect((await get(pdf, 'POST')).status).toBe(405);
    expect((await get(`/v1/reports/${A}.pdf?token=${'a'.repeat(3_000)}`)).status).toBe(414);
    expect(served).toHaveLength(count);
  });

  it('answers 503 when the document cannot be had now', async () => {
    expect(await get(await linkPath({ interviewId: B, format: 'json', includeEmotions: false }))).toMatchObject({
      status: 503,
      body: 'scoring is unavailable\n',
    });
  });
});
