#!/usr/bin/env bash
# bench/lb: what the Compute load balancer adds. One instance runs nginx answering a small
# static body on its own address (127.0.1.N:8080); wrk measures requests/s and latency
# against that nginx directly (the reference: the instance alone) and through the load
# balancer's forwarding port. Prints both, the ratio and the added latency, and the CPU
# gcpsim spends per request. Loopback only; bounded in time.
# usage: bench/lb.sh [path/to/gcpsim] [seconds] [connections]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
gcpsim="${1:-$here/../build/emulator/gcpsim}"
secs="${2:-10}"
conns="${3:-32}"
command -v wrk > /dev/null || { echo "needs wrk (Debian wrk)"; exit 1; }
work="$(mktemp -d)"
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/nginx.sh" <<'SH'
#!/bin/sh
dir=$(mktemp -d)
cat > "$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server { listen $INSTANCE_IP:8080; location / { return 200 "hello from the instance\n"; } }
}
CONF
exec "$(command -v nginx || echo /usr/sbin/nginx)" -e stderr -c "$dir/nginx.conf"
SH
lbport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/gcpsim.yaml" <<YAML
compute:
  instance_groups:
    web:
      size: 1
      named_ports: {http: 8080}
      processes:
        nginx: {command: [sh, nginx.sh], ready: {port: 8080}}
  load_balancers:
    lb: {port: $lbport, default_backend: {group: web}}
YAML
"$gcpsim" up --stack "$work/gcpsim.yaml" --port 0 > "$work/out" 2> "$work/err" &
pid=$!
until grep -q '^gcpsim ready on' "$work/out"; do
  kill -0 "$pid" 2> /dev/null || { cat "$work/err"; exit 1; }
  sleep 0.1
done
edge=$(sed -n 's/^gcpsim ready on [^:]*:\([0-9]*\) .*/\1/p' "$work/out")
addr=
until [[ -n $addr ]]; do
  addr=$(curl -s "http://127.0.0.1:$edge/_gcpsim/compute" | python3 -c '
import json,sys
for g in json.load(sys.stdin)["instanceGroups"]:
    for i in g["instances"]:
        if i["serving"]: print(i["address"])')
  sleep 0.1
done
run() {  # url → "rps avg_latency"
  wrk -t 1 -c "$conns" -d "${secs}s" --latency "$1" | awk '/Requests\/sec/ {r=$2} /^    Latency/ {l=$2} END {print r, l}'
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
echo "lb bench: wrk, 1 thread, $conns connections, ${secs}s each; instance nginx at $addr:8080, load balancer at 127.0.0.1:$lbport"
read -r d_rps d_lat < <(run "http://$addr:8080/")
g0=$(ticks "$pid")
read -r l_rps l_lat < <(run "http://127.0.0.1:$lbport/")
g1=$(ticks "$pid")
hz=$(getconf CLK_TCK)
total=$(python3 -c "print(int($l_rps * $secs))")
echo "  direct (nginx alone): $d_rps req/s, avg latency $d_lat"
echo "  through the LB:       $l_rps req/s, avg latency $l_lat"
echo "  ratio LB/direct: $(python3 -c "print(f'{$l_rps/$d_rps:.2f}')")"
echo "  gcpsim CPU per request through the LB: $(python3 -c "print(f'{($g1-$g0)*1e6/$hz/max($total,1):.1f}')") us"
