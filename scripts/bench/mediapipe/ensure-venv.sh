#!/usr/bin/env bash
# Makes .cache/mediapipe-venv, a Python virtual environment holding the pinned packages of
# scripts/bench/mediapipe/requirements.txt (from PyPI, through pip; about 1 GB installed), unless it
# holds them already: the MediaPipe anchor of `npm run bench:emotion` (scripts/bench/mediapipe/anchor.py).
# Needs Python 3.11 (mediapipe 0.10.21's wheel here is cp311). Prints the venv's python as its last line.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../../.." && pwd)"
source "$REPO/scripts/infra/lib/python-venv.sh"

python="$(command -v python3.11 || command -v python3 || true)"
if [ -z "$python" ]; then
  echo "[mediapipe] python3.11 is not installed" >&2
  exit 1
fi
version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
if [ "$version" != "3.11" ]; then
  echo "[mediapipe] $python is Python $version; the pinned mediapipe wheel needs Python 3.11" >&2
  exit 1
fi
# --no-deps: the requirements are the whole environment (mediapipe's opencv-contrib-python left out on purpose, see there).
ensure_venv mediapipe "$REPO/.cache/mediapipe-venv" "$REPO/scripts/bench/mediapipe/requirements.txt" "$python" --no-deps --only-binary :all:
