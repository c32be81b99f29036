#!/usr/bin/env bash
# bench/proxy: the TCP fault proxy's cost. Brings gcpsim up with a redis backing server and runs
# redis-benchmark against the server's private port (direct) and against the proxy, with no
# fault active, then with a 5ms latency fault. Prints requests/s, the proxy/direct ratio
# (goal >= 0.9), the average latency each way, and the CPU gcpsim (the proxy) and
# redis-server spend per request through the proxy (steadier than rates on a busy machine).
# When haproxy is installed (Debian `haproxy`; not a dependency), the same runs go through it
# in TCP mode (one thread) as a reference for what a mature relay reaches on this machine.
# usage: bench/proxy.sh [path/to/gcpsim] [requests]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/report.sh"
gcpsim="${1:-$here/../build/emulator/gcpsim}"
n="${2:-200000}"
work="$(mktemp -d)"
hpid=
trap 'kill "$pid" $hpid 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
printf 'backing:\n  redis: {}\n' > "$work/gcpsim.yaml"
"$gcpsim" up --stack "$work/gcpsim.yaml" --port 0 > "$work/out" 2> "$work/err" &
pid=$!
until grep -q '^gcpsim ready on' "$work/out"; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/err"; exit 1; }
  sleep 0.1
done
edge=$(sed -n 's/^gcpsim ready on [^:]*:\([0-9]*\) .*/\1/p' "$work/out")
info=$(curl -s "http://127.0.0.1:$edge/_gcpsim/backing")
proxy=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["servers"]["redis"]["port"])' <<< "$info")
direct=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["servers"]["redis"]["upstreamPort"])' <<< "$info")

# "test","rps",avg_latency_ms,... → "rps avg_ms" for one test
bench() {  # port test extra-args...
  local port=$1 t=$2
  shift 2
  redis-benchmark -h 127.0.0.1 -p "$port" -t "$t" --csv "$@" | awk -F'"' -v t="$(echo "$t" | tr a-z A-Z)" '$2 ~ "^"t {print $4, $6}' | head -1
}
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
declare -A share  # the proxy's share of direct throughput per test, for the report

echo "proxy bench: redis-benchmark, $n requests, 50 clients (direct port $direct, proxy port $proxy)"
for t in set get; do
  read -r d_rps d_ms < <(bench "$direct" "$t" -n "$n" -c 50)
  read -r p_rps p_ms < <(bench "$proxy" "$t" -n "$n" -c 50)
  echo "  $t: direct $d_rps req/s, proxy $p_rps req/s, ratio $(ratio "$p_rps" "$d_rps") (goal >= 0.9); avg latency direct ${d_ms} ms, proxy ${p_ms} ms"
  share[$t]=$(ratio "$p_rps" "$d_rps")
  read -r d_rps d_ms < <(bench "$direct" "$t" -n "$n" -c 50 -P 16)
  read -r p_rps p_ms < <(bench "$proxy" "$t" -n "$n" -c 50 -P 16)
  echo "  $t pipelined x16: direct $d_rps req/s, proxy $p_rps req/s, ratio $(ratio "$p_rps" "$d_rps")"
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rpid=$(pgrep -f "redis-server 127.0.0.1:$direct" | head -1)
g0=$(ticks "$pid"); r0=$(ticks "$rpid")
bench "$proxy" get -n "$n" -c 50 > /dev/null
g1=$(ticks "$pid"); r1=$(ticks "$rpid")
hz=$(getconf CLK_TCK)
cpu_get=$(python3 -c "print(f'{($g1-$g0)*1e6/$hz/$n:.1f}')")
echo "  CPU per get through the proxy: gcpsim $cpu_get us, redis-server $(python3 -c "print(f'{($r1-$r0)*1e6/$hz/$n:.1f}')") us"
declare -A hshare
hcpu_get=
if command -v haproxy > /dev/null; then
  hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'global\n  nbthread 1\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\nlisten redis\n  bind 127.0.0.1:%s\n  server s 127.0.0.1:%s\n' \
    "$hport" "$direct" > "$work/haproxy.cfg"
  haproxy -f "$work/haproxy.cfg" -db > /dev/null 2>&1 &
  hpid=$!
  until redis-cli -p "$hport" ping > /dev/null 2>&1; do sleep 0.1; done
  for t in set get; do
    read -r d_rps d_ms < <(bench "$direct" "$t" -n "$n" -c 50)
    read -r h_rps h_ms < <(bench "$hport" "$t" -n "$n" -c 50)
    echo "  reference: haproxy (TCP mode, 1 thread) $t: direct $d_rps req/s, haproxy $h_rps req/s, ratio $(ratio "$h_rps" "$d_rps")"
    hshare[$t]=$(ratio "$h_rps" "$d_rps")
  done
  h0=$(ticks "$hpid"); r0=$(ticks "$rpid")
  bench "$hport" get -n "$n" -c 50 > /dev/null
  h1=$(ticks "$hpid"); r1=$(ticks "$rpid")
  hcpu_get=$(python3 -c "print(f'{($h1-$h0)*1e6/$hz/$n:.1f}')")
  echo "  reference: CPU per get through haproxy: haproxy $hcpu_get us, redis-server $(python3 -c "print(f'{($r1-$r0)*1e6/$hz/$n:.1f}')") us"
  kill "$hpid"
  hpid=
