#!/usr/bin/env node
// bench/eaili5: the seed's load target against the eaili5 fixture. Brings the stack up
// (gcpsim up, real clock), opens WEBSOCKETS (default 1000) concurrent WebSockets through the
// Cloud Run router to eaili5-base-backend, holds them, and has each send MESSAGES chat
// messages (distinct questions, so every one streams from the OpenAI stub), one at a time.
// Prints the message round-trip (send → done frame) and first-token p50/p95/p99, connections
// held, the router's (gcpsim's) and the backend instances' RSS and CPU, and the seed's SLO
// (P95 < 500 ms, P99 < 1000 ms) as met or not. Figures, not a pass/fail test; loopback only.
//   GCPSIM_BIN=build/emulator/gcpsim node bench/eaili5/websockets.js [--websockets 1000]
//     [--messages 3] [--ramp 200] [--concurrency 80] [--rate 0]
// --concurrency overrides the backend's per-instance concurrency in a copy of the stack file
// (with max 10 instances, Cloud Run's 80 admits 800 WebSockets at most). --rate spreads the
// messages over time (messages/s over all sockets) instead of sending them all at once.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '../..');
process.env.GCPSIM_BIN ||= path.join(ROOT, 'build/emulator/gcpsim');
const { startGcpsim } = require('../../tests/clients/lib/gcpsim');
const { report } = require('../lib/report');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const WEBSOCKETS = Number(arg('websockets', '1000'));
const MESSAGES = Number(arg('messages', '3'));
const RAMP = Number(arg('ramp', '200'));          // connections opened at once while ramping up
const CONCURRENCY = arg('concurrency', '');
// Messages per second over all sockets (0: every socket sends at once, the worst burst).
const RATE = Number(arg('rate', '0'));
const BACKEND_PORT = 18800;
const HARD_LIMIT_MS = 300000;                     // the whole run, bounded

function stackFile() {
  const src = path.join(ROOT, 'fixtures/eaili5/gcpsim.yaml');
  if (!CONCURRENCY) return src;
  // A copy beside the original, so its relative paths (cwd, init SQL, stub files) still resolve.
  const text = fs.readFileSync(src, 'utf8').replace(/(eaili5-base-backend:[\s\S]*?concurrency: )\d+/, `$1${CONCURRENCY}`);
  const copy = path.join(ROOT, 'fixtures/eaili5', `.bench-${process.pid}.yaml`);
  fs.writeFileSync(copy, text);
  process.on('exit', () => fs.rmSync(copy, { force: true }));
  return copy;
}

async function backendPids(edge) {
  const res = await fetch(`http://127.0.0.1:${edge}/_gcpsim/run`);
  const svc = (await res.json()).services.find((s) => s.name === 'eaili5-base-backend');
  return (svc.instances || []).filter((i) => i.pid).map((i) => i.pid);
}

// Every process in the tree under pid (uvicorn has no children, but be exact).
function tree(pid) {
  const out = [pid];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
      if (ppid === pid) out.push(...tree(Number(d)));
    } catch { /* exited */ }
  }
  return out;
}
function cpuSeconds(pids) {
  let ticks = 0;
  for (const p of pids) {
    try {
      const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch { /* exited */ }
  }
  return ticks / 100;
}
function rssMiB(pids) {
  let kb = 0;
  for (const p of pids) {
    try { kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))[1]); } catch { /* exited */ }
  }
  return kb / 1024;
}

