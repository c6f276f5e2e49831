#!/usr/bin/env bash
# `npm run codegen`: typed TypeScript from proto/ (buf + ts-proto, see buf.gen.yaml) and the
# descriptor sets server reflection serves, compiled by buf (exact FileDescriptorProtos, imports
# included), for proto/ and for grpc.health.v1 as grpc-health-check ships it.
set -euo pipefail
cd "$(dirname "$0")/.."
npx buf generate
npx buf build -o src/gen/descriptors/mesh.binpb
npx buf build node_modules/grpc-health-check/proto -o src/gen/descriptors/health.binpb
