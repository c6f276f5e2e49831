#!/usr/bin/env bash
# Makes .cache/mediapipe-venv, a Python virtual environment holding the pinned packages of
# scripts/bench/mediapipe/requirements.txt (from PyPI, through pip), unless it holds them already: the
# MediaPipe anchor of `npm run bench:emotion` (scripts/bench/mediapipe/anchor.py). Needs Python 3.11
# (mediapipe 0.10.21's wheel here is cp311). Prints the venv's python as its last line.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../../.." && pwd)"
VENV="$REPO/.cache/mediapipe-venv"
REQUIREMENTS="$REPO/scripts/bench/mediapipe/requirements.txt"
say() { echo "[mediapipe] $*" >&2; }

mkdir -p "$REPO/.cache"
exec 9>"$REPO/.cache/mediapipe-venv.lock"
flock 9

stamp="$VENV/.requirements.sha256"
wanted="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  python="$(command -v python3.11 || command -v python3 || true)"
  if [ -z "$python" ]; then
    say "python3.11 is not installed"
    exit 1
  fi
  version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
  if [ "$version" != "3.11" ]; then
    say "$python is Python $version; the pinned mediapipe wheel needs Python 3.11"
    exit 1
  fi
  say "creating .cache/mediapipe-venv with $("$python" --version) and installing scripts/bench/mediapipe/requirements.txt (pip; about 1 GB installed)"
  started=$SECONDS
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
  # --no-deps: the requirements are the whole environment (mediapipe's opencv-contrib-python left out on purpose, see there).
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps --only-binary :all: -r "$REQUIREMENTS" >&2
  echo "$wanted" >"$stamp"
  say "ready in $((SECONDS - started)) s"
fi
echo "$VENV/bin/python"
