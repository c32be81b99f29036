#!/usr/bin/env bash
# Installs dependencies, builds gcpsim and brings it up on embedded defaults
# (or with the stack file given as the first argument, after `npm ci` for the Node services
# under its directory).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --run
cmake --preset default >/dev/null
# Only what `gcpsim up` runs: the unit tests and benchmarks are scripts/test.sh's to build.
cmake --build --preset default --target gcpsim
if [ $# -gt 0 ]; then
  # Node services in the stack's tree get their pinned packages, as their team's CI would.
  find "$(dirname "$1")" -name package-lock.json -not -path '*/node_modules/*' | while read -r lock; do
    dir=$(dirname "$lock")
    [ -d "$dir/node_modules" ] || (cd "$dir" && npm ci --no-audit --no-fund)
  done
  exec ./build/emulator/gcpsim up --stack "$@"
fi
exec ./build/emulator/gcpsim up
