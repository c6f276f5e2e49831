#!/usr/bin/env bash
# Installs the code generators buf.gen.yaml runs besides ts-proto (an npm dev dependency):
# protoc-gen-go and protoc-gen-go-grpc (pinned, `go install` into .cache/tools/bin) and
# grpcio-tools (pinned, in .cache/venv: its protoc makes the Python messages and gRPC stubs).
# Idempotent; says what it installs on stderr.
set -euo pipefail
source "$(dirname "$0")/lib/go-tools.sh"
PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2
go_install_pinned protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go "$PROTOC_GEN_GO_VERSION" >/dev/null
go_install_pinned protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc "$PROTOC_GEN_GO_GRPC_VERSION" >/dev/null
bash "$REPO/scripts/infra/ensure-python-tools.sh" >/dev/null
