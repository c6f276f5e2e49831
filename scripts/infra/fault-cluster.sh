#!/usr/bin/env bash
# The fault suite's own PostgreSQL cluster and RabbitMQ node, apart from the ones the other tests
# share: the suite restarts them, which must not break anyone else's run.
#
#   fault-cluster.sh up                 install if missing, start; prints DATABASE admin URL, AMQP URL, management API URL
#   fault-cluster.sh restart-postgres   fast restart of the PostgreSQL cluster (drops every connection)
#   fault-cluster.sh restart-rabbitmq   stops the RabbitMQ node and starts it again (messages on disk survive)
#   fault-cluster.sh down               stops both
#
# PostgreSQL: Debian cluster "<version>/faults" on port $FAULTS_PG_PORT (5442).
# RabbitMQ: node "faults@<host>" on port $FAULTS_AMQP_PORT (5682), data under
# /var/lib/rabbitmq/fault-node, with the management plugin alone, its HTTP API on
# 127.0.0.1:$FAULTS_MANAGEMENT_PORT (15682; the tests provision their vhost's users through it),
# written into the node's own enabled_plugins and rabbitmq.conf at every start, so that it survives
# the suite's restarts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/mesh-role.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
say() { echo "[fault-cluster] $*" >&2; }

PG_PORT="${FAULTS_PG_PORT:-5442}"
AMQP_PORT="${FAULTS_AMQP_PORT:-5682}"
MANAGEMENT_PORT="${FAULTS_MANAGEMENT_PORT:-15682}"
# Debian runs the node as user rabbitmq: its files live where that user may write.
RMQ_DIR="/var/lib/rabbitmq/fault-node"
NODE="faults@$(hostname -s)"
# Only the fault node's own commands see these (the shared node's scripts must not).
RMQ_ENV=(
  RABBITMQ_NODENAME="$NODE"
  RABBITMQ_NODE_PORT="$AMQP_PORT"
  RABBITMQ_DIST_PORT="$((AMQP_PORT + 20000))"
  RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
  RABBITMQ_LOG_BASE="$RMQ_DIR/log"
  RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
  RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq"
  RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
  RABBITMQ_PID_FILE="$RMQ_DIR/faults.pid"
)
ctl() { rabbitmqctl -n "$NODE" "$@"; }

pg_version() { ls /usr/lib/postgresql | sort -V | tail -n 1; }

postgres_up() {
  local version; version=$(pg_version)
  if ! pg_lsclusters --no-header | awk '{print $1"/"$2}' | grep -qx "$version/faults"; then
    say "creating PostgreSQL cluster $version/faults on port $PG_PORT"
    pg_createcluster "$version" faults -p "$PG_PORT" >&2
  fi
  if ! pg_lsclusters --no-header | awk '$1"/"$2=="'"$version"'/faults" {print $4}' | grep -qx online; then
    say "starting PostgreSQL $version/faults"
    pg_ctlcluster "$version" faults start >&2
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 1; done
  ensure_mesh_role "$PG_PORT"
}

rabbitmq_start() {
  mkdir -p "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
  chown -R rabbitmq:rabbitmq "$RMQ_DIR"
  # Our own configuration, so the machine's /etc/rabbitmq does not add listeners or plugins: the
  # management plugin alone, listening on the loopback interface on a port of its own.
  echo '[rabbitmq_management].' > "$RMQ_DIR/enabled_plugins"
  printf 'management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\n' "$MANAGEMENT_PORT" > "$RMQ_DIR/rabbitmq.conf"
  echo '[].' > "$RMQ_DIR/advanced.config"
  env "${RMQ_ENV[@]}" rabbitmq-server -detached >&2
  for _ in $(seq 1 60); do ctl -q ping >/dev/null 2>&1 && break; sleep 1; done
  ctl -q await_startup --timeout 120 >&2
  management_up
}

management_answers() { curl -fsS -o /dev/null -u guest:guest "http://127.0.0.1:$MANAGEMENT_PORT/api/overview" 2>/dev/null; }

# The management API answers shortly after the node's startup.
management_up() {
  for _ in $(seq 1 60); do management_answers && return 0; sleep 1; done
  say "the management API of $NODE does not answer on 127.0.0.1:$MANAGEMENT_PORT (see $RMQ_DIR/log)"
  return 1
}

rabbitmq_up() {
  if ! ctl -q ping >/dev/null 2>&1; then
    say "starting RabbitMQ node $NODE on port $AMQP_PORT, management API on 127.0.0.1:$MANAGEMENT_PORT"
    rabbitmq_start
  elif ! management_answers; then
    # A node started by an earlier version of this script, without the plugin: restarted with it.
    say "restarting RabbitMQ node $NODE with the management plugin (127.0.0.1:$MANAGEMENT_PORT)"
    ctl -q stop >&2
    rabbitmq_start
  fi
}

case "${1:-}" in
  up)
    # The packages come from the shared set-up scripts (they install when missing).
    bash "$ROOT/scripts/infra/ensure-postgres.sh" >/dev/null
    bash "$ROOT/scripts/infra/ensure-rabbitmq.sh" >/dev/null
    postgres_up
    rabbitmq_up
    say "ready: PostgreSQL on 127.0.0.1:$PG_PORT, RabbitMQ $NODE on 127.0.0.1:$AMQP_PORT (management API 127.0.0.1:$MANAGEMENT_PORT)"
    echo "postgres://mesh:mesh@127.0.0.1:$PG_PORT/postgres amqp://guest:guest@127.0.0.1:$AMQP_PORT http://guest:guest@127.0.0.1:$MANAGEMENT_PORT"
    ;;
  restart-postgres)
    say "restarting PostgreSQL $(pg_version)/faults (fast: open connections are cut)"
    pg_ctlcluster "$(pg_version)" faults restart -m fast >&2
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 1; done
    ;;
  stop-rabbitmq)
    say "stopping RabbitMQ node $NODE"
    ctl -q stop >&2
    ;;
  start-rabbitmq)
    say "starting RabbitMQ node $NODE"
    rabbitmq_start
    ;;
  restart-rabbitmq)
    say "restarting RabbitMQ node $NODE"
    ctl -q stop >&2
    rabbitmq_start
    ;;
  down)
    ctl -q stop >&2 || true
    pg_ctlcluster "$(pg_version)" faults stop >&2 || true
    ;;
  *)
    echo "usage: $0 up|restart-postgres|stop-rabbitmq|start-rabbitmq|restart-rabbitmq|down" >&2
    exit 64
    ;;
esac
