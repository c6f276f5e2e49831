#!/usr/bin/env bash
# `npm test`: the linters (ESLint, Prettier, the layering check), type-check, then every jest suite:
# unit and integration (against real PostgreSQL and RabbitMQ, which the integration set-up installs
# and starts when they are missing), the security suite on those servers, then the fault suite on
# servers of its own, and last the browser suite (Debian's Chromium, a fake camera). Arguments, if
# any, go to a single jest run instead (no linters).
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p .cache
if [ "$#" -eq 0 ]; then
  # The quick tools first (the unit tests need the code generators), then Consul and Jaeger, built
  # from source the first time (minutes each on a cold machine), in the background during the
  # type-check and the unit tests, and waited for before the integration tests.
  bash scripts/infra/ensure-codegen-plugins.sh >/dev/null
  bash scripts/infra/ensure-grpcurl.sh >/dev/null
  bash scripts/infra/ensure-consul.sh > .cache/ensure-consul.log 2>&1 &
  consul_build=$!
  bash scripts/infra/ensure-jaeger.sh > .cache/ensure-jaeger.log 2>&1 &
  jaeger_build=$!
  # The scoring service's sentence-embedding model (.cache/models/all-minilm-l6-v2, ~30 s the first
  # time, instant after), which the unit tests need: waited for right before them.
  bash scripts/models/ensure-text-model.sh > /dev/null 2> .cache/ensure-text-model.log &
  text_model=$!
  # Debian's Chromium for the browser suite (~25 s the first time: apt-get), waited for before the
  # unit tests, whose report test may install Poppler with apt-get too.
  bash scripts/infra/ensure-chromium.sh > .cache/ensure-chromium.log 2>&1 &
  chromium_install=$!
fi

if [ "$#" -eq 0 ]; then
  echo "== lint (eslint, prettier --check, dependency-cruiser)"
  npm run -s lint
fi

echo "== type-check (tsc --noEmit)"
npx tsc --noEmit -p .

echo "== jest"
# PGlite loads its WebAssembly with import(), which jest's sandbox allows only with VM modules on.
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --disable-warning=ExperimentalWarning"
rm -f .cache/jest-results*.json
status=0
if [ "$#" -gt 0 ]; then
  # A chosen subset, e.g. `npm run test:faults` (--selectProjects faults).
  bash scripts/models/ensure-text-model.sh > /dev/null
  npx jest --json --outputFile=.cache/jest-results.json "$@" || status=$?
else
  echo "== waiting for the text model (log: .cache/ensure-text-model.log)"
  wait "$text_model" || { echo "Text model set-up failed:"; tail -20 .cache/ensure-text-model.log; }
  echo "== waiting for Chromium (log: .cache/ensure-chromium.log)"
  wait "$chromium_install" || { echo "Chromium install failed:"; tail -20 .cache/ensure-chromium.log; }
  npx jest --json --outputFile=.cache/jest-results.json --selectProjects unit || status=$?
  echo "== waiting for the Consul build (log: .cache/ensure-consul.log)"
  wait "$consul_build" || { echo "Consul build failed:"; tail -20 .cache/ensure-consul.log; }
  echo "== waiting for the Jaeger build (log: .cache/ensure-jaeger.log)"
  wait "$jaeger_build" || { echo "Jaeger build failed:"; tail -20 .cache/ensure-jaeger.log; }
  npx jest --json --outputFile=.cache/jest-results-integration.json --selectProjects integration || status=$?
  # Attacks a mesh of its own from outside, floods included: alone, so that no other test shares its limits.
  echo "== security suite"
  npx jest --json --outputFile=.cache/jest-results-security.json --selectProjects security || status=$?
  # The fault suite restarts its own PostgreSQL and RabbitMQ: alone, after the rest.
  echo "== fault suite"
  npx jest --json --outputFile=.cache/jest-results-faults.json --selectProjects faults --runInBand || status=$?
  # Debian's Chromium (playwright-core) with a fake camera made from the fixture photographs: the
  # harness's own page, the web app against a test double of the gateway's API (the states a mesh
  # cannot be made to show), and the web app end to end against a mesh of real processes (its
  # set-up makes PostgreSQL and RabbitMQ reachable as the integration suite's does). Last, and one
  # file at a time: a browser is the heaviest client on two cores.
  echo "== browser suite (Chromium, fake camera, axe-core; screenshots in .cache/browser/screenshots)"
  npx jest --json --outputFile=.cache/jest-results-browser.json --selectProjects browser --runInBand || status=$?
fi
# The plain summary line CI reads, whatever the runner.
node -e '
  const fs = require("fs");
  const runs = [".cache/jest-results.json", ".cache/jest-results-integration.json", ".cache/jest-results-security.json", ".cache/jest-results-faults.json", ".cache/jest-results-browser.json"].filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
  console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);
' || true
exit "$status"
