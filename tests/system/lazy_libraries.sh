#!/usr/bin/env bash
# libpq and hiredis are loaded only when a scenario's sql: or redis: step runs
# (harness/client_libs.h): the binary does not link them, and a gcpsim that is up and serving
# has not mapped them. The steps themselves are checked by the backing scenarios.
# usage: lazy_libraries.sh path/to/gcpsim
set -euo pipefail
gcpsim=$1
needed=$(readelf -d "$gcpsim" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if grep -E '^lib(pq|hiredis)\.' <<< "$needed"; then
  echo "FAIL: gcpsim links the library above at start-up"
  exit 1
fi
work="$(mktemp -d)"
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
mkfifo "$work/out"
"$gcpsim" up --port 0 > "$work/out" 2> "$work/err" &
pid=$!
exec 3< "$work/out"
# Blocks until gcpsim prints its ready line (or exits, which closes the pipe).
read -r -t 60 line <&3 || { echo "FAIL: no ready line"; cat "$work/err"; exit 1; }
[[ $line == "gcpsim ready on"* ]] || { echo "FAIL: $line"; exit 1; }
port=$(sed -n 's/^gcpsim ready on [^:]*:\([0-9]*\) .*/\1/p' <<< "$line")
curl -sf "http://127.0.0.1:$port/_gcpsim/health" > /dev/null
if grep -E 'lib(pq|hiredis|krb5|ldap|gnutls)' "/proc/$pid/maps"; then
  echo "FAIL: a serving gcpsim has mapped the libraries above"
  exit 1
fi
echo "OK: ${needed//$'\n'/ }"
