#!/usr/bin/env bash
# Installs dependencies, builds gcpsim and brings it up on embedded defaults
# (or with the stack file given as the first argument).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default
if [ $# -gt 0 ]; then
  exec ./build/emulator/gcpsim up --stack "$@"
fi
exec ./build/emulator/gcpsim up
