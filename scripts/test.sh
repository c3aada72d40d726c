#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up, lint and format, type check, unit tests, then
# integration tests against a real etcd, kube-apiserver and registry (each test starts and stops
# its own, on free ports and in a temporary state directory).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
echo "== lint and format"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
echo "== type check"
npx tsc -p tsconfig.json --noEmit
echo "== unit tests"
bash scripts/run-tests.sh unit
echo "== integration tests"
bash scripts/run-tests.sh integration
