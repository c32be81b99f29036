#!/usr/bin/env node
// bench/pubsub: the official @google-cloud/pubsub client (from tests/clients/node_modules)
// against gcpsim, and with --official against the official emulator (gcloud beta emulators
// pubsub start), side by side. Prints figures; not a pass/fail test.
//   1. end to end: publish N (default 50,000) 1 KiB messages while a streaming-pull subscriber
//      (the client's default flow control) receives them: msgs/s publish→receive and p50/p99 publish→receive latency;
//   2. backlog: publish N with no subscriber, then drain them: msgs/s;
//   3. steady: RATE msgs/s (default 1,000) for SECONDS (default 10), the publisher batching
//      for at most --steady-batch-ms (default 1; 0: one RPC per message): p50/p99
//      publish→receive latency (--steady-only runs just this phase);
//   4. the same steady rate measured by bench/pubsub_latency.cc (build/bench/pubsub-latency), a
//      lean C++ gRPC client with one Publish per message: the server's own latency, without the
//      Node client's garbage-collection pauses (its scavenges alone reach ~10 ms, see
//      `node --trace-gc`), which dominate the Node figure's p99;
//   5. throughput through the same lean client (--throughput, 100 messages per Publish from 4
//      threads): publish→receive msgs/s with the server's and the client's CPU, so the figure
//      is the server's own ceiling when the client is not the bound;
// and the server's peak RSS (the whole process tree) and CPU seconds beside the client's.
// Latency is measured in this one Node process, so it includes the client's own queueing.
//   GCPSIM_BIN=build/emulator/gcpsim node bench/pubsub.js [--messages 50000] [--rate 1000]
//       [--seconds 10] [--steady-batch-ms 1] [--steady-only] [--official] [--data-dir]
// --data-dir runs gcpsim with a fresh data directory (Pub/Sub writes every operation to it).
'use strict';
const { freePort } = require('../tests/clients/lib/gcpsim');
const { report } = require('./lib/report');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const clientsRequire = createRequire(path.join(__dirname, '../tests/clients/package.json'));
const { PubSub } = clientsRequire('@google-cloud/pubsub');

process.env.METADATA_SERVER_DETECTION ??= 'none';  // no GCE metadata probe from the client
const BIN = process.env.GCPSIM_BIN || path.join(__dirname, '../build/emulator/gcpsim');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MESSAGES = arg('messages', 50000);
const RATE = arg('rate', 1000);
const SECONDS = arg('seconds', 10);
const LEAN_MESSAGES = arg('lean-messages', 200000);
// Publisher batching in the steady phase (ms; 0 publishes each message on its own).
const STEADY_BATCH_MS = arg('steady-batch-ms', 1);
const ONLY_STEADY = process.argv.includes('--steady-only');
const DATA_DIR = process.argv.includes('--data-dir');
const PAYLOAD = Buffer.alloc(1024, 'x');
const LEAN_CLIENT = path.join(path.dirname(BIN), '../bench/pubsub-latency');
const TICKS = 100;  // USER_HZ: /proc/PID/stat counts CPU time in 1/100 s

function children(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { return []; }
}
// RSS (MiB) and CPU seconds of a process tree (the official emulator runs java under wrappers).
function rssMiB(pid) {
  let kb = 0;
  try { kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]); } catch { /* exited */ }
  return kb / 1024 + children(pid).reduce((sum, k) => sum + rssMiB(k), 0);
}
function cpuSeconds(pid) {
  let s = 0;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    s = (Number(fields[11]) + Number(fields[12])) / TICKS;  // utime + stime
  } catch { /* exited */ }
  return s + children(pid).reduce((sum, k) => sum + cpuSeconds(k), 0);
}

