/**
 * Least privilege in PostgreSQL (issue 11, item 4): each service logs in as its own role, which
 * owns its schema and may touch nothing else; the migrations run with that role. The database is
 * provisioned as a deployment's is (provisionServiceRoles, through createTestDatabase).
 */
import { sql } from 'kysely';
import { Client } from 'pg';
import { SERVICES as REGISTERED } from '../../src/mesh/registry';
import { keepsTables } from '../../src/platform/service/descriptor';
import { migrate } from '../../src/mesh/infrastructure';
import { serviceVariable } from '../../src/platform/config/mesh-config';
import { DatabaseHandle, openDatabase } from '../../src/platform/db/database';
import { provisionServiceRoles } from '../../src/platform/db/provision';
import { silentLogger } from '../../src/platform/log/logger';
import { createTestDatabase, Disposable, serviceDatabaseEnv, withClient } from '../support/infrastructure';

/** The services that keep tables: each gets a role and a schema; the others (the gateway) neither. */
const SERVICES = REGISTERED.filter(keepsTables);
const TABLELESS = REGISTERED.filter((s) => !keepsTables(s));

jest.setTimeout(120_000);

/** PostgreSQL's insufficient_privilege. */
const INSUFFICIENT_PRIVILEGE = '42501';

/** The SQLSTATE `query` fails with on a connection of its own to `url`; 'ok' when it succeeds. */
async function sqlStateOf(url: string, query: string): Promise<string> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(query);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('a database role per service', () => {
  let database: Disposable<string>;
  let urls: Record<string, string>;
  let db: DatabaseHandle;
  const ownUrl = (service: string) => urls[serviceVariable(service, 'DATABASE_URL')];

  beforeAll(async () => {
    database = await createTestDatabase();
    urls = serviceDatabaseEnv(database.value);
    const serviceUrls = Object.fromEntries(SERVICES.map((s) => [s.name, ownUrl(s.name)]));
    db = await openDatabase({ url: database.value, serviceUrls, dataDir: 'unused', log: silentLogger(), maxConnections: 2 });
    await migrate(db, REGISTERED, silentLogger());
  });

  afterAll(async () => {
    await db.close();
    await database.dispose();
  });

  it('gives every service a URL of its own role', () => {
    for (const service of SERVICES) expect(new URL(ownUrl(service.name)).username).toMatch(new RegExp(`_${service.name}$`));
  });

  it("migrates each schema with the service's own role: it owns the schema and every table in it", async () => {
    const owners = await withClient(database.value, (c) =>
      c.query<{ schema: string; owner: string; tables: string[] }>(
        `select n.nspname as schema, pg_get_userbyid(n.nspowner) as owner,
                array(select distinct tableowner::text from pg_tables t where t.schemaname = n.nspname) as tables
           from pg_namespace n where n.nspname = any($1)`,
        [SERVICES.map((s) => s.name)],
      ),
    );
    expect(owners.rows).toHaveLength(SERVICES.length);
    // A service keeping no tables gets neither a role's URL nor a schema, even when migrated.
    expect(TABLELESS.map((s) => s.name)).toContain('gateway');
    for (const service of TABLELESS) expect(ownUrl(service.name)).toBeUndefined();
    const tableless = await withClient(database.value, (c) =>
      c.query('select nspname from pg_namespace where nspname = any($1)', [TABLELESS.map((s) => s.name)]),
    );
    expect(tableless.rows).toEqual([]);
    for (const { schema, owner, tables } of owners.rows) {
      const role = new URL(ownUrl(schema)).username;
      expect({ schema, owner, tables }).toEqual({ schema, owner: role, tables: [role] });
    }
  });

  it("refuses a service's role every other service's tables, reading and writing, and any new schema", async () => {
    const interview = ownUrl('interview');
    expect(await sqlStateOf(interview, 'select count(*) from interview.interview_sessions')).toBe('ok');
    expect(await sqlStateOf(interview, 'select count(*) from auth.users')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlStateOf(interview, 'select count(*) from scoring.kysely_migration')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(
      await sqlStateOf(interview, "insert into auth.users (id, email, password_hash, role) values (gen_random_uuid(), 'x@example.com', 'x', 'candidate')"),
    ).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlStateOf(interview, 'create schema intruder')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlStateOf(interview, 'create table public.intruder (id int)')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlStateOf(ownUrl('emotion'), 'select count(*) from interview.frames')).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it('needs no shared URL when every service has its own: each uses its role, and a schema with no URL is named', async () => {
    const own = await openDatabase({
      url: undefined,
      serviceUrls: { interview: ownUrl('interview') },
      dataDir: 'unused',
      log: silentLogger(),
      maxConnections: 1,
    });
    try {
      expect(own.kind).toBe('postgres');
      const { rows } = await sql<{ user: string }>`select current_user as user`.execute(own.forService('interview'));
      expect(rows[0].user).toBe(new URL(ownUrl('interview')).username);
      expect(() => own.forService('scoring')).toThrow('no PostgreSQL URL for schema scoring: set DATABASE_URL or SCORING_DATABASE_URL');
    } finally {
      await own.close();
    }
  });

  it('provisions again without harm: a new password takes effect, ownership stays', async () => {
    const role = new URL(ownUrl('notifier')).username;
    await provisionServiceRoles(database.value, [{ service: 'notifier', role, password: 'rotated-password-for-this-test' }], silentLogger());
    const rotated = new URL(ownUrl('notifier'));
    rotated.password = 'rotated-password-for-this-test';
    expect(await sqlStateOf(rotated.toString(), 'select count(*) from notifier.kysely_migration')).toBe('ok');
    expect(await sqlStateOf(ownUrl('notifier'), 'select 1')).toBe('28P01');
  });
});
