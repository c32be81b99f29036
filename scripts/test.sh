#!/usr/bin/env bash
# Installs dependencies, builds everything and runs the whole test suite through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default
status=0
ctest --preset default "$@" || status=$?
# ctest prints a failing test's output where it ends, among hundreds of lines; repeat the end
# of each one last, where a CI log's tail shows it.
if [ "$status" -ne 0 ] && [ -s build/Testing/Temporary/LastTestsFailed.log ]; then
  while IFS= read -r line; do
    name=${line#*:}
    echo "======== failed: $name (its last 60 lines of output)"
    awk -v name="$name" '
      $0 ~ /^[0-9]+\/[0-9]+ Testing: / && substr($0, index($0, "Testing: ") + 9) == name { on = 1; next }
      on && $0 == "<end of output>" { exit }
      on && started { print }
      on && /^Output:$/ { getline; started = 1 }
    ' build/Testing/Temporary/LastTest.log | tail -n 60
  done < build/Testing/Temporary/LastTestsFailed.log
fi
exit "$status"
