#!/bin/sh
# Starts the services named in the arguments (`--services emotion`, ...). The address an instance
# registers in Consul is its container's own IP unless ADVERTISE_HOST says otherwise: every replica
# of a service has the same environment, so the address cannot come from it.
set -e
if [ -z "${ADVERTISE_HOST:-}" ]; then
  ADVERTISE_HOST="$(hostname -i | cut -d' ' -f1)"
  export ADVERTISE_HOST
fi
# Consul ACL tokens from a file (Compose: the service's own consul-tokens.env, written by
# consul-provision, deploy/consul-tokens.sh): its lines `<SERVICE>_CONSUL_TOKEN=…` and
# `CONSUL_RESOLVER_TOKEN=…` are exported, any other line is ignored, and none is printed. Named but
# missing, the start fails: without its token a service could not register.
if [ -n "${CONSUL_TOKENS_ENV_FILE:-}" ]; then
  if [ ! -r "$CONSUL_TOKENS_ENV_FILE" ]; then
    echo "mesh-entrypoint: CONSUL_TOKENS_ENV_FILE ($CONSUL_TOKENS_ENV_FILE) cannot be read" >&2
    exit 1
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in *=*) ;; *) continue ;; esac
    name=${line%%=*}
    case "$name" in
      *[!A-Z0-9_]* | "") continue ;;
      CONSUL_RESOLVER_TOKEN | *_CONSUL_TOKEN) export "$name=${line#*=}" ;;
    esac
  done <"$CONSUL_TOKENS_ENV_FILE"
fi
exec node --import tsx src/main.ts start "$@"
