#!/usr/bin/env bash
# `npm test`: type-check, then every jest suite (unit, then integration against real PostgreSQL and
# RabbitMQ, which the integration set-up installs and starts when they are missing).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== type-check (tsc --noEmit)"
npx tsc --noEmit -p .

echo "== jest"
# PGlite loads its WebAssembly with import(), which jest's sandbox allows only with VM modules on.
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --disable-warning=ExperimentalWarning"
mkdir -p .cache
status=0
npx jest --json --outputFile=.cache/jest-results.json "$@" || status=$?
# The plain summary line CI reads, whatever the runner.
node -e 'const r = require("./.cache/jest-results.json"); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' || true
exit "$status"
