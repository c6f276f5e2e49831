import fs from 'node:fs';
import { TLSSocket } from 'node:tls';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool, PoolClient } from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { Logger } from '../log/logger';

/**
 * The process's database handle. Each service works in its own PostgreSQL schema (interview,
 * emotion, scoring, notifier, auth) through `forService`, and reads no other service's tables; on
 * PostgreSQL, a service with a connection of its own (`serviceUrls`: its role, which owns its
 * schema and nothing else; see provision.ts) uses it, migrations included.
 */
export interface DatabaseHandle {
  readonly kind: 'postgres' | 'pglite';
  /** A Kysely scoped to `schema`, typed with that service's tables, on that service's connections. */
  forService<Tables>(schema: string): Kysely<Tables>;
  /** The pg pool of `schema`'s service, for libraries that take one (rate-limiter-flexible); undefined on PGlite. */
  poolOf(schema: string): Pool | undefined;
  /** True when a trivial query succeeds on every pool. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; undefined for embedded PGlite in `dataDir`. */
  url: string | undefined;
  /**
   * Each service's own postgres:// URL (its role), by schema name (`<SERVICE>_DATABASE_URL`); a
   * service without one uses `url`.
   */
  serviceUrls?: Readonly<Record<string, string>>;
  /** Directory of the embedded database; `memory://` keeps it in memory. */
  dataDir: string;
  log: Logger;
  /** Pool size per process for PostgreSQL, per pool. */
  maxConnections?: number;
}

/**
 * Opens PostgreSQL (a pg Pool for `url`, and one per service URL) when a URL is given (`url` or a
 * service's own), else PGlite,
 * PostgreSQL compiled to WebAssembly, in this process. PGlite has one connection:
 * kysely-pglite-dialect serialises access to it, which is why the whole process shares one handle
 * (and one role: the embedded default has no roles per service).
 */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const serviceUrls = Object.entries(options.serviceUrls ?? {});
  if (options.url || serviceUrls.length > 0) {
    // A deployment that gives every service its own role needs no shared URL at all.
    const shared = options.url ? openPool(options.url, options, 'shared') : undefined;
    const own = new Map(serviceUrls.map(([schema, url]) => [schema, openPool(url, options, schema)]));
    options.log.info({ host: new URL(options.url ?? serviceUrls[0][1]).host, servicesWithOwnRole: [...own.keys()] }, 'using PostgreSQL');
    const poolOf = (schema: string) => {
      const pool = own.get(schema) ?? shared;
      if (!pool) throw new Error(`no PostgreSQL URL for schema ${schema}: set DATABASE_URL or ${schema.toUpperCase()}_DATABASE_URL`);
      return pool;
    };
    const all = [...(shared ? [shared] : []), ...own.values()];
    return {
      kind: 'postgres',
      forService: <Tables>(schema: string) => poolOf(schema).db.withSchema(schema) as unknown as Kysely<Tables>,
      poolOf: (schema) => poolOf(schema).pool,
      ping: async () => (await Promise.all(all.map((p) => ping(p.db)))).every(Boolean),
      close: async () => {
        await Promise.all(all.map((p) => p.db.destroy()));
      },
    };
  }
  if (!options.dataDir.startsWith('memory://')) fs.mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir);
  const db = new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
  options.log.info({ dataDir: options.dataDir }, 'using embedded PGlite');
  return {
    kind: 'pglite',
    forService: <Tables>(schema: string) => db.withSchema(schema) as unknown as Kysely<Tables>,
    poolOf: () => undefined,
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}

/**
 * A pg Pool on `url` and its Kysely. TLS is the URL's: pg (8.x) verifies the server's certificate
 * chain and host name for sslmode=verify-full (and for prefer, require and verify-ca, which it
 * treats alike, with a warning, unless uselibpqcompat=true; it never falls back to plaintext),
 * against `sslrootcert` or else Node's trust store; sslmode=disable or none: plaintext.
 */
function openPool(url: string, options: DatabaseOptions, name: string): { pool: Pool; db: Kysely<unknown> } {
  const pool = new Pool({ connectionString: pgConnectionString(url), max: options.maxConnections ?? 10 });
  pool.on('error', (error) => {
    options.log.warn({ err: error }, 'idle PostgreSQL client failed');
  });
  let reported = false;
  // A client checked out of the pool (mid-transaction) has no listener of the pool's: without one
  // of its own, the server ending its connection (a restart: 57P01) would crash the process. The
  // query in progress fails instead, and the pool drops the client. The pool's first connection is
  // logged, with its TLS (or tls: false).
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      options.log.warn({ err: error }, 'PostgreSQL connection lost');
    });
    if (!reported) {
      reported = true;
      options.log.info({ pool: name, host: new URL(url).host, tls: tlsOf(client) }, 'connected to PostgreSQL');
    }
  });
  return { pool, db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }) };
}

/**
 * A connection's TLS: its protocol, and whether the server's certificate passed the checks its
 * sslmode asks for (chain and host name for verify-full; false for no-verify); false for plaintext.
 */
function tlsOf(client: PoolClient): { protocol: string | null; verified: boolean } | false {
  const stream = client.connection.stream;
  return stream instanceof TLSSocket ? { protocol: stream.getProtocol(), verified: stream.authorized } : false;
}

/**
 * `url` as pg's connectionString. libpq's `sslrootcert=system` (PostgreSQL 16: the system's CAs,
 * sslmode verify-full), which pg would read as a file named `system`, goes, and pg verifies against
 * Node's trust store (its bundled roots and NODE_EXTRA_CA_CERTS; the system's with
 * --use-openssl-ca). As in libpq, a weaker sslmode is refused, and none means verify-full.
 */
export function pgConnectionString(url: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.get('sslrootcert') !== 'system') return url;
  const mode = parsed.searchParams.get('sslmode') ?? 'verify-full';
  if (mode !== 'verify-full') throw new Error(`sslrootcert=system needs sslmode=verify-full, not ${mode}`);
  parsed.searchParams.delete('sslrootcert');
  parsed.searchParams.set('sslmode', mode);
  return parsed.toString();
}

async function ping(db: Kysely<unknown>): Promise<boolean> {
  try {
    await db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
    return true;
  } catch {
    return false;
  }
}
