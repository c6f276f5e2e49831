#!/bin/sh
# Starts the services named in the arguments (`--services emotion`, ...). The address an instance
# registers in Consul is its container's own IP unless ADVERTISE_HOST says otherwise: every replica
# of a service has the same environment, so the address cannot come from it.
set -e
if [ -z "${ADVERTISE_HOST:-}" ]; then
  ADVERTISE_HOST="$(hostname -i | cut -d' ' -f1)"
  export ADVERTISE_HOST
fi
exec node --import tsx src/main.ts start "$@"
