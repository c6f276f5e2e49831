#!/usr/bin/env bash
# Makes a PostgreSQL server reachable for the tests on 127.0.0.1, installing it from Debian's
# packages when missing and starting it when stopped, and says what it did. Prints, as its last line,
# an admin URL (role `mesh`, may create databases) for the tests to create their databases with.
#
#   ensure-postgres.sh [--tls SERVER_PEM CA_CERT]
#
# With --tls (test/support/postgres-tls.ts issues both with the tests' CA), the server also offers
# TLS with the key and certificate in SERVER_PEM, which a client verifying against CA_CERT accepts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/mesh-role.sh"
say() { echo "[postgres] $*" >&2; }

tls_pem="" tls_ca=""
if [ $# -gt 0 ]; then
  [ $# -eq 3 ] && [ "$1" = --tls ] || { echo "usage: $0 [--tls SERVER_PEM CA_CERT]" >&2; exit 64; }
  tls_pem=$2 tls_ca=$3
fi

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  say "PostgreSQL is not installed: installing it from Debian's packages (apt-get install postgresql)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

# The cluster "main" if there is one, else the first other than the fault suite's own "faults"
# (Debian's postgresql-common layout; scripts/infra/fault-cluster.sh restarts that one).
pick_cluster() { pg_lsclusters --no-header | awk '$2 != "faults"' | sort -k2,2 -s | awk '$2 == "main" { print; found = 1; exit } NR == 1 { first = $0 } END { if (!found && first) print first }' | head -n 1; }
read -r version cluster port status _ < <(pick_cluster)
if [ -z "${version:-}" ]; then
  say "no PostgreSQL cluster exists: creating one"
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  pg_createcluster "$version" main >&2
  read -r version cluster port status _ < <(pick_cluster)
fi
if [ "$status" != "online" ]; then
  say "starting PostgreSQL $version/$cluster on port $port"
  pg_ctlcluster "$version" "$cluster" start >&2
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || { say "PostgreSQL did not come up on port $port"; exit 1; }

# The tests' role: logs in with a password over TCP, creates a database per test file.
ensure_mesh_role "$port"

# TLS with the tests' certificate: the server's key and certificate in one file of the cluster's
# configuration directory (PostgreSQL reads both from it; it insists on the key's owner and mode),
# set through ALTER SYSTEM and a reload. Plaintext stays allowed (pg_hba's `host` lines take both):
# the other tests connect without TLS. When nothing changed this compares a file and reads three
# settings.
admin_sql() { su postgres -c "psql -XAtq -v ON_ERROR_STOP=1 -p $port"; }
ensure_tls() {
  local installed="/etc/postgresql/$version/$cluster/mesh-test-server.pem" changed="" current
  if ! cmp -s "$tls_pem" "$installed"; then
    install -o postgres -g postgres -m 0600 "$tls_pem" "$installed"
    changed=1
  fi
  current=$(admin_sql <<<"select string_agg(setting, '|' order by name) from pg_settings where name in ('ssl', 'ssl_cert_file', 'ssl_key_file')")
  if [ "$current" != "on|$installed|$installed" ]; then
    say "enabling TLS on PostgreSQL $version/$cluster with the tests' certificate ($installed)"
    admin_sql >/dev/null <<SQL
ALTER SYSTEM SET ssl = on;
ALTER SYSTEM SET ssl_cert_file = '$installed';
ALTER SYSTEM SET ssl_key_file = '$installed';
SQL
    changed=1
  fi
  [ -n "$changed" ] || return 0
  admin_sql >/dev/null <<<"select pg_reload_conf()"
  # The reload is asynchronous: wait until libpq, verifying the chain and the host name, gets TLS.
  local check="host=localhost port=$port dbname=postgres user=mesh sslmode=verify-full sslrootcert=$tls_ca"
  for _ in $(seq 1 50); do
    if [ "$(PGPASSWORD=mesh psql -XAtq "$check" -c 'select ssl from pg_stat_ssl where pid = pg_backend_pid()' 2>/dev/null)" = t ]; then
      say "PostgreSQL $version/$cluster serves TLS with the tests' certificate"
      return 0
    fi
    sleep 0.1
  done
  say "PostgreSQL $version/$cluster does not serve TLS with $installed after a reload: see /var/log/postgresql/postgresql-$version-$cluster.log"
  exit 1
}
if [ -n "$tls_pem" ]; then ensure_tls; fi

say "PostgreSQL $version ready on 127.0.0.1:$port"
echo "postgres://mesh:mesh@127.0.0.1:$port/postgres"
