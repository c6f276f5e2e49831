#!/usr/bin/env bash
# Makes a RabbitMQ broker reachable for the tests on 127.0.0.1:5672, installing it from Debian's
# packages when missing and starting it when stopped, with the management plugin (its HTTP API on
# 127.0.0.1:15672 only: the tests provision each vhost's users, permissions and topology through it,
# as `npm run broker:provision` does), and says what it did. Prints, as its last line, the broker's
# AMQP URL and its management API's URL, separated by a space (guest, the administrator, may log in
# from localhost; tests add a vhost each, with a user per service).
#
#   ensure-rabbitmq.sh [--tls SERVER_PEM CA_CERT]
#
# With --tls (test/support/rabbitmq-tls.ts issues both with the tests' CA), the node also listens
# for AMQP over TLS (amqps://) on 127.0.0.1:5671 with the key and certificate in SERVER_PEM, which a
# client verifying against CA_CERT accepts; it asks for no client certificate. Plaintext on 5672
# stays: the other tests use it. A changed listener restarts the node (RabbitMQ reads its listeners
# at boot); a renewed certificate alone does not (the node re-reads it after ssl:clear_pem_cache()).
# Without --tls, a TLS listener set up earlier is left as it is.
set -euo pipefail
say() { echo "[rabbitmq] $*" >&2; }

