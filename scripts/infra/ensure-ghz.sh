#!/usr/bin/env bash
# Installs ghz (pinned), the gRPC load generator, into .cache/tools/bin unless it is there already,
# and prints its path as its last line. `npm run bench:mesh` (scripts/bench/mesh.ts) drives
# SendFrame with it. Built from its Go module (`go install`, the Go module proxy): its releases'
# binaries are on GitHub, which this project does not download from.
set -euo pipefail
source "$(dirname "$0")/lib/go-tools.sh"
GHZ_VERSION=v0.121.0
go_install_pinned ghz github.com/bojand/ghz/cmd/ghz "$GHZ_VERSION"
