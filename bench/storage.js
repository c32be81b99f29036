#!/usr/bin/env node
// bench/storage: upload and download MB/s for one large object over loopback (1 GiB by
// default; BENCH_STORAGE_MIB sets another size) and gcpsim's peak RSS while it happens.
// The body is streamed from a reused 1 MiB buffer and read back without being kept, so the
// figures are gcpsim's, not this script's. Goals: ≥1 GB/s down, ≥500 MB/s up, RSS < 64 MB.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

process.env.GCPSIM_BIN ||= path.join(__dirname, '../build/emulator/gcpsim');
const { startGcpsim } = require('../tests/clients/lib/gcpsim');
const { report } = require('./lib/report');

const MIB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_STORAGE_MIB || 1024) * MIB;

function status(pid, field) {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}

// Sends SIZE bytes as one request's body; resolves with the object resource it answers.
function upload(port, method, path) {
  const block = Buffer.alloc(MIB, 0x61);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method, path,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) },
    }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < SIZE) {
        const n = Math.min(MIB, SIZE - sent);
        sent += n;
        if (!req.write(n === MIB ? block : block.subarray(0, n))) return req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

function download(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/storage/v1/b/bench/o/big.bin?alt=media' }, (res) => {
      let bytes = 0;
      res.on('data', (d) => { bytes += d.length; });
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`status ${res.statusCode}`))));
    }).on('error', reject);
  });
}

(async () => {
  const sim = await startGcpsim();
  try {
    const made = await fetch(`${sim.url}/storage/v1/b?project=demo-project`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench' }),
    });
    if (!made.ok) throw new Error(`bucket: ${made.status} ${await made.text()}`);
    const idle = status(sim.proc.pid, 'VmRSS');
    let t = performance.now();
    const object = await upload(sim.port, 'POST', '/upload/storage/v1/b/bench/o?uploadType=media&name=big.bin');
    const upSec = (performance.now() - t) / 1000;
    if (Number(object.size) !== SIZE) throw new Error(`stored ${object.size} bytes, sent ${SIZE}`);
    // A resumable session sent in one request (what the Node client and gcloud do by default).
    const session = await fetch(`${sim.url}/upload/storage/v1/b/bench/o?uploadType=resumable&name=resumable.bin`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-upload-content-length': String(SIZE) }, body: '{}' });
    if (!session.ok) throw new Error(`resumable session: ${session.status} ${await session.text()}`);
    const at = new URL(session.headers.get('location'));
    t = performance.now();
    const resumed = await upload(sim.port, 'PUT', at.pathname + at.search);
    const resumableSec = (performance.now() - t) / 1000;
    if (Number(resumed.size) !== SIZE) throw new Error(`stored ${resumed.size} bytes by resumable upload, sent ${SIZE}`);
    t = performance.now();
    const got = await download(sim.port);
    const downSec = (performance.now() - t) / 1000;
    if (got !== SIZE) throw new Error(`downloaded ${got} bytes of ${SIZE}`);
    const peak = status(sim.proc.pid, 'VmHWM');
    const mbps = (s) => (SIZE / 1e6 / s).toFixed(0);
    console.log(`storage ${SIZE / MIB} MiB object over loopback: upload ${mbps(upSec)} MB/s (${upSec.toFixed(2)} s), ` +
      `resumable in one request ${mbps(resumableSec)} MB/s (${resumableSec.toFixed(2)} s), ` +
      `download ${mbps(downSec)} MB/s (${downSec.toFixed(2)} s); gcpsim RSS idle ${idle.toFixed(1)} MiB, ` +
      `peak ${peak.toFixed(1)} MiB`);
    report('storage', `upload of ${SIZE / MIB} MiB`, SIZE / 1e6 / upSec, 'MB/s', { goal: '>= 500' });
    report('storage', `resumable upload of ${SIZE / MIB} MiB in one request`, SIZE / 1e6 / resumableSec, 'MB/s', { goal: '>= 500' });
    report('storage', `download of ${SIZE / MIB} MiB (Node reader)`, SIZE / 1e6 / downSec, 'MB/s', { goal: '>= 1000 MB/s (with curl)' });
    report('storage', 'peak RSS', peak, 'MiB', { goal: '< 64', better: 'lower' });
  } finally {
    await sim.stop();
  }
})().catch((e) => { console.error(e); process.exit(1); });
