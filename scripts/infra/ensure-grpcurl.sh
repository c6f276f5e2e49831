#!/usr/bin/env bash
# Installs grpcurl (pinned) into .cache/tools/bin unless it is there already, and prints its path as
# its last line. The grpcurl tests and the README's grpcurl section use it.
set -euo pipefail
source "$(dirname "$0")/lib/go-tools.sh"
GRPCURL_VERSION=v1.9.3
go_install_pinned grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl "$GRPCURL_VERSION"
