import { Client } from 'pg';
import { Logger } from '../log/logger';
import { pgConnectionString } from './database';

/** One service's database role: it logs in as `role` with `password` and owns the schema `service`. */
export interface ServiceRole {
  readonly service: string;
  readonly role: string;
  readonly password: string;
}

/** The default role name of a service: `mesh_<service>`. */
export function defaultServiceRole(service: string): string {
  return `mesh_${service.replace(/[^a-z0-9_]/g, '_')}`;
}

/** duplicate_object: CREATE ROLE of a role that exists. */
const DUPLICATE_OBJECT = '42710';

/**
 * Least privilege in PostgreSQL (issue 11): with an administrator's connection to the mesh's
 * database (`adminUrl`), makes each service a login role that owns its own schema and nothing
 * else. The role is created with its password (its password set again when it exists, so this
 * also rotates passwords); the schema is created owned by it, or handed to it with every table
 * and sequence in it when it exists (a database provisioned before roles were per service). No one
 * keeps CREATE on the database or the `public` schema, and CONNECT is granted to the roles alone;
 * a role has no right on another service's schema (PostgreSQL grants none by default), so a
 * service that tries gets `permission denied`.
 * Idempotent; throws what PostgreSQL says when the administrator may not do this.
 */
export async function provisionServiceRoles(adminUrl: string, roles: readonly ServiceRole[], log: Logger): Promise<void> {
  const client = new Client({ connectionString: pgConnectionString(adminUrl) });
  await client.connect();
  try {
    const id = (name: string) => client.escapeIdentifier(name);
    const { rows } = await client.query<{ db: string }>('select current_database() as db');
    const database = id(rows[0].db);
    await client.query(`revoke all on database ${database} from public`);
    await client.query('revoke all on schema public from public');
    for (const { service, role, password } of roles) {
      const passwordLiteral = client.escapeLiteral(password);
      try {
        await client.query(`create role ${id(role)} login password ${passwordLiteral}`);
      } catch (error) {
        if ((error as { code?: string }).code !== DUPLICATE_OBJECT) throw error;
        await client.query(`alter role ${id(role)} login password ${passwordLiteral}`);
      }
      // Giving it a schema needs membership in it, unless the administrator is a superuser (PostgreSQL 15).
      await client.query(`grant ${id(role)} to current_user`);
      await client.query(`grant connect on database ${database} to ${id(role)}`);
      const exists = await client.query('select 1 from pg_namespace where nspname = $1', [service]);
      if (exists.rowCount === 0) {
        await client.query(`create schema ${id(service)} authorization ${id(role)}`);
      } else {
        await handOver(client, service, role);
      }
      log.info({ service, role }, 'database role owns its schema');
    }
  } finally {
    await client.end();
  }
}

/** Makes `role` the owner of schema `schema` and of every table and sequence in it. */
async function handOver(client: Client, schema: string, role: string): Promise<void> {
  const id = (name: string) => client.escapeIdentifier(name);
  await client.query(`alter schema ${id(schema)} owner to ${id(role)}`);
  const { rows } = await client.query<{ name: string; kind: string }>(
    `select c.relname as name, c.relkind as kind from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p', 'S', 'v', 'm')`,
    [schema],
  );
  for (const { name, kind } of rows) {
    const what = kind === 'S' ? 'sequence' : kind === 'v' ? 'view' : kind === 'm' ? 'materialized view' : 'table';
    await client.query(`alter ${what} ${id(schema)}.${id(name)} owner to ${id(role)}`);
  }
}
