/**
 * TLS to PostgreSQL (issue 11, item 4): the mesh's pools on URLs with `sslmode=verify-full` and
 * `sslrootcert` verify the server's certificate chain and host name. The tests' server has a
 * certificate of the tests' CA naming `localhost` only (test/support/postgres-tls.ts, set up by
 * the global set-up), and still takes plaintext, which the other tests use.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { migrate } from '../../src/mesh/infrastructure';
import { SERVICES as REGISTERED } from '../../src/mesh/registry';
import { keepsTables } from '../../src/platform/service/descriptor';
import { serviceVariable } from '../../src/platform/config/mesh-config';
import { DatabaseHandle, openDatabase } from '../../src/platform/db/database';
import { Logger, silentLogger } from '../../src/platform/log/logger';
import { createCertificateAuthority } from '../../src/platform/tls/certificate-authority';
import { tlsFiles } from '../../src/platform/tls/certificate-files';
import { createTestDatabase, Disposable, serviceDatabaseEnv } from '../support/infrastructure';
import { POSTGRES_TLS_HOST } from '../support/postgres-tls';
import { TEST_TLS_DIR } from '../support/tls';

/** The services that keep tables, each on its own role (the gateway keeps none and connects to no database). */
const SERVICES = REGISTERED.filter(keepsTables);

jest.setTimeout(120_000);

/**
 * The global set-up gives the local server the tests' certificate and says so (TEST_DATABASE_TLS_HOST);
 * a server of one's own (TEST_DATABASE_ADMIN_URL) needs the same, or this fails rather than pass untried.
 */
function requireServerTls(): void {
  if (!process.env.TEST_DATABASE_TLS_HOST) {
    throw new Error("TEST_DATABASE_TLS_HOST is unset: the PostgreSQL server was not given a certificate of the tests' CA (test/support/postgres-tls.ts)");
  }
}

const TEST_CA = tlsFiles(TEST_TLS_DIR).caCertificate;

/** `url` on `host`, with `params` added to its query. */
function withTls(url: string, params: Record<string, string>, host = POSTGRES_TLS_HOST): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  for (const [name, value] of Object.entries(params)) parsed.searchParams.set(name, value);
  return parsed.toString();
}

/** A logger whose lines are collected, parsed. */
function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

/** SELECT ssl of this very connection, on `schema`'s pool. */
async function sslOfConnection(db: DatabaseHandle, schema: string): Promise<boolean> {
  const { rows } = await sql<{ ssl: boolean }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(db.forService(schema));
  return rows[0].ssl;
}

describe('TLS to PostgreSQL', () => {
  beforeAll(requireServerTls);
  let database: Disposable<string>;
  let tmp: string;
  const opened: DatabaseHandle[] = [];

  /** The mesh's handle with each service on its own role, each URL made by `url` from the plain one. */
  async function open(url: (plain: string) => string, log: Logger = silentLogger()): Promise<DatabaseHandle> {
    const env = serviceDatabaseEnv(database.value);
    const serviceUrls = Object.fromEntries(SERVICES.map((s) => [s.name, url(env[serviceVariable(s.name, 'DATABASE_URL')])]));
    const db = await openDatabase({ url: undefined, serviceUrls, dataDir: 'unused', log, maxConnections: 2 });
    opened.push(db);
    return db;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'database-tls-'));
  });

  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await database.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('migrates and queries on verified TLS (sslmode=verify-full, sslrootcert: the CA), and says so in the log', async () => {
    const { log, lines } = capturingLogger();
    const db = await open((plain) => withTls(plain, { sslmode: 'verify-full', sslrootcert: TEST_CA }), log);
    await migrate(db, SERVICES, silentLogger());
    for (const service of SERVICES) expect(await sslOfConnection(db, service.name)).toBe(true);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from interview.interview_sessions`.execute(db.forService('interview'));
    expect(rows).toEqual([{ n: 0 }]);
    const connected = lines.filter((line) => line.msg === 'connected to PostgreSQL');
    expect(connected.map((line) => line.pool).sort()).toEqual(SERVICES.map((s) => s.name).sort());
    for (const line of connected) expect(line.tls).toEqual({ protocol: expect.stringMatching(/^TLSv1\.[23]$/) as unknown, verified: true });
    expect(JSON.stringify(lines)).not.toContain(new URL(serviceDatabaseEnv(database.value)[serviceVariable('interview', 'DATABASE_URL')]).password);
  });

  it('still takes plaintext without sslmode, and logs tls: false', async () => {
    const { log, lines } = capturingLogger();
    const db = await open((plain) => plain, log);
    expect(await sslOfConnection(db, 'interview')).toBe(false);
    expect(lines.find((line) => line.msg === 'connected to PostgreSQL')).toMatchObject({ pool: 'interview', tls: false });
  });

  it("refuses the server when the root certificate is another authority's", async () => {
    const other = path.join(tmp, 'other-ca.crt');
    fs.writeFileSync(other, (await createCertificateAuthority('another CA')).certificate);
    const db = await open((plain) => withTls(plain, { sslmode: 'verify-full', sslrootcert: other }));
    await expect(sslOfConnection(db, 'interview')).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(await db.ping()).toBe(false);
  });

  it('refuses the server at a host name its certificate does not carry (127.0.0.1: it names localhost)', async () => {
    const db = await open((plain) => withTls(plain, { sslmode: 'verify-full', sslrootcert: TEST_CA }, '127.0.0.1'));
    await expect(sslOfConnection(db, 'interview')).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      message: expect.stringContaining("IP: 127.0.0.1 is not in the cert's list") as unknown,
    });
  });

  it("verifies against Node's trust store with sslrootcert=system (libpq's spelling), which does not hold the tests' CA", async () => {
    const db = await open((plain) => withTls(plain, { sslrootcert: 'system' }));
    await expect(sslOfConnection(db, 'interview')).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    await expect(open((plain) => withTls(plain, { sslmode: 'require', sslrootcert: 'system' }))).rejects.toThrow(
      'sslrootcert=system needs sslmode=verify-full, not require',
    );
  });

  it("treats sslmode=require as verify-full (pg 8; libpq's would not check the name), with a warning", async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const db = await open((plain) => withTls(plain, { sslmode: 'require', sslrootcert: TEST_CA }, '127.0.0.1'));
      await expect(sslOfConnection(db, 'interview')).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      expect(emitWarning).toHaveBeenCalledWith(expect.stringContaining("SECURITY WARNING: The SSL modes 'prefer', 'require', and 'verify-ca'"));
    } finally {
      emitWarning.mockRestore();
    }
  });
});
