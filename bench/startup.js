#!/usr/bin/env node
// bench/startup: time from exec to the first successful API call (Pub/Sub CreateTopic over
// REST) and idle memory (RSS, PSS, private), median of 5 runs. `--official` measures the
// official Pub/Sub emulator (gcloud beta emulators pubsub start) the same way, side by side.
'use strict';
const { freePort } = require('../tests/clients/lib/gcpsim');
const { report } = require('./lib/report');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const RUNS = 5;
const BIN = process.env.GCPSIM_BIN || path.join(__dirname, '../build/emulator/gcpsim');

// Retries as fast as the kernel refuses the connection: no fixed sleeps, no timers.
async function firstSuccess(port, deadlineMs) {
  const url = `http://127.0.0.1:${port}/v1/projects/demo-project/topics/bench-topic`;
  const start = performance.now();
  for (;;) {
    try {
      const res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (res.ok) return;
    } catch (e) {
      if (performance.now() - start > deadlineMs) throw new Error(`no answer on port ${port}: ${e.message}`);
    }
    await new Promise((r) => setImmediate(r));
  }
}

// Memory of the process tree (the official emulator runs java under a wrapper), in MiB:
// RSS, and from smaps_rollup PSS (shared pages divided among the processes that map them)
// and private pages. Most of gcpsim's idle RSS is shared library pages, which PSS discounts.
function memoryMiB(pid) {
  const kids = (() => { try { return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean); } catch { return []; } })();
  const mem = { rss: 0, pss: 0, priv: 0 };
  try {
    const r = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (name) => Number((new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(r) || [0, 0])[1]);
    mem.rss = kb('Rss') / 1024;
    mem.pss = kb('Pss') / 1024;
    mem.priv = (kb('Private_Clean') + kb('Private_Dirty')) / 1024;
  } catch { /* exited */ }
  for (const k of kids) {
    const m = memoryMiB(Number(k));
    mem.rss += m.rss; mem.pss += m.pss; mem.priv += m.priv;
  }
  return mem;
}

async function measure(kind) {
  const port = await freePort();
  const t0 = performance.now();
  const proc = kind === 'gcpsim'
    ? spawn(BIN, ['up', '--port', String(port)], { stdio: 'ignore' })
    : spawn('gcloud', ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`, '--project=demo-project'],
      { stdio: 'ignore', detached: true });
  await firstSuccess(port, 60000);
  const startupMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 500));  // let it settle before reading idle memory
  const mem = memoryMiB(proc.pid);
  if (kind === 'gcpsim') proc.kill('SIGTERM'); else process.kill(-proc.pid, 'SIGTERM');
  await new Promise((r) => proc.on('exit', r));
  return { startupMs, mem };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Prints one line per kind and returns the medians.
async function measureRuns(kind) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(kind));
  const s = runs.map((r) => r.startupMs);
  const mem = (k) => median(runs.map((r) => r.mem[k]));
  console.log(`${kind.padEnd(8)} exec→first CreateTopic: median ${median(s).toFixed(1)} ms ` +
    `(runs: ${s.map((x) => x.toFixed(1)).join(', ')}); idle memory, medians: RSS ${mem('rss').toFixed(1)} MiB, ` +
    `PSS ${mem('pss').toFixed(1)} MiB, private ${mem('priv').toFixed(1)} MiB`);
  return { startupMs: median(s), pss: mem('pss'), priv: mem('priv') };
}

(async () => {
  const g = await measureRuns('gcpsim');
  const o = process.argv.includes('--official') ? await measureRuns('official') : null;
  report('startup', 'exec to first CreateTopic', g.startupMs, 'ms',
         { reference: o && { name: 'official emulator', value: o.startupMs }, goal: '< 50', better: 'lower' });
  // PSS splits shared library pages among the processes mapping them: it is lower when other
  // gcpsim (or gRPC) processes run beside this one. Private pages are this process's own.
  report('startup', 'idle PSS', g.pss, 'MiB',
         { reference: o && { name: 'official emulator', value: o.pss }, goal: '< 20', better: 'lower' });
  report('startup', 'idle private memory', g.priv, 'MiB',
         { reference: o && { name: 'official emulator', value: o.priv }, better: 'lower' });
})().catch((e) => { console.error(e); process.exit(1); });
