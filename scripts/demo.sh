#!/usr/bin/env bash
# The main job on the embedded default: set up the machine, then `kubeguard dev up` — local control
# plane, registry and test images, storage, CRDs, the vulnerability database, the posture /
# kubevuln / operator roles, demo workloads scanned once — and print where to look.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
node bin/kubeguard.js dev up "$@"
