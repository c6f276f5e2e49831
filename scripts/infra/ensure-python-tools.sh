#!/usr/bin/env bash
# Makes .cache/venv, a Python virtual environment holding the pinned packages of
# scripts/infra/python-tools.txt (from PyPI, through pip), unless it holds them already. Prints the
# venv's python as its last line.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
source "$REPO/scripts/infra/lib/python-venv.sh"

python="$(command -v python3 || true)"
if [ -z "$python" ]; then
  echo "[python-tools] python3 is not installed" >&2
  exit 1
fi
ensure_venv python-tools "$REPO/.cache/venv" "$REPO/scripts/infra/python-tools.txt" "$python"
