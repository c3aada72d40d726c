#!/usr/bin/env bash
# The main job on the embedded default: set up the machine, start the local control plane and
# registry, push the test images, and print how to reach them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
node bin/kubeguard.js dev up
