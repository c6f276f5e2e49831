# Sourced by the scripts that make a Python virtual environment of pinned packages under .cache/
# (scripts/infra/ensure-python-tools.sh, scripts/bench/mediapipe/ensure-venv.sh,
# scripts/models/ensure-text-model.sh).
#
#   ensure_venv LABEL VENV REQUIREMENTS PYTHON [PIP_ARGS...]
#
# Makes VENV with PYTHON and `pip install PIP_ARGS -r REQUIREMENTS` into it, unless it holds them
# already: a sha256 stamp of REQUIREMENTS in the venv says which, so changing a line rebuilds it.
# Concurrent runs wait for each other (flock on VENV.lock). Progress goes to stderr, prefixed
# [LABEL]; the venv's python is printed on stdout as the last line.
ensure_venv() {
  local label="$1" venv="$2" requirements="$3" python="$4"
  shift 4
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
  local stamp="$venv/.requirements.sha256" wanted
  wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "[$label] creating ${venv#"$(pwd)/"} with $("$python" --version) and installing $(basename "$requirements") (pip)" >&2
    local started=$SECONDS
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "$@" -r "$requirements" >&2
    echo "$wanted" >"$stamp"
    echo "[$label] ready in $((SECONDS - started)) s" >&2
  fi
  exec 9>&-
  echo "$venv/bin/python"
}
