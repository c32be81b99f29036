#!/usr/bin/env node
// bench/bigquery: streaming-insert rows/s through the official @google-cloud/bigquery client,
// a GROUP BY over 1 million rows and its time, gcpsim's peak RSS, and the same query from 8
// clients at once against 8 in a row (whether requests queue behind each other), with the
// latency of a datasets.get sent while the 8 run.
// BENCH_BQ_ROWS sets the GROUP BY table's size (default 1,000,000); BENCH_BQ_REPEAT how many
// times the serial/parallel comparison runs (default 5; the median is printed).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

process.env.GCPSIM_BIN ||= path.join(__dirname, '../build/emulator/gcpsim');
const { BigQuery } = require('../tests/clients/node_modules/@google-cloud/bigquery');
const { startGcpsim } = require('../tests/clients/lib/gcpsim');
const { report } = require('./lib/report');

const ROWS = Number(process.env.BENCH_BQ_ROWS || 1000000);
const REPEAT = Number(process.env.BENCH_BQ_REPEAT || 5);
const INSERT_ROWS = 50000;
const BATCH = 500;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const since = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

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
    report('bigquery', `insertAll, batches of ${BATCH}, 8 in flight`, INSERT_ROWS / secs, 'rows/s');

    t0 = process.hrtime.bigint();
    await bq.query(`CREATE TABLE bench.big AS SELECT x AS id, MOD(x, 1000) AS k, x * 0.5 AS v FROM UNNEST(GENERATE_ARRAY(1, ${ROWS})) AS x`);
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`CREATE TABLE AS SELECT of ${ROWS} rows: ${secs.toFixed(2)} s`);

    const groupBy = 'SELECT k, COUNT(*) AS n, SUM(v) AS s, AVG(v) AS a FROM bench.big GROUP BY k ORDER BY k';
    t0 = process.hrtime.bigint();
    const [groups] = await bq.query(groupBy);
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`GROUP BY over ${ROWS} rows (${groups.length} groups): ${secs.toFixed(2)} s`);
    report('bigquery', `GROUP BY over ${ROWS} rows`, secs, 's', { better: 'lower' });

    const one = 'SELECT COUNT(*) AS n FROM bench.big WHERE MOD(id, 7) = 3';
    const clients = Array.from({ length: 8 }, () => new BigQuery({ projectId: 'demo-project' }));
    const serial = [], parallel = [], getDuring = [];
    for (let r = 0; r < REPEAT; ++r) {
      t0 = process.hrtime.bigint();
      for (let i = 0; i < 8; ++i) await bq.query(one);
      serial.push(since(t0));
      t0 = process.hrtime.bigint();
      const scans = Promise.all(clients.map((c) => c.query(one)));
      // Another API call while the 8 scans run: answered by the engine, not queued behind them.
      await new Promise((res) => setTimeout(res, 20));
      const g0 = process.hrtime.bigint();
      await bq.dataset('bench').get();
      getDuring.push(since(g0) * 1000);
      await scans;
      parallel.push(since(t0));
    }
    const fmt = (xs) => xs.map((x) => x.toFixed(2)).join(' ');
    console.log(`8 scans in a row (s): ${fmt(serial)}; median ${median(serial).toFixed(2)}`);
    console.log(`8 scans from 8 clients at once (s): ${fmt(parallel)}; median ${median(parallel).toFixed(2)}`);
    console.log(`parallel / serial (medians): ${(median(parallel) / median(serial)).toFixed(2)}`);
    console.log(`datasets.get while the 8 scans run (ms): ${fmt(getDuring)}; median ${median(getDuring).toFixed(1)}`);
    console.log(`gcpsim peak RSS: ${rss(sim.proc.pid)} MiB`);
    report('bigquery', '8 scans from 8 clients at once / 8 in a row (medians)', median(parallel) / median(serial), '',
           { goal: '≈ 0.5 on 2 idle cores', better: 'lower' });
    report('bigquery', 'datasets.get while 8 scans run (median)', median(getDuring), 'ms', { better: 'lower' });
    report('bigquery', 'peak RSS', Number(rss(sim.proc.pid)), 'MiB', { better: 'lower' });
  } finally {
    await sim.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
