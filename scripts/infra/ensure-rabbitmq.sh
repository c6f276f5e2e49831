#!/usr/bin/env bash
# Makes a RabbitMQ broker reachable for the tests on 127.0.0.1:5672, installing it from Debian's
# packages when missing and starting it when stopped, with the management plugin (its HTTP API on
# 127.0.0.1:15672 only: the tests provision each vhost's users, permissions and topology through it,
# as `npm run broker:provision` does), and says what it did. Prints, as its last line, the broker's
# AMQP URL and its management API's URL, separated by a space (guest, the administrator, may log in
# from localhost; tests add a vhost each, with a user per service).
set -euo pipefail
say() { echo "[rabbitmq] $*" >&2; }

MANAGEMENT_PORT=15672
CONF=/etc/rabbitmq/rabbitmq.conf

if ! command -v rabbitmq-server >/dev/null 2>&1; then
  say "RabbitMQ is not installed: installing it from Debian's packages (apt-get install rabbitmq-server)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq rabbitmq-server >&2
fi

# The management listener on the loopback interface alone, at every start of the node.
mkdir -p "$(dirname "$CONF")"
touch "$CONF"
if ! grep -qx "management.tcp.ip = 127.0.0.1" "$CONF" || ! grep -qx "management.tcp.port = $MANAGEMENT_PORT" "$CONF"; then
  say "configuring the management plugin's listener on 127.0.0.1:$MANAGEMENT_PORT ($CONF)"
  sed -i '/^management\.tcp\.\(ip\|port\)[[:space:]]*=/d' "$CONF"
  printf 'management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\n' "$MANAGEMENT_PORT" >> "$CONF"
fi

management_enabled() { rabbitmq-plugins -q list -E -m 2>/dev/null | grep -qx rabbitmq_management; }

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  if ! grep -q rabbitmq_management /etc/rabbitmq/enabled_plugins 2>/dev/null; then
    say "enabling the management plugin (rabbitmq-plugins enable --offline rabbitmq_management)"
    rabbitmq-plugins -q enable --offline rabbitmq_management >&2
  fi
  say "starting RabbitMQ (rabbitmq-server -detached)"
  rabbitmq-server -detached >&2
fi
# -detached returns before the node answers: wait for it to be reachable, then for the broker app.
for _ in $(seq 1 60); do
  rabbitmqctl -q ping >/dev/null 2>&1 && break
  sleep 1
done
if ! rabbitmqctl -q await_startup --timeout 120 >&2; then
  say "RabbitMQ did not start within 180 s (see /var/log/rabbitmq/)"
  exit 1
fi

if ! management_enabled; then
  # A node started without the plugin read its configuration before it was enabled: give the
  # listener its address now, as the configuration file will at the next start.
  say "enabling the management plugin on the running node, listening on 127.0.0.1:$MANAGEMENT_PORT"
  rabbitmqctl -q eval "application:set_env(rabbitmq_management, tcp_config, [{port, $MANAGEMENT_PORT}, {ip, \"127.0.0.1\"}])." >/dev/null
  rabbitmq-plugins -q enable rabbitmq_management >&2
fi
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null -u guest:guest "http://127.0.0.1:$MANAGEMENT_PORT/api/overview" 2>/dev/null && break
  sleep 1
done
if ! curl -fsS -o /dev/null -u guest:guest "http://127.0.0.1:$MANAGEMENT_PORT/api/overview"; then
  say "the management API does not answer on 127.0.0.1:$MANAGEMENT_PORT (see /var/log/rabbitmq/)"
  exit 1
fi
say "RabbitMQ $(rabbitmqctl -q version 2>/dev/null || echo '') ready on 127.0.0.1:5672, management API on 127.0.0.1:$MANAGEMENT_PORT"
echo "amqp://guest:guest@127.0.0.1:5672 http://guest:guest@127.0.0.1:$MANAGEMENT_PORT"
