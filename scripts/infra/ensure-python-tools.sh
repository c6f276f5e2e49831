#!/usr/bin/env bash
# Makes .cache/venv, a Python virtual environment holding the pinned packages of
# scripts/infra/python-tools.txt (from PyPI, through pip), unless it holds them already. Prints the
# venv's python as its last line.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$REPO/.cache/venv"
REQUIREMENTS="$REPO/scripts/infra/python-tools.txt"
say() { echo "[python-tools] $*" >&2; }

mkdir -p "$REPO/.cache"
exec 9>"$REPO/.cache/venv.lock"
flock 9

stamp="$VENV/.requirements.sha256"
wanted="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  python="$(command -v python3 || true)"
  if [ -z "$python" ]; then
    say "python3 is not installed"
    exit 1
  fi
  say "creating .cache/venv with $($python --version) and installing scripts/infra/python-tools.txt (pip)"
  started=$SECONDS
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS" >&2
  echo "$wanted" >"$stamp"
  say "ready in $((SECONDS - started)) s"
fi
echo "$VENV/bin/python"
