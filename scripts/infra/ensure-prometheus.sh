#!/usr/bin/env bash
# Makes Prometheus's server and promtool available to the tests, installing Debian's `prometheus`
# package when either is missing (without its recommends: no node exporter), and says what it did.
# The tests run servers of their own (test/support/prometheus.ts: free ports, a temporary
# configuration and TSDB); they never use the Debian service, so the one the package's postinst
# starts on 9090 (where systemd or SysV init lets it) is stopped and disabled right after the
# install. Prints, as its last line, the absolute paths of `prometheus` and `promtool`, separated by
# a space. Fast and silent when installed.
set -euo pipefail
say() { echo "[prometheus] $*" >&2; }

paths() {
  local prometheus promtool
  prometheus="$(command -v prometheus 2>/dev/null)" && promtool="$(command -v promtool 2>/dev/null)" || return 1
  echo "$(readlink -f "$prometheus") $(readlink -f "$promtool")"
}

if found="$(paths)"; then
  echo "$found"
  exit 0
fi

# Two runs at a time (the integration and security suites' global set-ups) install once.
lock_dir=/run/lock
[ -d "$lock_dir" ] || lock_dir=/tmp
exec 9>"$lock_dir/mesh-ensure-prometheus.lock"
flock 9
if found="$(paths)"; then
  echo "$found"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  say "Prometheus is not installed, and installing Debian's prometheus package needs root: run 'sudo apt-get install --no-install-recommends prometheus'"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
started=$SECONDS
if ! apt-cache policy prometheus 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  say "refreshing Debian's package lists (apt-get update)"
  apt-get update -qq >&2
fi
say "Prometheus is not installed: installing it from Debian's packages (apt-get install --no-install-recommends prometheus)"
apt-get install -y -qq --no-install-recommends prometheus >&2

# The package's postinst enables the service and starts it on 9090 where it can (policy-rc.d in a
# container forbids it; a developer's machine with systemd does not): the tests want none of it.
if [ -d /run/systemd/system ]; then
  say "stopping and disabling the Debian prometheus service (the tests start servers of their own)"
  systemctl disable --now prometheus.service >&2 || true
elif [ -x /etc/init.d/prometheus ]; then
  if /etc/init.d/prometheus status >/dev/null 2>&1; then
    say "stopping the Debian prometheus service (the tests start servers of their own)"
    /etc/init.d/prometheus stop >&2 || true
  fi
  update-rc.d prometheus disable >/dev/null 2>&1 || true
  # And the unit the postinst enabled, should the machine boot with systemd later.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable prometheus.service >/dev/null 2>&1 || true; fi
fi

found="$(paths)" || {
  say "the prometheus package is installed but prometheus or promtool is not on PATH"
  exit 1
}
say "installed $(prometheus --version 2>&1 | head -1) in $((SECONDS - started)) s"
echo "$found"
