#!/usr/bin/env bash
# Runs fuzz targets (default: all) for SECONDS each, FUZZ_JOBS at a time (default two) at
# nice 10, from the fuzz preset's build, and prints one line of figures per target. Work corpora, logs and crash
# inputs go to build-fuzz/fuzz-out/TARGET/; the committed seeds are only read.
#   bash tests/fuzz/run.sh 600 [TARGET...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${FUZZ_BIN:-$here/../../build-fuzz/tests/fuzz}
out=$here/../../build-fuzz/fuzz-out
secs=${1:?usage: run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(ls "$here/corpus"))
# Targets whose every input runs much of the emulator: libFuzzer's entropic schedule then
# spends most of each execution weighing tens of thousands of features (five times the
# executions without it, measured on http_edge).
heavy=" http_edge grpc_frames transcoder tokens stack_yaml scenario_yaml "
one() {
  local t=$1 d=$out/$1 extra=()
  mkdir -p "$d/corpus"
  [[ "$heavy" == *" $t "* ]] && extra=(-entropic=0)
  local start=$SECONDS
  touch "$d/.started"  # crash files of earlier runs are not this run's
  nice -n 10 "$bin/fuzz-$t" -dict="$here/dict/$t.dict" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    "${extra[@]}" -print_final_stats=1 -artifact_prefix="$d/" "$d/corpus" "$here/corpus/$t" >"$d/log" 2>&1 || true
  local ran=$((SECONDS - start))
  local last execs rate crashes
  last=$(grep -E '^#[0-9]+' "$d/log" | tail -1)
  execs=$(grep -oP 'stat::number_of_executed_units:\s*\K\d+' "$d/log" || echo '?')
  rate=$(grep -oP 'stat::average_exec_per_sec:\s*\K\d+' "$d/log" || echo '?')
  crashes=$(find "$d" -maxdepth 1 -newer "$d/.started" \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  echo "$t: ${ran}s execs=$execs exec/s=$rate cov=$(grep -oP 'cov: \K\d+' <<<"$last" || echo '?') ft=$(grep -oP 'ft: \K\d+' <<<"$last" || echo '?') corpus=$(ls "$d/corpus" | wc -l) crashes=$crashes"
}
export -f one
export bin out here secs heavy
printf '%s\n' "${targets[@]}" | xargs -P "${FUZZ_JOBS:-2}" -I{} bash -c 'one {}'
