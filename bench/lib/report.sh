# One figure of a bench, as a line bench/report.js collects into its table (bench/lib/report.js
# for the fields). Source this file, then:
#   report BENCH FIGURE VALUE UNIT BETTER(higher|lower) GOAL [REFERENCE_NAME REFERENCE_VALUE]
report() {
  python3 - "$@" <<'PY'
import json, sys
bench, figure, value, unit, better, goal, *ref = sys.argv[1:]
line = {"bench": bench, "figure": figure, "value": float(f"{float(value):.4g}"), "unit": unit, "better": better}
if len(ref) == 2 and ref[1]:
    line["reference"] = {"name": ref[0], "value": float(f"{float(ref[1]):.4g}")}
if goal:
    line["goal"] = goal
print("REPORT " + json.dumps(line, ensure_ascii=False))
PY
}