// A client side of RFC 6455: masked text frames out, server frames (text, close) in.
class Socket {
  constructor(id) {
    this.id = id;
    this.buf = Buffer.alloc(0);
    this.waiters = [];
    this.frames = [];
    this.closed = false;
  }
  open() {
    return new Promise((resolve, reject) => {
      const key = crypto.randomBytes(16).toString('base64');
      // Each simulated user has its own address (the backend limits per IP and per wallet).
      const ip = `10.${(this.id >> 16) & 255}.${(this.id >> 8) & 255}.${this.id & 255}`;
      this.sock = net.connect(BACKEND_PORT, '127.0.0.1', () => this.sock.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${BACKEND_PORT}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-For: ${ip}\r\n\r\n`));
      let upgraded = false;
      this.sock.on('data', (d) => {
        this.buf = Buffer.concat([this.buf, d]);
        if (!upgraded) {
          const end = this.buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = this.buf.subarray(0, end).toString();
          if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head.split('\r\n')[0]));
          upgraded = true;
          this.buf = this.buf.subarray(end + 4);
          resolve();
        }
        this.parse();
      });
      this.sock.on('close', () => { this.closed = true; this.wake(); });
      this.sock.on('error', (e) => { if (!upgraded) reject(e); });
    });
  }
  parse() {
    for (;;) {
      if (this.buf.length < 2) return;
      let len = this.buf[1] & 0x7f, off = 2;
      if (len === 126) { if (this.buf.length < 4) return; len = this.buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (this.buf.length < 10) return; len = Number(this.buf.readBigUInt64BE(2)); off = 10; }
      if (this.buf.length < off + len) return;
      const opcode = this.buf[0] & 0x0f;
      const payload = this.buf.subarray(off, off + len);
      const text = payload.toString();
      this.buf = this.buf.subarray(off + len);
      if (opcode === 8) {  // the server's close: its code and reason say why a socket dropped
        this.closedBy = len >= 2 ? `${payload.readUInt16BE(0)} ${payload.subarray(2).toString()}`.trim() : 'close frame, no code';
        this.sock.end();
        continue;
      }
      // uvicorn pings every 20 s with 4 random bytes, and the websockets library matches the pong
      // by those bytes: echo them raw (as text they would be mangled and the pong ignored).
      if (opcode === 9) { this.write(0x8a, Buffer.from(payload)); continue; }
      if (opcode === 1) this.frames.push(JSON.parse(text));
      this.wake();
    }
  }
  wake() { for (const w of this.waiters.splice(0)) w(); }
  send(obj) { this.write(0x81, Buffer.from(JSON.stringify(obj))); }
  write(first, payload) {
    const mask = crypto.randomBytes(4);
    const head = payload.length < 126 ? Buffer.from([first, 0x80 | payload.length])
      : Buffer.from([first, 0x80 | 126, payload.length >> 8, payload.length & 255]);
    this.sock.write(Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]));
  }
  // Resolves with the first frame of `type` (frames before it are dropped), null if it closed.
  async next(type, onFrame) {
    for (;;) {
      while (this.frames.length) {
        const f = this.frames.shift();
        if (onFrame) onFrame(f);
        if (f.type === type || f.type === 'error') return f;
      }
      if (this.closed) return null;
      await new Promise((r) => this.waiters.push(r));
    }
  }
}

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function main() {
  const { proc, port: edge } = await startGcpsim(['--stack', stackFile()]);
  const guard = setTimeout(() => { console.error('bench: hard time limit reached'); proc.kill('SIGTERM'); process.exit(2); }, HARD_LIMIT_MS);
  const stop = () => { try { proc.kill('SIGTERM'); } catch { /* gone */ } };
  process.on('exit', stop);
  try {
    const gcpsimPids = [proc.pid];
    const cpu0 = { router: cpuSeconds(gcpsimPids), backend: cpuSeconds((await backendPids(edge)).flatMap(tree)) };
    const rss0 = { router: rssMiB(gcpsimPids), backend: rssMiB((await backendPids(edge)).flatMap(tree)) };
    const t0 = Date.now();

    // Ramp up: RAMP handshakes at a time, each followed by its hello.
    const sockets = [];
    let refused = 0;
    const refusals = {};
    for (let i = 0; i < WEBSOCKETS; i += RAMP) {
      await Promise.all(Array.from({ length: Math.min(RAMP, WEBSOCKETS - i) }, async (_, k) => {
        const s = new Socket(i + k + 1);
        try {
          await s.open();
          s.send({ type: 'hello', session_id: `bench-${i + k + 1}`, wallet_address: `0x${(i + k + 1).toString(16).padStart(40, '0')}` });
          if (await s.next('session')) sockets.push(s);
        } catch (e) {
          refused++;
          refusals[e.message] = (refusals[e.message] || 0) + 1;
        }
      }));
    }
    const connectMs = Date.now() - t0;
    const held = sockets.filter((s) => !s.closed).length;

    // Each connection sends MESSAGES questions, one after the other, all connections at once.
    const rtt = [], first = [], errors = {};
    const t1 = Date.now();
    await Promise.all(sockets.map(async (s, i) => {
      for (let m = 0; m < MESSAGES; m++) {
        if (RATE > 0) {  // open loop: message m of socket i is due at (m × sockets + i) / RATE
          const due = t1 + ((m * sockets.length + i) * 1000) / RATE - Date.now();
          if (due > 0) await new Promise((r) => setTimeout(r, due));
        }
        const sent = process.hrtime.bigint();
        let firstAt = null;
        s.send({ type: 'chat', message: `Explain token number ${s.id}-${m}` });
        const done = await s.next('done', (f) => {
          if (f.type === 'token' && firstAt === null) firstAt = process.hrtime.bigint();
        });
        if (!done || done.type === 'error') {
          const why = done ? `error ${done.status}` : 'closed';
          errors[why] = (errors[why] || 0) + 1;
          if (!done) return;
          continue;
        }
        rtt.push(Number(process.hrtime.bigint() - sent) / 1e6);
        if (firstAt) first.push(Number(firstAt - sent) / 1e6);
      }
    }));
    const loadMs = Date.now() - t1;
    const stillHeld = sockets.filter((s) => !s.closed).length;
    const pids = (await backendPids(edge)).flatMap(tree);
    const cpu1 = { router: cpuSeconds(gcpsimPids), backend: cpuSeconds(pids) };
    const rss1 = { router: rssMiB(gcpsimPids), backend: rssMiB(pids) };
    // With every instance full of WebSockets this request may itself be refused (429).
    const statsRes = await fetch(`http://127.0.0.1:${BACKEND_PORT}/api/stats`);
    const stats = statsRes.ok ? await statsRes.json() : { websockets: `unknown (/api/stats answered ${statsRes.status})` };
    // Why connections ended: the backend's instance exits and the router's WebSocket outcomes.
    const events = async (q) => (await (await fetch(`http://127.0.0.1:${edge}/_gcpsim/events?${q}&limit=50000`)).json()).events;
    const exits = {};
    for (const e of await events('kind=process.*&service=eaili5-base-backend')) {
      exits[e.kind] = (exits[e.kind] || 0) + 1;
    }
    const outcomes = {};
    for (const e of await events('kind=run.request&service=eaili5-base-backend')) {
      const k = `${e.attrs.path} ${e.attrs.status}`;
      outcomes[k] = (outcomes[k] || 0) + 1;
    }
    const instances = (await (await fetch(`http://127.0.0.1:${edge}/_gcpsim/run`)).json()).services
      .find((x) => x.name === 'eaili5-base-backend').instances.length;
    const closedBy = {};
    for (const s of sockets.filter((x) => x.closed)) {
      const k = s.closedBy || 'TCP closed without a close frame';
      closedBy[k] = (closedBy[k] || 0) + 1;
    }
    for (const s of sockets) s.sock.destroy();

    const f = (x) => x.toFixed(1);
    const p95 = pct(rtt, 95), p99 = pct(rtt, 99);
    console.log(`eaili5 WebSocket bench: ${WEBSOCKETS} connections requested, ${MESSAGES} messages each ` +
                (RATE > 0 ? `at ${RATE} messages/s overall` : 'all sockets at once') + `, ${os.cpus().length} CPUs` +
                (CONCURRENCY ? `, backend concurrency ${CONCURRENCY}` : ', backend concurrency 80 (the fixture\'s)'));
    console.log(`  connections held: ${held} after ramp-up (${connectMs} ms), ${stillHeld} after the load; ` +
                `${refused} refused ${JSON.stringify(refusals)}; Redis tracked ${stats.websockets}`);
    console.log(`  sockets that ended, by the server's close code: ${JSON.stringify(closedBy)}`);
    console.log(`  backend instances: ${instances} (${pids.length} processes); instance events ${JSON.stringify(exits)}; ` +
                `router records (path status) ${JSON.stringify(outcomes)}`);
    console.log(`  messages answered: ${rtt.length} in ${loadMs} ms (${f(rtt.length / (loadMs / 1000))}/s); failures ${JSON.stringify(errors)}`);
    console.log(`  round-trip (send → done)  p50 ${f(pct(rtt, 50))} ms  p95 ${f(p95)} ms  p99 ${f(p99)} ms  max ${f(Math.max(...rtt))} ms`);
    console.log(`  first token               p50 ${f(pct(first, 50))} ms  p95 ${f(pct(first, 95))} ms  p99 ${f(pct(first, 99))} ms`);
    console.log(`  RSS MiB: router (gcpsim) ${f(rss0.router)} → ${f(rss1.router)}; backend instances ${f(rss0.backend)} → ${f(rss1.backend)}`);
    console.log(`  CPU s during the run: router (gcpsim: router, stubs, proxies) ${f(cpu1.router - cpu0.router)}, ` +
                `backend instances ${f(cpu1.backend - cpu0.backend)} (wall ${f((Date.now() - t0) / 1000)} s)`);
    console.log(`  SLO P95 < 500 ms: ${p95 < 500 ? 'met' : 'NOT met'}; P99 < 1000 ms: ${p99 < 1000 ? 'met' : 'NOT met'}`);
    const load = `${held} WebSockets, ${RATE > 0 ? `${RATE} msgs/s` : 'all at once'}`;
    report('eaili5', `chat round trip p95 (${load})`, p95, 'ms', { goal: '< 500', better: 'lower' });
    report('eaili5', `chat round trip p99 (${load})`, p99, 'ms', { goal: '< 1000', better: 'lower' });
    report('eaili5', 'sockets dropped during the load', held - stillHeld, '', { goal: '0', better: 'lower' });
  } finally {
    clearTimeout(guard);
    stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
