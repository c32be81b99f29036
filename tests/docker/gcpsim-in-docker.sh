#!/usr/bin/env bash
# A stand-in for the gcpsim binary that runs it in the gcpsim image instead, so a client suite
# written against `gcpsim up` (tests/clients/lib/gcpsim.js) runs unchanged against the
# container: host network, the same arguments, --data-dir and --stack paths bind-mounted at
# the same place, SIGTERM passed on (docker run proxies signals) and the container removed.
#   GCPSIM_BIN=tests/docker/gcpsim-in-docker.sh GCPSIM_IMAGE=gcpsim:test node --test …
set -euo pipefail
mounts=()
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --data-dir) mkdir -p "${args[$((i + 1))]}"; chmod 777 "${args[$((i + 1))]}"
                mounts+=(-v "${args[$((i + 1))]}:${args[$((i + 1))]}") ;;
    --stack) dir=$(dirname "$(readlink -f "${args[$((i + 1))]}")"); mounts+=(-v "$dir:$dir:ro") ;;
  esac
done
# Named after this pid, which exec keeps: the test finds the container (and gcpsim) by it.
exec /usr/bin/docker run --rm --name "gcpsim-test-$$" --network host --label gcpsim-test=1 -e GCPSIM_DATA_DIR= "${mounts[@]}" \
  "${GCPSIM_IMAGE:-gcpsim:test}" "$@"
