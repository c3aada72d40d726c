#!/usr/bin/env bash
# Runs one test suite with node's test runner: unit (src/**/*.test.ts, tests beside code) or
# integration (test/integration/*.test.ts: real kube-apiserver, etcd and registry). Extra
# arguments go to node, e.g. --test-name-pattern='parseReference'.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
suite="${1:?usage: run-tests.sh unit|integration [node test flags...]}"
shift
case "$suite" in
  unit) mapfile -t files < <(find src tools -name '*.test.ts' | sort) ; concurrency=2 ;;
  integration) mapfile -t files < <(find test/integration -name '*.test.ts' | sort) ; concurrency=1 ;;
  *) echo "unknown suite: $suite (unit or integration)" >&2; exit 2 ;;
esac
if [[ ${#files[@]} -eq 0 ]]; then echo "no $suite tests found" >&2; exit 1; fi
exec node --import tsx --test --test-reporter=spec --test-concurrency="$concurrency" "$@" "${files[@]}"