async function waitReady(port) {
  const url = `http://127.0.0.1:${port}/v1/projects/bench-project/topics/ready-check`;
  const deadline = Date.now() + 120000;
  for (;;) {
    try {
      const res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (res.ok || res.status === 409) return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`no answer on port ${port}: ${e.message}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startServer(kind) {
  const port = await freePort();
  const dir = kind === 'gcpsim' && DATA_DIR ? fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'gcpsim-bench-')) : null;
  const proc = kind === 'gcpsim'
    ? spawn(BIN, ['up', '--port', String(port), ...(dir ? ['--data-dir', dir] : [])], { stdio: 'ignore' })
    : spawn('gcloud', ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`, '--project=bench-project'],
      { stdio: 'ignore', detached: true });
  await waitReady(port);
  let peak = rssMiB(proc.pid);
  const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(proc.pid)); }, 100);
  return {
    port,
    pid: proc.pid,
    peakRss: () => Math.max(peak, rssMiB(proc.pid)),
    async stop() {
      clearInterval(sampler);
      if (kind === 'gcpsim') proc.kill('SIGTERM'); else process.kill(-proc.pid, 'SIGTERM');
      await new Promise((r) => proc.on('exit', r));
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const nowMs = () => performance.timeOrigin + performance.now();
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(latencies) {
  const s = Float64Array.from(latencies).sort();
  return `p50 ${percentile(s, 50).toFixed(2)} ms, p99 ${percentile(s, 99).toFixed(2)} ms`;
}

// Receives until `count` distinct messages arrived; resolves with their latencies.
function subscribe(pubsub, subName, count) {
  const sub = pubsub.subscription(subName);  // the client's defaults, as users run it (1,000 messages in flight)
  const seen = new Set();
  const latencies = [];
  let resolve;
  const done = new Promise((r) => { resolve = r; });
  sub.on('message', (m) => {
    const t = nowMs();
    m.ack();
    if (seen.has(m.id)) return;
    seen.add(m.id);
    latencies.push(t - Number(m.attributes.ts));
    if (seen.size === count) resolve();
  });
  sub.on('error', (e) => { console.error(e); process.exit(1); });
  return { done: done.then(() => latencies), close: () => sub.close() };
}

async function endToEnd(pubsub, id) {
  const [topic] = await pubsub.createTopic(`${id}-e2e`);
  const [sub] = await topic.createSubscription(`${id}-e2e-sub`, { ackDeadlineSeconds: 60 });
  const publisher = pubsub.topic(topic.name, { batching: { maxMessages: 1000, maxMilliseconds: 10 } });
  const receiver = subscribe(pubsub, sub.name, MESSAGES);
  const t0 = nowMs();
  const sends = [];
  for (let i = 0; i < MESSAGES; i++) {
    sends.push(publisher.publishMessage({ data: PAYLOAD, attributes: { ts: String(nowMs()) } }));
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(sends);
  const published = nowMs();
  const latencies = await receiver.done;
  const received = nowMs();
  await receiver.close();
  return {
    publishRate: MESSAGES / ((published - t0) / 1000),
    e2eRate: MESSAGES / ((received - t0) / 1000),
    latency: summary(latencies),
  };
}

async function backlog(pubsub, id) {
  const [topic] = await pubsub.createTopic(`${id}-backlog`);
  const [sub] = await topic.createSubscription(`${id}-backlog-sub`, { ackDeadlineSeconds: 60 });
  const publisher = pubsub.topic(topic.name, { batching: { maxMessages: 1000, maxMilliseconds: 10 } });
  const sends = [];
  for (let i = 0; i < MESSAGES; i++) {
    sends.push(publisher.publishMessage({ data: PAYLOAD, attributes: { ts: String(nowMs()) } }));
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(sends);
  const t0 = nowMs();
  const receiver = subscribe(pubsub, sub.name, MESSAGES);
  await receiver.done;
  const rate = MESSAGES / ((nowMs() - t0) / 1000);
  await receiver.close();
  return rate;
}

async function steady(pubsub, id) {
  const [topic] = await pubsub.createTopic(`${id}-steady`);
  const [sub] = await topic.createSubscription(`${id}-steady-sub`, { ackDeadlineSeconds: 60 });
  const batching = STEADY_BATCH_MS > 0 ? { maxMessages: 1000, maxMilliseconds: STEADY_BATCH_MS } : { maxMessages: 1, maxMilliseconds: 0 };
  const publisher = pubsub.topic(topic.name, { batching });
  const total = RATE * SECONDS;
  const receiver = subscribe(pubsub, sub.name, total);
  // Warm the stream up before measuring.
  await publisher.publishMessage({ data: PAYLOAD, attributes: { ts: String(nowMs()), warmup: '1' } });
  const start = nowMs();
  let sent = 0;
  const sends = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowMs() - start) / 1000) * RATE) + 1);
    for (; sent < due; sent++) sends.push(publisher.publishMessage({ data: PAYLOAD, attributes: { ts: String(nowMs()) } }));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(sends);
  const latencies = await receiver.done;
  await receiver.close();
  // The warm-up message is among the first received; drop the largest sample it may be.
  return summary(latencies.length > total ? latencies.slice(1) : latencies);
}

// Phase 4: the lean C++ client at the same rate (skipped when it is not built).
function leanSteady(port) {
  if (!fs.existsSync(LEAN_CLIENT)) return 'not built (build/bench/pubsub-latency)';
  const out = execFileSync(LEAN_CLIENT, ['--rate', String(RATE), '--seconds', String(SECONDS)],
    { env: { ...process.env, PUBSUB_EMULATOR_HOST: `127.0.0.1:${port}` } }).toString();
  return out.replace(/^.*StreamingPull: /, '').trim();
}

// Phase 5: the lean C++ client's throughput run, with the server's CPU over it.
function leanThroughput(server) {
  if (!fs.existsSync(LEAN_CLIENT)) return null;
  const cpu0 = cpuSeconds(server.pid);
  const out = execFileSync(LEAN_CLIENT, ['--throughput', String(LEAN_MESSAGES), '--batch', '100', '--publishers', '4'],
    { env: { ...process.env, PUBSUB_EMULATOR_HOST: `127.0.0.1:${server.port}` } }).toString();
  const serverCpu = cpuSeconds(server.pid) - cpu0;
  const m = /publish→receive (\d+) msgs\/s \(([\d.]+) s\), client CPU ([\d.]+) s/.exec(out);
  if (!m) throw new Error(`pubsub-latency --throughput printed: ${out}`);
  const [rate, wall, clientCpu] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { rate, wall, clientCpu, serverCpu };
}