fi
for t in get set; do
  report proxy "Redis $t throughput, share of direct (50 clients)" "${share[$t]}" "" higher ">= haproxy" haproxy "${hshare[$t]:-}"
done
report proxy "CPU per Redis get" "$cpu_get" us lower "< haproxy" haproxy "$hcpu_get"
read -r d_rps d_ms < <(bench "$direct" ping -n 20000 -c 1)
read -r p_rps p_ms < <(bench "$proxy" ping -n 20000 -c 1)
echo "  ping, 1 client: direct ${d_ms} ms, proxy ${p_ms} ms: the proxy adds $(python3 -c "print(f'{($p_ms-$d_ms)*1000:.0f}')") us per round trip"
curl -s "http://127.0.0.1:$edge/_gcpsim/faults" -H 'content-type: application/json' \
  -d '{"match":{"boundary":"proxy","service":"redis"},"action":{"delay":"5ms"}}' > /dev/null
read -r f_rps f_ms < <(bench "$proxy" ping -n 400 -c 1)
echo "  ping, 1 client, 5ms latency fault: proxy ${f_ms} ms (added $(python3 -c "print(f'{$f_ms-$d_ms:.2f}')") ms)"

# Cloud SQL: Debian's PostgreSQL next to the pgvector instance (PGlite), direct and through
# the proxy, with pgbench (extended protocol, 4 clients, 5 s each). Skipped when PGlite's
# node package is not installed (emulator/services/backing/pglite: npm ci).
pgbench="$(ls -d /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1)"
if [ -n "$pgbench" ] && [ -d "$here/../emulator/services/backing/pglite/node_modules/@electric-sql/pglite-socket" ]; then
  printf 'backing:\n  postgres:\n    debian: {}\n    vectors: {extensions: [vector]}\n' > "$work/pg.yaml"
  "$gcpsim" up --stack "$work/pg.yaml" --port 0 > "$work/pg.out" 2> "$work/pg.err" &
  pgpid=$!
  trap 'kill "$pid" $hpid $pgpid 2>/dev/null || true; wait "$pid" "$pgpid" 2>/dev/null || true; rm -rf "$work"' EXIT
  until grep -q '^gcpsim ready on' "$work/pg.out"; do
    kill -0 "$pgpid" 2>/dev/null || { cat "$work/pg.err"; exit 1; }
    sleep 0.2
  done
  pedge=$(sed -n 's/^gcpsim ready on [^:]*:\([0-9]*\) .*/\1/p' "$work/pg.out")
  pinfo=$(curl -s "http://127.0.0.1:$pedge/_gcpsim/backing")
  port_of() { python3 -c "import json,sys; print(json.load(sys.stdin)['servers']['$1']['$2'])" <<< "$pinfo"; }
  printf 'SELECT 1;\n' > "$work/select1.sql"
  printf '\\set k random(1, 1000)\nSELECT id FROM items ORDER BY embedding <-> (SELECT embedding FROM items WHERE id = :k) LIMIT 5;\n' > "$work/knn.sql"
  tps() {  # port script
    "$pgbench" -n -h 127.0.0.1 -p "$1" -U postgres -M extended -c 4 -T 5 -f "$2" postgres 2>&1 |
      awk '/^latency average/ {ms = $4} /^tps = / {tps = $3} END {printf "%.0f tps, %s ms", tps, ms}'
  }
  echo "Cloud SQL: pgbench -M extended, 4 clients, 5 s (transactions/s, average latency)"
  for server in postgres-debian postgres-vectors; do
    engine=$(port_of "$server" engine)
    dp=$(port_of "$server" upstreamPort)
    pp=$(port_of "$server" port)
    echo "  $server ($engine) SELECT 1: direct $(tps "$dp" "$work/select1.sql"), proxy $(tps "$pp" "$work/select1.sql")"
  done
  vp=$(port_of postgres-vectors port)
  psql -X -q -h 127.0.0.1 -p "$vp" -U postgres -d postgres -c "CREATE TABLE items (id int PRIMARY KEY, embedding vector(64))" \
    -c "INSERT INTO items SELECT i, (SELECT array_agg(random())::vector(64) FROM generate_series(1, 64) WHERE i > 0) FROM generate_series(1, 1000) i" \
    -c "CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)"
  echo "  postgres-vectors 5-NN of 1000 vector(64) with HNSW: proxy $(tps "$vp" "$work/knn.sql")"
fi
