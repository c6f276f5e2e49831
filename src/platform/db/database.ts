import fs from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { Logger } from '../log/logger';

/**
 * The process's database handle. Each service works in its own PostgreSQL schema (interview,
 * emotion, scoring, notifier) through `forService`, and reads no other service's tables.
 */
export interface DatabaseHandle {
  readonly kind: 'postgres' | 'pglite';
  /** The pg pool, for libraries that take one (rate-limiter-flexible); undefined on PGlite. */
  readonly pool: Pool | undefined;
  /** A Kysely scoped to `schema`, typed with that service's tables. */
  forService<Tables>(schema: string): Kysely<Tables>;
  /** True when a trivial query succeeds. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; undefined for embedded PGlite in `dataDir`. */
  url: string | undefined;
  /** Directory of the embedded database; `memory://` keeps it in memory. */
  dataDir: string;
  log: Logger;
  /** Pool size per process for PostgreSQL. */
  maxConnections?: number;
}

/**
 * Opens PostgreSQL (pg Pool) when a URL is given, else PGlite, PostgreSQL compiled to WebAssembly,
 * in this process. PGlite has one connection: kysely-pglite-dialect serialises access to it, which is
 * why the whole process shares one handle.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new Pool({ connectionString: options.url, max: options.maxConnections ?? 10 });
    pool.on('error', (error) => {
      options.log.warn({ err: error }, 'idle PostgreSQL client failed');
    });
    // A client checked out of the pool (mid-transaction) has no listener of the pool's: without one
    // of its own, the server ending its connection (a restart: 57P01) would crash the process. The
    // query in progress fails instead, and the pool drops the client.
    pool.on('connect', (client) => {
      client.on('error', (error) => {
        options.log.warn({ err: error }, 'PostgreSQL connection lost');
      });
    });
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    options.log.info({ host: new URL(options.url).host }, 'using PostgreSQL');
    return handle('postgres', db, pool);
  }
  if (!options.dataDir.startsWith('memory://')) fs.mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir);
  const db = new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
  options.log.info({ dataDir: options.dataDir }, 'using embedded PGlite');
  return handle('pglite', db, undefined);
}

function handle(kind: DatabaseHandle['kind'], db: Kysely<unknown>, pool: Pool | undefined): DatabaseHandle {
  return {
    kind,
    pool,
    forService: <Tables>(schema: string) => db.withSchema(schema) as unknown as Kysely<Tables>,
    async ping() {
      try {
        await db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}
