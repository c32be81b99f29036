// One figure of a bench, as a line bench/report.js collects into its table:
//   REPORT {"bench":"router","figure":"CPU per request","value":45.1,"unit":"us",
//           "reference":{"name":"nginx","value":23.4},"goal":"<= nginx","better":"lower"}
// The bench still prints its own lines for a reader; this one is for the table.
'use strict';

function report(bench, figure, value, unit, { reference, goal, better = 'higher' } = {}) {
  const line = { bench, figure, value: Number.isFinite(value) ? Number(value.toPrecision(4)) : null, unit, better };
  if (reference && Number.isFinite(reference.value)) {
    line.reference = { name: reference.name, value: Number(reference.value.toPrecision(4)) };
  }
  if (goal) line.goal = goal;
  console.log(`REPORT ${JSON.stringify(line)}`);
}

module.exports = { report };
