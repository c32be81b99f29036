#!/usr/bin/env node
// bench/router: wrk against a trivial upstream directly and through gcpsim's Cloud Run router
// in one run (req/s, p50, p99, the ratios, and the CPU gcpsim and the upstream spend per
// request), the same at one connection (what the router adds to each request without
// queueing), then WEBSOCKETS (default 1000) concurrent WebSocket connections held through
// the router with gcpsim's RSS before and after.
// When nginx is installed (Debian `nginx-light`; not a dependency), the same wrk runs through
// nginx as a reverse proxy (one worker, keep-alive pool to the same instance) as a reference
// for what a mature proxy reaches on this machine.
// Prints figures; not a pass/fail test. Needs wrk (Debian package `wrk`).
//   GCPSIM_BIN=build/emulator/gcpsim node bench/router.js [--duration 10s] [--connections 32]
'use strict';
const { freePort } = require('../tests/clients/lib/gcpsim');
const { report } = require('./lib/report');
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const BIN = process.env.GCPSIM_BIN || path.join(__dirname, '../build/emulator/gcpsim');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const DURATION = arg('duration', '10s');
const CONNECTIONS = Number(arg('connections', '32'));
const WEBSOCKETS = Number(process.env.WEBSOCKETS || arg('websockets', '1000'));

async function startGcpsim(routerPort) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-bench-'));
  const stack = path.join(dir, 'gcpsim.yaml');
  fs.writeFileSync(stack, `run:\n  upstream: ${JSON.stringify({
    command: ['node', path.join(__dirname, 'router_upstream.js')], port: routerPort,
    concurrency: 1000, min_instances: 1, max_instances: 1,
  })}\n`);
  const proc = spawn(BIN, ['up', '--port', '0', '--stack', stack], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    readline.createInterface({ input: proc.stdout }).on('line', (l) => {
      const m = /^gcpsim ready on [^:]+:(\d+) /.exec(l);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (c) => reject(new Error(`gcpsim exited ${c}`)));
  });
  return { proc, port };
}

async function readyInstance(edgePort) {
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${edgePort}/_gcpsim/run`);
    const svc = (await res.json()).services[0];
    const ready = svc.instances.find((i) => i.state === 'READY');
    if (ready) return ready;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// CPU time (user + system) a process and its descendants use, in microseconds (an
// instance's pid is gcpsim's launcher; the service runs under it).
function cpuUs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  const own = (Number(fields[11]) + Number(fields[12])) * 1e6 / 100;  // utime, stime in clock ticks
  let children = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean);
  } catch { /* gone */ }
  return children.reduce((sum, c) => sum + cpuUs(Number(c)), own);
}

// wrk's --latency output: Requests/sec and the 50%/99% lines, in microseconds; with the CPU
// each of `pids` spent per request.
function wrk(url, pids = {}, connections = CONNECTIONS) {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuUs(pid)]));
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${DURATION}`, '--latency', url]).toString();
  const us = (label) => {
    const m = new RegExp(`\\s${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return Number(m[1]) * { us: 1, ms: 1000, s: 1e6 }[m[2]];
  };
  const requests = Number(/(\d+) requests in/.exec(out)[1]);
  const cpu = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, (cpuUs(pid) - before[k]) / requests]));
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]), p50: us('50%'), p99: us('99%'), cpu };
}

// nginx in front of the instance: one worker, a keep-alive pool, no buffering. Null when
// nginx is not installed.
async function startNginx(upstreamPort) {
  try {
    execFileSync('sh', ['-c', 'command -v nginx']);
  } catch { return null; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-bench-nginx-'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream instance { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://instance; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
`);
  const proc = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, port };
}

function rssMiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