async function run(kind) {
  const server = await startServer(kind);
  process.env.PUBSUB_EMULATOR_HOST = `127.0.0.1:${server.port}`;
  const pubsub = new PubSub({ projectId: 'bench-project' });
  const cpu0 = cpuSeconds(server.pid);
  const client0 = process.cpuUsage();
  try {
    const rss = [];
    if (ONLY_STEADY) {
      console.log(`${kind.padEnd(8)} steady ${RATE} msgs/s for ${SECONDS} s: publish→receive ${await steady(pubsub, kind)}`);
      console.log(`${kind.padEnd(8)} steady ${RATE} msgs/s, lean C++ client: ${leanSteady(server.port)}`);
      return null;
    }
    const e2e = await endToEnd(pubsub, kind);
    rss.push(`after end-to-end ${rssMiB(server.pid).toFixed(0)}`);
    const drain = await backlog(pubsub, kind);
    rss.push(`after backlog ${rssMiB(server.pid).toFixed(0)}`);
    const st = await steady(pubsub, kind);
    rss.push(`after steady ${rssMiB(server.pid).toFixed(0)}`);
    const serverCpu = cpuSeconds(server.pid) - cpu0;
    const c = process.cpuUsage(client0);
    const clientCpu = (c.user + c.system) / 1e6;
    console.log(`${kind.padEnd(8)} ${MESSAGES} x 1 KiB: publish ${e2e.publishRate.toFixed(0)} msgs/s, ` +
      `publish→receive ${e2e.e2eRate.toFixed(0)} msgs/s (latency ${e2e.latency}); ` +
      `backlog drain ${drain.toFixed(0)} msgs/s`);
    console.log(`${kind.padEnd(8)} steady ${RATE} msgs/s for ${SECONDS} s: publish→receive ${st}`);
    console.log(`${kind.padEnd(8)} steady ${RATE} msgs/s, lean C++ client: ${leanSteady(server.port)}`);
    const lean = leanThroughput(server);
    if (lean) {
      console.log(`${kind.padEnd(8)} lean C++ client, ${LEAN_MESSAGES} x 1 KiB, 100 per Publish, 4 publishers: ` +
        `publish→receive ${lean.rate} msgs/s in ${lean.wall.toFixed(2)} s; CPU server ${lean.serverCpu.toFixed(2)} s, ` +
        `client ${lean.clientCpu.toFixed(2)} s`);
    }
    // The throughput goal's alternative: bound by the client itself, the server using less CPU.
    console.log(`${kind.padEnd(8)} peak RSS ${server.peakRss().toFixed(1)} MiB (${rss.join(', ')} MiB); CPU server ${serverCpu.toFixed(1)} s, ` +
      `client ${clientCpu.toFixed(1)} s (server/client ${(serverCpu / clientCpu).toFixed(2)}: ` +
      `${serverCpu < clientCpu ? 'the client is the bottleneck' : 'the server is the bottleneck'})`);
    return { publish: e2e.publishRate, e2e: e2e.e2eRate, drain, peakRss: server.peakRss(), serverPerClientCpu: serverCpu / clientCpu,
             lean: lean ? lean.rate : NaN, leanServerCpuPerMsg: lean ? (lean.serverCpu * 1e6) / LEAN_MESSAGES : NaN };
  } finally {
    await pubsub.close();
    await server.stop();
  }
}

(async () => {
  const g = await run('gcpsim');
  const o = process.argv.includes('--official') ? await run('official') : null;
  if (!g) return;
  const ref = (k) => o && { name: 'official emulator', value: o[k] };
  report('pubsub', `publish, ${MESSAGES} x 1 KiB, official Node client`, g.publish, 'msgs/s', { reference: ref('publish') });
  report('pubsub', 'publish to receive, official Node client', g.e2e, 'msgs/s', { reference: ref('e2e'), goal: '3-4x official, or client-bound' });
  report('pubsub', 'backlog drain', g.drain, 'msgs/s', { reference: ref('drain') });
  report('pubsub', "server CPU / client CPU", g.serverPerClientCpu, '', { reference: ref('serverPerClientCpu'), goal: '< 1 (client-bound)', better: 'lower' });
  report('pubsub', 'publish to receive, lean C++ client, 100 per Publish', g.lean, 'msgs/s', { reference: ref('lean') });
  report('pubsub', 'server CPU per message, lean C++ client', g.leanServerCpuPerMsg, 'us',
         { reference: ref('leanServerCpuPerMsg'), better: 'lower' });
  report('pubsub', 'peak RSS', g.peakRss, 'MiB', { reference: ref('peakRss'), goal: '< 100', better: 'lower' });
})().catch((e) => { console.error(e); process.exit(1); });
