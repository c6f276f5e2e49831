#!/usr/bin/env bash
# Installs Shopify's toxiproxy server (pinned) as .cache/tools/bin/toxiproxy-server unless it is
# there already, and prints its path as its last line. The fault suite puts it between the services
# and between them and the broker, to add latency and reset connections
# (https://github.com/Shopify/toxiproxy).
set -euo pipefail
source "$(dirname "$0")/lib/go-tools.sh"
TOXIPROXY_VERSION=v2.5.0
PACKAGE=github.com/Shopify/toxiproxy/v2/cmd/server
BINARY="$TOOLS_BIN/toxiproxy-server"
require_go toxiproxy
with_tools_lock
if ! built_from "$BINARY" "$TOXIPROXY_VERSION"; then
  echo "[toxiproxy] installing $PACKAGE@$TOXIPROXY_VERSION (go install)" >&2
  # The package's binary is called `server`: build it apart, then name it.
  staging="$(mktemp -d)"
  GOBIN="$staging" go install "$PACKAGE@$TOXIPROXY_VERSION" >&2
  mv "$staging/server" "$BINARY"
  rm -rf "$staging"
fi
echo "$BINARY"
