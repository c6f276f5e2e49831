#!/usr/bin/env bash
# Builds Jaeger (pinned: v1.76.0, i.e. Jaeger v2.13.0, the all-in-one built on the OpenTelemetry
# Collector: OTLP receivers, in-memory trace storage, the query API) from its Go module with the
# machine's Go toolchain into .cache/jaeger/<version>/jaeger unless it is there already, and prints
# its path as its last line. The tests send it spans over OTLP and look traces up through its query
# API (test/support/jaeger.ts). Jaeger publishes no binary to the registries this project may use,
# and `go install github.com/jaegertracing/jaeger/cmd/jaeger@v…` refuses its go.mod (it has a
# `replace` directive), so, as for Consul, the module is fetched through the Go module proxy, copied
# and built in place, its replace honoured. The Go module and build caches stay Go's own (as
# scripts/infra/lib/go-tools.sh says): a fresh clone on a machine that built it once only relinks.
# A cold build takes minutes (the whole Collector and its gRPC, Kafka, Cassandra, ClickHouse and
# Elasticsearch clients are compiled in).
set -euo pipefail
source "$(dirname "$0")/lib/go-tools.sh"
JAEGER_VERSION=v1.76.0
# The version the v2 binary reports for itself (`jaeger version`), set at link time as Jaeger's
# Makefile does.
JAEGER_V2_VERSION=v2.13.0
dir="$REPO/.cache/jaeger/$JAEGER_VERSION"
binary="$dir/jaeger"
say() { echo "[jaeger] $*" >&2; }

if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi
require_go jaeger
mkdir -p "$dir"
# A lock of its own, not the tools' one, so that it builds beside Consul rather than after it.
exec 9>"$REPO/.cache/jaeger/.lock"
flock 9
if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi

say "building Jaeger $JAEGER_VERSION ($JAEGER_V2_VERSION) cmd/jaeger from its Go module (go build, into .cache/jaeger; minutes when cold)"
started=$SECONDS
module_dir="$(go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ -z "$module_dir" ] || [ ! -f "$module_dir/go.mod" ]; then
  say "could not download github.com/jaegertracing/jaeger@$JAEGER_VERSION through the Go module proxy"
  exit 1
fi
src="$dir/src"
rm -rf "$src"
cp -r "$module_dir" "$src"
chmod -R u+w "$src"
cd "$src"
version_pkg=github.com/jaegertracing/jaeger/internal/version
GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath \
  -ldflags="-s -w -X $version_pkg.latestVersion=$JAEGER_V2_VERSION" \
  -o "$binary.partial" ./cmd/jaeger >&2
mv "$binary.partial" "$binary"
cd "$REPO"
rm -rf "$src"
say "built Jaeger $JAEGER_V2_VERSION in $((SECONDS - started)) s ($(du -h "$binary" | cut -f1))"
echo "$binary"
