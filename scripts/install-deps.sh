#!/usr/bin/env bash
# Installs everything gcpsim needs to build and test on Debian bookworm (run as root).
#   bash scripts/install-deps.sh               build and test
#   bash scripts/install-deps.sh --run         building gcpsim and running stacks (scripts/up.sh):
#                                              not the browser, wrk and jq, which only tests use
#   bash scripts/install-deps.sh --build-only  only what compiling gcpsim needs (docker/Dockerfile)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(cmake ninja-build ccache g++ pkg-config
      libboost-dev libboost-system-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
      libsqlite3-dev libhiredis-dev libjemalloc-dev nlohmann-json3-dev libyaml-cpp-dev catch2 libssl-dev libpq-dev
      curl ca-certificates)
mode=${1:---all}
case $mode in --all|--run|--build-only) ;; *) echo "usage: $0 [--run|--build-only]" >&2; exit 2 ;; esac
build_only=false
[ "$mode" = --build-only ] && build_only=true
if ! $build_only; then
  # What stacks run on: backing servers, Compute instances' nginx and squid, libfaketime, the
  # fixtures' Python services.
  pkgs+=(procps python3 python3-fastapi python3-uvicorn python3-httpx
         redis-server postgresql faketime nginx-light python3-flask python3-psycopg2 python3-sqlalchemy
         python3-websockets python3-celery python3-redis python3-google-auth python3-requests squid)
  command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
fi
# The test suite's own tools: the console's browser tests, the layering check, the benches.
[ "$mode" = --all ] && pkgs+=(chromium jq wrk)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
$build_only && exit 0
# PGlite with pgvector (Cloud SQL instances with extensions: [vector]): a pinned node package.
( cd "$(dirname "$0")/../emulator/services/backing/pglite" && npm ci --no-audit --no-fund --loglevel=error )
