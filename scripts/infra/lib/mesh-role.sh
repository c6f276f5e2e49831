# Sourced by ensure-postgres.sh and fault-cluster.sh. ensure_mesh_role PORT: the tests' role `mesh`
# (password `mesh`, logs in over TCP) on the cluster at PORT. It may create databases, and roles:
# each test database gets a role per service owning only its schema, as a deployment does
# (src/platform/db/provision.ts). It is granted pg_signal_backend so that dropping a test database
# `with (force)` may end every backend still on it: it is a member of the services' roles
# (provisionServiceRoles), but not of a backend whose role is not set yet, and after the TLS tests'
# refused handshakes a drop failed now and then with "must be a member of the role whose process
# is being terminated or member of pg_signal_backend" (PostgreSQL's log, database-tls.test.ts).
ensure_mesh_role() {
  su postgres -c "psql -q -p $1 -v ON_ERROR_STOP=1" >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mesh') THEN
    CREATE ROLE mesh LOGIN CREATEDB CREATEROLE PASSWORD 'mesh';
  ELSE
    ALTER ROLE mesh CREATEDB CREATEROLE;
  END IF;
END $$;
GRANT pg_signal_backend TO mesh;
SQL
}
