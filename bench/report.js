#!/usr/bin/env node
// bench/report: runs the benches one after another and prints one markdown table: each figure,
// the reference measured in the same run (official emulator, nginx, haproxy), the ratio and
// the goal, headed by the machine, its load and the build. The figures come from the benches'
// REPORT lines (bench/lib/report.js, bench/lib/report.sh); each bench's whole output is kept
// in build/bench-report/NAME.log. Loopback only; a bench that fails is a row saying so.
//   node bench/report.js [--only startup,router,...] [--out FILE]
// Benches (in this order): startup, router, proxy, pubsub, storage, bigquery, eaili5,
// virtual-day. They need what each needs (wrk and nginx for router, redis-benchmark and
// haproxy for proxy, gcloud for the official emulator); a missing reference leaves its
// column empty.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const BIN = process.env.GCPSIM_BIN || path.join(ROOT, 'build/emulator/gcpsim');
const LOGS = path.join(ROOT, 'build/bench-report');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};

// Settings chosen so the whole report takes about 8 minutes on 2 cores.
const BENCHES = [
  { name: 'startup', cmd: ['node', 'bench/startup.js', '--official'] },
  { name: 'router', cmd: ['node', 'bench/router.js', '--duration', '8s', '--websockets', '1000'] },
  { name: 'proxy', cmd: ['bash', 'bench/proxy.sh', BIN, '200000'] },
  { name: 'pubsub', cmd: ['node', 'bench/pubsub.js', '--official', '--messages', '20000'] },
  { name: 'storage', cmd: ['node', 'bench/storage.js'] },
  { name: 'bigquery', cmd: ['node', 'bench/bigquery.js'], env: { BENCH_BQ_REPEAT: '3' } },
  { name: 'eaili5', cmd: ['node', 'bench/eaili5/websockets.js', '--concurrency', '100', '--rate', '50', '--messages', '2'] },
  { name: 'virtual-day', cmd: ['bash', 'bench/virtual-day.sh', BIN, '3'] },
];

function run(bench) {
  return new Promise((resolve) => {
    const log = fs.createWriteStream(path.join(LOGS, `${bench.name}.log`));
    const child = spawn(bench.cmd[0], bench.cmd.slice(1), {
      cwd: ROOT, env: { ...process.env, GCPSIM_BIN: BIN, ...(bench.env || {}) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const figures = [];
    let rest = '';
    child.stdout.on('data', (d) => {
      log.write(d);
      const lines = (rest + d).split('\n');
      rest = lines.pop();
      for (const l of lines) if (l.startsWith('REPORT ')) figures.push(JSON.parse(l.slice(7)));
    });
    child.stderr.on('data', (d) => log.write(d));
    const t0 = Date.now();
    child.on('exit', (code, signal) => {
      log.end();
      resolve({ figures, code, signal, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

const num = (v) => (v === null || v === undefined ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3))));

function buildType() {
  try {
    return /CMAKE_BUILD_TYPE:\w+=(\w*)/.exec(fs.readFileSync(path.join(path.dirname(path.dirname(BIN)), 'CMakeCache.txt'), 'utf8'))[1] || 'default';
  } catch {
    return 'unknown';
  }
}

function commit() {
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).toString().trim();
  } catch {
    return 'unknown';
  }
}

async function main() {
  const only = arg('only', '');
  const wanted = only ? only.split(',') : BENCHES.map((b) => b.name);
  const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
  if (unknown.length) {
    console.error(`bench/report: no bench named ${unknown.join(', ')} (benches: ${BENCHES.map((b) => b.name).join(', ')})`);
    process.exit(2);
  }
  fs.mkdirSync(LOGS, { recursive: true });
  const load0 = os.loadavg()[0];
  const rows = [];
  for (const bench of BENCHES.filter((b) => wanted.includes(b.name))) {
    process.stderr.write(`bench/report: ${bench.name} (${bench.cmd.join(' ')}) … `);
    const r = await run(bench);
    process.stderr.write(`${r.code === 0 ? 'done' : `exit ${r.code ?? r.signal}`} in ${r.seconds.toFixed(0)} s\n`);
    if (r.code !== 0) {
      rows.push(`| ${bench.name} | failed (exit ${r.code ?? r.signal}); see build/bench-report/${bench.name}.log | | | | | |`);
    }
    for (const f of r.figures) {
      const withUnit = (v) => `${v} ${f.unit}`.trim();
      const ref = f.reference ? `${withUnit(num(f.reference.value))} (${f.reference.name})` : '';
      const ratio = f.reference && f.reference.value ? num(f.value / f.reference.value) : '';
      // A goal that is a number takes the figure's unit ("< 50 ms"); one naming a reference does not.
      const goal = !f.goal ? '' : /\d$/.test(f.goal) ? withUnit(f.goal) : f.goal;
      rows.push(`| ${f.bench} | ${f.figure} | ${withUnit(num(f.value))} | ${ref} | ${ratio} | ${goal} | ${f.better} |`);
    }
  }
  const table = [
    `Machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
      `load average ${load0.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after; ` +
      `build ${buildType()} at ${commit()}; ${new Date().toISOString().slice(0, 16)}Z`,
    '',
    '| bench | figure | gcpsim | reference, same run | ratio | goal | better |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(table);
  const out = arg('out', '');
  if (out) fs.writeFileSync(out, `${table}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
