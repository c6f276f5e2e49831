#!/usr/bin/env bash
# Builds the Consul agent (pinned) from its Go module with the machine's Go toolchain into
# .cache/tools/bin/consul unless it is there already, and prints its path as its last line.
# Consul publishes no binary to the registries this project may use, and `go install
# github.com/hashicorp/consul@v…` refuses its go.mod (it `replace`s its own submodules with
# directories that are not part of the module's zip). So this script fetches the module through the
# Go module proxy, drops those replace directives (each submodule is then the version go.mod
# already requires), pins the checksums of the three submodule versions the checksum database does
# not serve, and builds. A cold build takes minutes (see README, "Discovery with Consul").
set -euo pipefail
source "$(dirname "$0")/lib/go-tools.sh"
CONSUL_VERSION=v1.22.2
binary="$TOOLS_BIN/consul"
say() { echo "[consul] $*" >&2; }

require_go consul
with_tools_lock
if [ -x "$binary" ] && [ "$("$binary" version 2>/dev/null | head -1)" = "Consul $CONSUL_VERSION" ]; then
  echo "$binary"
  exit 0
fi

say "building Consul $CONSUL_VERSION from its Go module (go build, into .cache/tools/bin; minutes when cold)"
started=$SECONDS
module_dir="$(go mod download -json "github.com/hashicorp/consul@$CONSUL_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ -z "$module_dir" ] || [ ! -f "$module_dir/go.mod" ]; then
  say "could not download github.com/hashicorp/consul@$CONSUL_VERSION through the Go module proxy"
  exit 1
fi
src="$REPO/.cache/tools/src/consul-$CONSUL_VERSION"
rm -rf "$src"
mkdir -p "$(dirname "$src")"
cp -r "$module_dir" "$src"
chmod -R u+w "$src"
cd "$src"
for submodule in api envoyextensions proto-public sdk troubleshoot; do
  go mod edit -dropreplace="github.com/hashicorp/consul/$submodule"
done
# Checksums of what the Go module proxy served for these submodule versions, pinned here because
# sum.golang.org does not list them; go verifies the downloads against them.
cat >>go.sum <<'SUMS'
github.com/hashicorp/consul/envoyextensions v0.9.0 h1:cjCQQKHZTDfivjmMlzzDvpwudjSdlMyiT0rw/ExbJLk=
github.com/hashicorp/consul/envoyextensions v0.9.0/go.mod h1:1SqIWCjKtgbHU2ThOtznAxDktkbRCWm/wgNjIuDM/r0=
github.com/hashicorp/consul/proto-public v0.7.0 h1:eHnDLHh8kBDxJZS1fYHNoh/JPjLN7FAwu1vLXOa8QxE=
github.com/hashicorp/consul/proto-public v0.7.0/go.mod h1:0EVZbKUi8/w5l6gTi4GZdcvGMG9k/CCkPmZVxJEBRpA=
github.com/hashicorp/consul/troubleshoot v0.8.0 h1:bgOY5JMsBQmrlhmNz97v4CnSr0ppb7Ob2fwPeDAn3hQ=
github.com/hashicorp/consul/troubleshoot v0.8.0/go.mod h1:+9DFCMwOdlcHI3OWwnIajaUr35GDgD+9NwNi630hGIY=
SUMS
GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$binary.partial" . >&2
mv "$binary.partial" "$binary"
cd "$REPO"
rm -rf "$src"
say "built $("$binary" version | head -1) in $((SECONDS - started)) s"
echo "$binary"
