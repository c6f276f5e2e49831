#!/usr/bin/env bash
# Makes Poppler's command-line tools available to the report tests (test/unit/scoring/report-pdf.test.ts),
# which read the PDF reports as a person's viewer would: pdftotext (the text a reader can select and
# search), pdffonts (every font embedded), pdfinfo (page size and count) and pdftoppm (the pages as
# PNG, whose chart areas must not be blank). Installs Debian's `poppler-utils` when one is missing and
# says what it did. Prints, as its last line, the directory holding the four tools. Fast and silent
# when installed.
set -euo pipefail
say() { echo "[poppler] $*" >&2; }
TOOLS=(pdftotext pdffonts pdfinfo pdftoppm)

tools_dir() {
  local tool found=""
  for tool in "${TOOLS[@]}"; do
    found="$(command -v "$tool" 2>/dev/null)" || return 1
  done
  dirname "$(readlink -f "$found")"
}

if found="$(tools_dir)"; then
  echo "$found"
  exit 0
fi

# Parallel jest workers install once.
lock_dir=/run/lock
[ -d "$lock_dir" ] || lock_dir=/tmp
exec 9>"$lock_dir/mesh-ensure-poppler.lock"
flock 9
if found="$(tools_dir)"; then
  echo "$found"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  say "Poppler's tools are not installed, and installing Debian's poppler-utils needs root: run 'sudo apt-get install --no-install-recommends poppler-utils'"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
started=$SECONDS
if ! apt-cache policy poppler-utils 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  say "refreshing Debian's package lists (apt-get update)"
  apt-get update -qq >&2
fi
say "Poppler's tools are not installed: installing them from Debian's packages (apt-get install --no-install-recommends poppler-utils)"
apt-get install -y -qq --no-install-recommends poppler-utils >&2

found="$(tools_dir)" || {
  say "poppler-utils is installed but one of ${TOOLS[*]} is not on PATH"
  exit 1
}
say "installed $(pdftoppm -v 2>&1 | head -1) in $((SECONDS - started)) s"
echo "$found"