tls_pem="" tls_ca=""
if [ $# -gt 0 ]; then
  [ $# -eq 3 ] && [ "$1" = --tls ] || { echo "usage: $0 [--tls SERVER_PEM CA_CERT]" >&2; exit 64; }
  tls_pem=$2 tls_ca=$3
fi

MANAGEMENT_PORT=15672
TLS_PORT=5671
CONF=/etc/rabbitmq/rabbitmq.conf
# Where the node's user, rabbitmq, may read them (the tests' TLS directory is root's alone).
TLS_INSTALLED_PEM=/etc/rabbitmq/mesh-test-server.pem
TLS_INSTALLED_CA=/etc/rabbitmq/mesh-test-ca.crt

if ! command -v rabbitmq-server >/dev/null 2>&1; then
  say "RabbitMQ is not installed: installing it from Debian's packages (apt-get install rabbitmq-server)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq rabbitmq-server >&2
fi

# One run at a time edits the configuration and starts or restarts the node (the integration and
# security suites' global set-ups may run together); the management API's wait is outside.
lock_dir=/run/lock
[ -d "$lock_dir" ] || lock_dir=/tmp
exec 9>"$lock_dir/mesh-ensure-rabbitmq.lock"
flock 9

# The management listener on the loopback interface alone, at every start of the node.
mkdir -p "$(dirname "$CONF")"
touch "$CONF"
if ! grep -qx "management.tcp.ip = 127.0.0.1" "$CONF" || ! grep -qx "management.tcp.port = $MANAGEMENT_PORT" "$CONF"; then
  say "configuring the management plugin's listener on 127.0.0.1:$MANAGEMENT_PORT ($CONF)"
  sed -i '/^management\.tcp\.\(ip\|port\)[[:space:]]*=/d' "$CONF"
  printf 'management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\n' "$MANAGEMENT_PORT" >> "$CONF"
fi

# TLS: the files copied where the node reads them, the listener's lines last in the configuration
# (any other listeners.ssl.* and ssl_options.* lines replaced). When nothing changed this compares
# two files and the configuration's text.
tls_config_changed="" tls_files_changed=""
configure_tls() {
  if ! cmp -s "$tls_pem" "$TLS_INSTALLED_PEM" || ! cmp -s "$tls_ca" "$TLS_INSTALLED_CA"; then
    install -o rabbitmq -g rabbitmq -m 0600 "$tls_pem" "$TLS_INSTALLED_PEM.new"
    install -o rabbitmq -g rabbitmq -m 0644 "$tls_ca" "$TLS_INSTALLED_CA.new"
    mv -f "$TLS_INSTALLED_PEM.new" "$TLS_INSTALLED_PEM"
    mv -f "$TLS_INSTALLED_CA.new" "$TLS_INSTALLED_CA"
    tls_files_changed=1
  fi
  local marker="# The tests' TLS listener (scripts/infra/ensure-rabbitmq.sh --tls)" wanted
  wanted=$(
    grep -v -e '^listeners\.ssl\.' -e '^ssl_options\.' -e "^$marker" "$CONF"
    printf '%s\n' "$marker" \
      "listeners.ssl.default = 127.0.0.1:$TLS_PORT" \
      "ssl_options.cacertfile = $TLS_INSTALLED_CA" \
      "ssl_options.certfile = $TLS_INSTALLED_PEM" \
      "ssl_options.keyfile = $TLS_INSTALLED_PEM" \
      "ssl_options.verify = verify_none" \
      "ssl_options.fail_if_no_peer_cert = false"
  )
  if [ "$wanted" != "$(cat "$CONF")" ]; then
    say "configuring a TLS listener on 127.0.0.1:$TLS_PORT with the tests' certificate ($CONF)"
    printf '%s\n' "$wanted" > "$CONF.new"
    chmod 0644 "$CONF.new"
    mv -f "$CONF.new" "$CONF"
    tls_config_changed=1
  fi
}
if [ -n "$tls_pem" ]; then configure_tls; fi

management_enabled() { rabbitmq-plugins -q list -E -m 2>/dev/null | grep -qx rabbitmq_management; }

start_node() {
  if ! grep -q rabbitmq_management /etc/rabbitmq/enabled_plugins 2>/dev/null; then
    say "enabling the management plugin (rabbitmq-plugins enable --offline rabbitmq_management)"
    rabbitmq-plugins -q enable --offline rabbitmq_management >&2
  fi
  # Not holding the lock's descriptor (9): the node would keep the lock when this script fails.
  rabbitmq-server -detached >&2 9>&-
  # -detached returns before the node answers: wait for it to be reachable, then for the broker app.
  for _ in $(seq 1 60); do
    rabbitmqctl -q ping >/dev/null 2>&1 && break
    sleep 1
  done
}

started=""
if ! rabbitmqctl -q status >/dev/null 2>&1; then
  say "starting RabbitMQ (rabbitmq-server -detached)"
  start_node
  started=1
fi
if ! rabbitmqctl -q await_startup --timeout 120 >&2; then
  say "RabbitMQ did not start within 180 s (see /var/log/rabbitmq/)"
  exit 1
fi

tls_listening() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "( sport = :$TLS_PORT )" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$TLS_PORT") 2>/dev/null
  fi
}
# Connects to the TLS listener as a client trusting the CA would, and succeeds when the certificate
# it is served is the one installed (names are the tests' business: this checks the chain only).
tls_serves_installed() {
  node -e '
    const fs = require("node:fs"), tls = require("node:tls"), { X509Certificate } = require("node:crypto");
    const [port, ca, pem] = process.argv.slice(1);
    const wanted = new X509Certificate(fs.readFileSync(pem)).fingerprint256;
    const socket = tls.connect({ host: "127.0.0.1", port: Number(port), ca: fs.readFileSync(ca), checkServerIdentity: () => undefined }, () => {
      const served = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      process.exit(served === wanted ? 0 : 2);
    });
    socket.setTimeout(5000, () => process.exit(1));
    socket.on("error", () => process.exit(1));
  ' "$TLS_PORT" "$TLS_INSTALLED_CA" "$TLS_INSTALLED_PEM"
}
ensure_tls_listener() {
  if [ -z "$started" ] && { [ -n "$tls_config_changed" ] || ! tls_listening; }; then
    # Listeners are read at boot: the node restarts (its queues and messages on disk survive).
    say "restarting RabbitMQ for its TLS listener on 127.0.0.1:$TLS_PORT (rabbitmqctl shutdown, rabbitmq-server -detached)"
    rabbitmqctl -q shutdown >&2
    start_node
    started=1
    if ! rabbitmqctl -q await_startup --timeout 120 >&2; then
      say "RabbitMQ did not start again within 180 s (see /var/log/rabbitmq/)"
      exit 1
    fi
  elif [ -z "$started" ] && [ -n "$tls_files_changed" ]; then
    # The same listener with a renewed certificate: new connections read the files again.
    say "the TLS listener serves the renewed certificate from now on (ssl:clear_pem_cache())"
    rabbitmqctl -q eval 'ssl:clear_pem_cache().' >/dev/null
  fi
  if [ -n "$started" ] || [ -n "$tls_files_changed" ]; then
    for _ in $(seq 1 100); do
      tls_serves_installed && break
      sleep 0.2
    done
    if ! tls_serves_installed; then
      say "RabbitMQ does not serve TLS with $TLS_INSTALLED_PEM on 127.0.0.1:$TLS_PORT (see /var/log/rabbitmq/)"
      exit 1
    fi
    say "RabbitMQ serves TLS on 127.0.0.1:$TLS_PORT with the tests' certificate"
  fi
}
if [ -n "$tls_pem" ]; then ensure_tls_listener; fi
flock -u 9

management_answers() { curl -fsS -o /dev/null -u guest:guest "http://127.0.0.1:$MANAGEMENT_PORT/api/overview" 2>/dev/null; }
# The API answering is the quick sign that the plugin is on (listing plugins takes a CLI's start).
if ! management_answers && ! management_enabled; then
  # A node started without the plugin read its configuration before it was enabled: give the
  # listener its address now, as the configuration file will at the next start.
  say "enabling the management plugin on the running node, listening on 127.0.0.1:$MANAGEMENT_PORT"
  rabbitmqctl -q eval "application:set_env(rabbitmq_management, tcp_config, [{port, $MANAGEMENT_PORT}, {ip, \"127.0.0.1\"}])." >/dev/null
  rabbitmq-plugins -q enable rabbitmq_management >&2
fi
for _ in $(seq 1 60); do
  management_answers && break
  sleep 1
done
if ! management_answers; then
  say "the management API does not answer on 127.0.0.1:$MANAGEMENT_PORT (see /var/log/rabbitmq/)"
  exit 1
fi
tls_said=""
if [ -n "$tls_pem" ]; then tls_said=", TLS on 127.0.0.1:$TLS_PORT"; fi
say "RabbitMQ $(rabbitmqctl -q version 2>/dev/null || echo '') ready on 127.0.0.1:5672$tls_said, management API on 127.0.0.1:$MANAGEMENT_PORT"
echo "amqp://guest:guest@127.0.0.1:5672 http://guest:guest@127.0.0.1:$MANAGEMENT_PORT"
