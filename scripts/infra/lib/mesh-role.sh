# Sourced by ensure-postgres.sh and fault-cluster.sh. ensure_mesh_role PORT: the tests' role `mesh`
# (password `mesh`, may create databases, logs in over TCP) on the cluster at PORT.
ensure_mesh_role() {
  su postgres -c "psql -q -p $1 -v ON_ERROR_STOP=1" >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mesh') THEN
    CREATE ROLE mesh LOGIN CREATEDB PASSWORD 'mesh';
  END IF;
END $$;
SQL
}
