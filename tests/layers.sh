#!/usr/bin/env bash
# The layering rules of docs/architecture.md, checked: the build refuses an include across a
# forbidden edge (probed with each layer's real compile flags), and the source keeps what the
# compiler cannot see — one service reaching into another service's internals.
# Usage: layers.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$1 build=$2
cd "$src/emulator" || exit 2
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# 1. Lower layers never name upper ones in an include.
hits=$(grep -rn '#include "services/\|#include "control/\|#include "app/' core net proc 2>/dev/null)
[[ -z $hits ]] || bad "core/net/proc include services, control or app:"$'\n'"$hits"
hits=$(grep -rn '#include "control/\|#include "app/' services)
[[ -z $hits ]] || bad "a service includes control/ or app/:"$'\n'"$hits"
hits=$(grep -rn '#include "app/' control)
[[ -z $hits ]] || bad "control includes app/:"$'\n'"$hits"

# 2. A service includes another service only through its service.h. Exceptions, each with
# the reason it still stands (file: include).
# The load balancer and the instances' metadata views are frontends of the Cloud Run router,
# so Compute reuses Run's proxy instead of keeping a second one.
allowed=("compute/lb.h: services/run/router.h" "compute/metadata.h: services/run/router.h"
         "compute/service.cc: services/run/router.h"
         # BigQuery load jobs read multipart uploads with Storage's RFC 2046 reader, which still
         # reports Storage's errors; it belongs in net/ once it reports its own.
         "bigquery/api.cc: services/storage/multipart.h")
while IFS= read -r line; do
  file=${line%%:*}; inc=${line#*#include \"}; inc=${inc%\"*}
  own=${file#services/}; own=${own%%/*}
  other=${inc#services/}; other=${other%%/*}
  [[ $inc == services/service.h || $other == "$own" || $inc == "services/$other/service.h" ]] && continue
  key="${file#services/}: $inc"
  printf '%s\n' "${allowed[@]}" | grep -qxF "$key" || bad "$file reaches into another service: $inc"
done < <(grep -rn '#include "services/' services)

# 3. The compiler enforces the edges: with a layer's own flags, a header of a layer above it
# is not found. A header of a layer below is (so a failing probe means the edge, not the probe).
db=$build/compile_commands.json
[[ -f $db ]] || { echo "FAIL: $db missing"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
probe() {  # probe LAYER HEADER expect(found|missing)
  local layer=$1 header=$2 expect=$3 cmd out
  # By the object's target (gcpsim_LAYER): a unity build compiles generated batch files, not
  # the layer's own .cc files.
  cmd=$(jq -r --arg d "/gcpsim_$layer.dir/" '[.[] | select(.command | contains($d))][0].command' "$db")
  [[ $cmd != null ]] || { bad "no compile command for a file in $layer/"; return; }
  cmd=$(sed -E 's/(^| )-o [^ ]+/ /; s/(^| )-c [^ ]+/ /; s/^[^ ]*ccache //' <<<"$cmd")
  printf '#include "%s"\n' "$header" >"$tmp/probe.cc"
  out=$(cd "$build" && eval "$cmd -fsyntax-only $tmp/probe.cc" 2>&1)
  if grep -q "$header: No such file" <<<"$out"; then
    [[ $expect == missing ]] || bad "$layer/ cannot include $header"
  elif [[ -z $out ]]; then
    [[ $expect == found ]] || bad "$layer/ can include $header"
  else
    bad "probe of $header from $layer/ failed otherwise: $out"
  fi
}
probe core core/status.h found
probe core net/http.h missing
probe net core/status.h found
probe net services/service.h missing
probe net control/emulator.h missing
probe net app/server.h missing
probe proc net/http.h found
probe proc services/service.h missing
probe services proc/supervisor.h found
probe services net/http.h found
probe services control/emulator.h missing
probe services app/server.h missing
probe control services/service.h found
probe control app/server.h missing
probe app control/emulator.h found

[[ $fail == 0 ]] && echo "layers: ok"
exit $fail
