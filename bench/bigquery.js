#!/usr/bin/env node
// bench/bigquery: streaming-insert rows/s through the official @google-cloud/bigquery client,
// a GROUP BY over 1 million rows and its time, gcpsim's peak RSS, and the same query from 8
// clients at once against 8 in a row (whether requests queue behind each other).
// BENCH_BQ_ROWS sets the GROUP BY table's size (default 1,000,000).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

process.env.GCPSIM_BIN ||= path.join(__dirname, '../build/emulator/gcpsim');
const { BigQuery } = require('../tests/clients/node_modules/@google-cloud/bigquery');
const { startGcpsim } = require('../tests/clients/lib/gcpsim');

const ROWS = Number(process.env.BENCH_BQ_ROWS || 1000000);
const INSERT_ROWS = 50000;
const BATCH = 500;

function rss(pid, field = 'VmHWM') {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return (Number(m[1]) / 1024).toFixed(0);
}

async function main() {
  const sim = await startGcpsim();
  process.env.BIGQUERY_EMULATOR_HOST = sim.url;
  process.env.GCE_METADATA_HOST = new URL(sim.url).host;  // credentials from gcpsim's metadata server
  const bq = new BigQuery({ projectId: 'demo-project' });
  try {
    const [ds] = await bq.createDataset('bench');
    const [table] = await ds.createTable('events', { schema: 'id:INTEGER,user:STRING,at:TIMESTAMP,v:FLOAT' });
    let t0 = process.hrtime.bigint();
    const inflight = [];
    for (let i = 0; i < INSERT_ROWS; i += BATCH) {
      const rows = Array.from({ length: BATCH }, (_, k) => ({ id: i + k, user: `u${(i + k) % 100}`, at: new Date(1767225600000 + i + k), v: k / 3 }));
      inflight.push(table.insert(rows));
      if (inflight.length >= 8) await inflight.shift();
    }
    await Promise.all(inflight);
    let secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`insertAll: ${INSERT_ROWS} rows in batches of ${BATCH}, 8 requests in flight: ${(INSERT_ROWS / secs).toFixed(0)} rows/s`);

    t0 = process.hrtime.bigint();
    await bq.query(`CREATE TABLE bench.big AS SELECT x AS id, MOD(x, 1000) AS k, x * 0.5 AS v FROM UNNEST(GENERATE_ARRAY(1, ${ROWS})) AS x`);
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`CREATE TABLE AS SELECT of ${ROWS} rows: ${secs.toFixed(2)} s`);

    const groupBy = 'SELECT k, COUNT(*) AS n, SUM(v) AS s, AVG(v) AS a FROM bench.big GROUP BY k ORDER BY k';
    t0 = process.hrtime.bigint();
    const [groups] = await bq.query(groupBy);
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`GROUP BY over ${ROWS} rows (${groups.length} groups): ${secs.toFixed(2)} s`);

    const one = 'SELECT COUNT(*) AS n FROM bench.big WHERE MOD(id, 7) = 3';
    t0 = process.hrtime.bigint();
    for (let i = 0; i < 8; ++i) await bq.query(one);
    const serial = Number(process.hrtime.bigint() - t0) / 1e9;
    t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: 8 }, () => new BigQuery({ projectId: 'demo-project' }).query(one)));
    const parallel = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`8 scans in a row: ${serial.toFixed(2)} s; from 8 clients at once: ${parallel.toFixed(2)} s`);
    console.log(`gcpsim peak RSS: ${rss(sim.proc.pid)} MiB`);
  } finally {
    await sim.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
