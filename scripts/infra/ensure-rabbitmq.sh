#!/usr/bin/env bash
# Makes a RabbitMQ broker reachable for the tests on 127.0.0.1:5672, installing it from Debian's
# packages when missing and starting it when stopped, and says what it did. Prints, as its last line,
# the broker's AMQP URL (guest may log in from localhost; tests add a vhost each).
set -euo pipefail
say() { echo "[rabbitmq] $*" >&2; }

if ! command -v rabbitmq-server >/dev/null 2>&1; then
  say "RabbitMQ is not installed: installing it from Debian's packages (apt-get install rabbitmq-server)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq rabbitmq-server >&2
fi

if ! rabbitmqctl -q status >/dev/null 2>&1; then
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
say "RabbitMQ $(rabbitmqctl -q version 2>/dev/null || echo '') ready on 127.0.0.1:5672"
echo "amqp://guest:guest@127.0.0.1:5672"
