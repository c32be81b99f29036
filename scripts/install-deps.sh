#!/usr/bin/env bash
# Installs everything gcpsim needs to build and test on Debian bookworm (run as root).
#   bash scripts/install-deps.sh               build and test
#   bash scripts/install-deps.sh --build-only  only what compiling gcpsim needs (docker/Dockerfile)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(cmake ninja-build ccache g++ pkg-config
      libboost-dev libboost-system-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
      libsqlite3-dev libhiredis-dev libjemalloc-dev nlohmann-json3-dev libyaml-cpp-dev catch2 libssl-dev libpq-dev
      curl ca-certificates)
build_only=false
[ "${1:-}" = --build-only ] && build_only=true
if ! $build_only; then
  pkgs+=(procps jq python3 python3-fastapi python3-uvicorn python3-httpx
         redis-server postgresql faketime wrk chromium nginx-light python3-flask python3-psycopg2 python3-sqlalchemy
         python3-websockets python3-celery python3-redis python3-google-auth python3-requests squid)
  command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
fi
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
