#!/usr/bin/env bash
# `npm run codegen`: typed TypeScript from proto/ (buf + ts-proto, see buf.gen.yaml), the Go and
# Python clients in clients/, and the descriptor sets server reflection serves, compiled by buf
# (exact FileDescriptorProtos, imports included), for proto/, for grpc.health.v1 as
# grpc-health-check ships it, and for the google.rpc error details the services send (so that
# grpcurl decodes a RetryInfo with no .proto file at hand).
set -euo pipefail
cd "$(dirname "$0")/.."
# The Go and Python generators buf.gen.yaml names (pinned; installed once under .cache/).
bash scripts/infra/ensure-codegen-plugins.sh
npx buf generate
# Google's error model for status details (buf.gen.google-rpc.yaml), from google-proto-files.
GOOGLE_PROTOS=node_modules/google-proto-files
npx buf generate "$GOOGLE_PROTOS" --template buf.gen.google-rpc.yaml \
  --path "$GOOGLE_PROTOS/google/rpc/status.proto" --path "$GOOGLE_PROTOS/google/rpc/error_details.proto"
npx buf build "$GOOGLE_PROTOS" -o src/gen/descriptors/google-rpc.binpb \
  --path "$GOOGLE_PROTOS/google/rpc/status.proto" --path "$GOOGLE_PROTOS/google/rpc/error_details.proto"
npx buf build -o src/gen/descriptors/mesh.binpb
npx buf build node_modules/grpc-health-check/proto -o src/gen/descriptors/health.binpb
