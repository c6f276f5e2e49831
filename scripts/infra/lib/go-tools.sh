# Sourced by the ensure-*.sh scripts that install Go programs. Binaries go to .cache/tools/bin (git
# ignores .cache/); the Go module and build caches stay Go's own, so a fresh clone on a machine that
# built the tool once only relinks it. Needs the machine's Go toolchain and the Go module proxy.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
TOOLS_BIN="$REPO/.cache/tools/bin"
mkdir -p "$TOOLS_BIN"

require_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "[$1] Go is not installed: the test set-up builds its tools with the machine's Go toolchain" >&2
    exit 1
  fi
}

# Serialises installs across concurrent runs (two jest projects, two engineers on one machine).
with_tools_lock() {
  exec 9>"$REPO/.cache/tools/.lock"
  flock 9
}

# True when $1 is a Go binary built from module version $2 (as `go version -m` reports it).
built_from() {
  [ -x "$1" ] && go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3 }' | grep -qx "$2"
}

# go_install_pinned NAME PACKAGE VERSION: `go install PACKAGE@VERSION` into .cache/tools/bin unless
# the binary there was built from that version already. Prints the binary's path.
go_install_pinned() {
  local name="$1" package="$2" version="$3" binary="$TOOLS_BIN/$1"
  require_go "$name"
  # Installed already: no lock, so a long build of another tool (Consul) does not hold this up.
  if built_from "$binary" "$version"; then
    echo "$binary"
    return
  fi
  with_tools_lock
  if ! built_from "$binary" "$version"; then
    echo "[$name] installing $package@$version (go install, into .cache/tools/bin)" >&2
    local started=$SECONDS
    GOBIN="$TOOLS_BIN" GOFLAGS=-mod=mod go install "$package@$version" >&2
    echo "[$name] installed in $((SECONDS - started)) s" >&2
  fi
  echo "$binary"
}
