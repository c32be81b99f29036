#!/usr/bin/env bash
# No orphans: gcpsim brings up two Compute instances (nginx in front of a Flask API on each),
# is killed with SIGKILL, and then none of the stack's processes may remain.
# usage: compute_orphans.sh path/to/gcpsim
set -euo pipefail
gcpsim=$1
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v nginx > /dev/null && [[ ! -x /usr/sbin/nginx ]] || ! python3 -c 'import flask' 2> /dev/null; then
  echo "SKIP: needs nginx-light and python3-flask"
  exit 77
fi
work="$(mktemp -d)"
pid=
trap '[[ -n $pid ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
# The scenarios' stack on ports of its own; its instances still take 127.0.1.2 and .3, so
# ctest runs it under the compute scenarios' RESOURCE_LOCK.
cp -r "$here/../scenarios/stacks/compute" "$work/compute"
sed 's/1831\([0-9]\)/1832\1/g' "$here/../scenarios/stacks/compute.yaml" > "$work/gcpsim.yaml"
"$gcpsim" up --stack "$work/gcpsim.yaml" --port 0 > "$work/out" 2> "$work/err" &
pid=$!
for _ in $(seq 600); do
  grep -q '^gcpsim ready on' "$work/out" && break
  kill -0 "$pid" 2> /dev/null || { cat "$work/err"; exit 1; }
  sleep 0.1
done
edge=$(sed -n 's/^gcpsim ready on [^:]*:\([0-9]*\) .*/\1/p' "$work/out")
# Both instances serving: every process of the stack is up.
for _ in $(seq 600); do
  serving=$(curl -s "http://127.0.0.1:$edge/_gcpsim/compute" |
            python3 -c 'import json,sys; print(sum(i["serving"] for g in json.load(sys.stdin)["instanceGroups"] for i in g["instances"]))')
  [[ $serving == 2 ]] && break
  sleep 0.1
done
[[ $serving == 2 ]] || { echo "FAIL: instances never served"; cat "$work/err"; exit 1; }
# Everything gcpsim started: its descendants (keepers, sh, nginx master and worker, python).
descendants() {
  local all=() queue=("$1") p
  while ((${#queue[@]})); do
    p=${queue[0]}; queue=("${queue[@]:1}")
    for c in $(pgrep -P "$p" || true); do all+=("$c"); queue+=("$c"); done
  done
  echo "${all[@]}"
}
procs=($(descendants "$pid"))
echo "gcpsim $pid runs ${#procs[@]} descendant processes"
((${#procs[@]} >= 8)) || { echo "FAIL: expected at least 8 (2 instances x 2 processes, keepers, nginx workers)"; ps -o pid,args "${procs[@]}"; exit 1; }
kill -9 "$pid"
wait "$pid" 2> /dev/null || true
pid=
# The keepers see gcpsim's socket close and SIGKILL their process groups; the commands die
# with their keeper (PDEATHSIG). Poll until none remains (bounded).
for _ in $(seq 100); do
  left=()
  for p in "${procs[@]}"; do kill -0 "$p" 2> /dev/null && left+=("$p"); done
  ((${#left[@]} == 0)) && { echo "PASS: no process of the stack remains"; exit 0; }
  sleep 0.1
done
echo "FAIL: orphans remain:"
ps -o pid,ppid,args "${left[@]}" || true
kill -9 "${left[@]}" 2> /dev/null || true
exit 1
