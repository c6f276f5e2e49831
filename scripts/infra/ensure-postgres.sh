#!/usr/bin/env bash
# Makes a PostgreSQL server reachable for the tests on 127.0.0.1, installing it from Debian's
# packages when missing and starting it when stopped, and says what it did. Prints, as its last line,
# an admin URL (role `mesh`, may create databases) for the tests to create their databases with.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/mesh-role.sh"
say() { echo "[postgres] $*" >&2; }

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
say "PostgreSQL $version ready on 127.0.0.1:$port"
echo "postgres://mesh:mesh@127.0.0.1:$port/postgres"
