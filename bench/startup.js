#!/usr/bin/env node
// bench/startup: time from exec to the first successful API call (Pub/Sub CreateTopic over
// REST) and idle RSS, median of 5 runs. `--official` measures the official Pub/Sub
// emulator (gcloud beta emulators pubsub start) the same way, side by side.
'use strict';
const { freePort } = require('../tests/clients/lib/gcpsim');
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

function rssMiB(pid) {
  // Sum the process tree (the official emulator runs java under a wrapper).
  const kids = (() => { try { return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean); } catch { return []; } })();
  let kb = 0;
  try { kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]); } catch { /* exited */ }
  return kb / 1024 + kids.reduce((sum, k) => sum + rssMiB(Number(k)), 0);
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
  await new Promise((r) => setTimeout(r, 500));  // let it settle before reading idle RSS
  const rss = rssMiB(proc.pid);
  if (kind === 'gcpsim') proc.kill('SIGTERM'); else process.kill(-proc.pid, 'SIGTERM');
  await new Promise((r) => proc.on('exit', r));
  return { startupMs, rss };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function report(kind) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(kind));
  const s = runs.map((r) => r.startupMs);
  const m = runs.map((r) => r.rss);
  console.log(`${kind.padEnd(8)} exec→first CreateTopic: median ${median(s).toFixed(1)} ms ` +
    `(runs: ${s.map((x) => x.toFixed(1)).join(', ')}); idle RSS: median ${median(m).toFixed(1)} MiB`);
}

(async () => {
  await report('gcpsim');
  if (process.argv.includes('--official')) await report('official');
})().catch((e) => { console.error(e); process.exit(1); });
