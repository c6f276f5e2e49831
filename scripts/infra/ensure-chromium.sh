#!/usr/bin/env bash
# Makes Debian's Chromium available to the browser tests (test/browser/), which drive it through
# playwright-core with `executablePath`: playwright's own browser download reaches a host this machine
# cannot, and Debian's build is kept up to date by its security team. Installs Debian's `chromium`
# (without its recommends) when it is missing and says what it did. Prints, as its last line, the
# absolute path of the browser binary. Fast and silent when installed.
set -euo pipefail
say() { echo "[chromium] $*" >&2; }

binary() {
  local found
  found="$(command -v chromium 2>/dev/null)" || return 1
  # /usr/bin/chromium is Debian's wrapper script (flags from /etc/chromium.d): playwright needs the
  # browser itself, which takes the same flags on its command line.
  if [ -x /usr/lib/chromium/chromium ]; then
    echo /usr/lib/chromium/chromium
  else
    readlink -f "$found"
  fi
}

if found="$(binary)"; then
  echo "$found"
  exit 0
fi

# Parallel jest workers, and scripts/test.sh's background start, install once.
lock_dir=/run/lock
[ -d "$lock_dir" ] || lock_dir=/tmp
exec 9>"$lock_dir/mesh-ensure-chromium.lock"
flock 9
if found="$(binary)"; then
  echo "$found"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  say "Chromium is not installed, and installing Debian's chromium package needs root: run 'sudo apt-get install --no-install-recommends chromium'"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
started=$SECONDS
if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  say "refreshing Debian's package lists (apt-get update)"
  apt-get update -qq >&2
fi
say "Chromium is not installed: installing it from Debian's packages (apt-get install --no-install-recommends chromium)"
# Another install of the project's (ensure-poppler.sh during the unit tests) may hold dpkg's lock: wait for it.
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 chromium >&2

found="$(binary)" || {
  say "the chromium package is installed but no chromium is on PATH"
  exit 1
}
say "installed $("$found" --version 2>/dev/null | head -1) in $((SECONDS - started)) s"
echo "$found"