// Opens one WebSocket through the router and checks one echo; resolves with the socket.
function openWebSocket(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    sock.on('connect', () => sock.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\n` +
      'Sec-WebSocket-Version: 13\r\n\r\n'));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.toString('latin1', 0, 12).startsWith('HTTP/1.1 101')) return reject(new Error(buf.toString()));
        upgraded = true;
        buf = buf.subarray(end + 4);
        const mask = crypto.randomBytes(4);
        const payload = Buffer.from('ping').map((b, i) => b ^ mask[i % 4]);
        sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | 4]), mask, payload]));
      }
      if (buf.length >= 6) {
        sock.removeAllListeners('data');
        resolve(sock);
      }
    });
    sock.on('error', reject);
  });
}

(async () => {
  const routerPort = await freePort();
  const sim = await startGcpsim(routerPort);
  const instance = await readyInstance(sim.port);
  const direct = instance.port;
  const pids = { gcpsim: sim.proc.pid, upstream: instance.pid };
  wrk(`http://127.0.0.1:${direct}/`);  // warm both paths up
  wrk(`http://127.0.0.1:${routerPort}/`);
  const d = wrk(`http://127.0.0.1:${direct}/`, pids);
  const r = wrk(`http://127.0.0.1:${routerPort}/`, pids);
  const fmt = (x) => `${x.rps.toFixed(0).padStart(7)} req/s  p50 ${x.p50.toFixed(0).padStart(6)} us  p99 ` +
    `${x.p99.toFixed(0).padStart(6)} us  CPU/request: upstream ${x.cpu.upstream.toFixed(1)} us, ` +
    `gcpsim ${x.cpu.gcpsim.toFixed(1)} us`;
  console.log(`wrk -t1 -c${CONNECTIONS} -d${DURATION}, trivial Node upstream ("ok"), ${os.cpus().length} CPUs, ` +
    `load average ${os.loadavg()[0].toFixed(2)}:`);
  console.log(`  direct        ${fmt(d)}`);
  console.log(`  via router    ${fmt(r)}`);
  console.log(`  ratio ${(r.rps / d.rps).toFixed(3)} of direct throughput; added p50 ${(r.p50 - d.p50).toFixed(0)} us, ` +
    `added p99 ${(r.p99 - d.p99).toFixed(0)} us; the router's CPU per request is ` +
    `${(r.cpu.gcpsim / r.cpu.upstream).toFixed(2)}x the upstream's`);
  // One connection: no queueing, so the difference is what the router adds to each request.
  const nginx = await startNginx(direct);
  if (nginx) {
    const n = wrk(`http://127.0.0.1:${nginx.port}/`, { gcpsim: nginx.proc.pid, upstream: instance.pid });
    console.log(`  reference: nginx (1 worker, keep-alive pool) ${(n.rps / d.rps).toFixed(3)} of direct, ` +
      `added p50 ${(n.p50 - d.p50).toFixed(0)} us, nginx CPU ${n.cpu.gcpsim.toFixed(1)} us/request ` +
      `(upstream ${n.cpu.upstream.toFixed(1)} us)`);
    report('router', `throughput, share of direct (${CONNECTIONS} connections)`, r.rps / d.rps, '',
           { reference: { name: 'nginx', value: n.rps / d.rps }, goal: '>= nginx' });
    report('router', 'CPU per request', r.cpu.gcpsim, 'us',
           { reference: { name: 'nginx', value: n.cpu.gcpsim }, goal: '<= nginx', better: 'lower' });
    nginx.proc.kill('SIGTERM');
    await new Promise((r) => nginx.proc.on('exit', r));
  }
  const d1 = wrk(`http://127.0.0.1:${direct}/`, pids, 1);
  const r1 = wrk(`http://127.0.0.1:${routerPort}/`, pids, 1);
  console.log(`wrk -t1 -c1: direct p50 ${d1.p50.toFixed(0)} us, via router p50 ${r1.p50.toFixed(0)} us: ` +
    `added p50 ${(r1.p50 - d1.p50).toFixed(0)} us, added p99 ${(r1.p99 - d1.p99).toFixed(0)} us`);
  report('router', 'added p50 latency, 1 connection', r1.p50 - d1.p50, 'us', { goal: '< 100', better: 'lower' });

  const before = rssMiB(sim.proc.pid);
  const sockets = [];
  if (WEBSOCKETS > 0) {
    for (let i = 0; i < WEBSOCKETS; i += 100) {
      const batch = Math.min(100, WEBSOCKETS - i);
      sockets.push(...await Promise.all(Array.from({ length: batch }, () => openWebSocket(routerPort))));
    }
    const held = rssMiB(sim.proc.pid);
    console.log(`${sockets.length} concurrent WebSockets held through the router (each echoed once): ` +
      `gcpsim RSS ${before.toFixed(1)} MiB before, ${held.toFixed(1)} MiB while held ` +
      `(+${((held - before) * 1024 / sockets.length).toFixed(1)} KiB each)`);
  }
  for (const s of sockets) s.destroy();
  sim.proc.kill('SIGTERM');
  await new Promise((r) => sim.proc.on('exit', r));
})().catch((e) => { console.error(e); process.exit(1); });
