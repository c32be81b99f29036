// Durability under load: gcpsim runs with --data-dir while workers publish and ack Pub/Sub
// messages, upload Storage objects (simple and resumable chunks), add Secret Manager
// versions and create Tasks; it is SIGKILLed after a seeded number of operations, restarted,
// and everything acknowledged is checked: present, intact, acked messages not redelivered,
// nothing half-written visible. Prints cycles, operations and losses per service.
//   node bench/crash.js [--cycles 200] [--seed 1] [--workers 4]
// GCPSIM_BIN picks the binary (default build/emulator/gcpsim). Exit status 1 on any loss.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startGcpsim } = require('../tests/clients/lib/gcpsim');

const P = 'projects/demo-project';
const Q = `${P}/locations/us-central1/queues/crash`;
const CHUNK = 256 * 1024;

// Seeded PRNG (mulberry32): the kill moments and the operation mix follow --seed.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// An object's bytes follow from its name ("<cycle>-<n>-<size>"), so any object listed after a
// crash can be checked for being whole, acknowledged or not.
function objectBytes(name) {
  const size = Number(name.split('-').pop());
  const block = crypto.createHash('sha256').update(name).digest();
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += block.length) block.copy(out, i);
  return out;
}
const md5 = (b) => crypto.createHash('md5').update(b).digest('base64');

class Ledger {
  constructor() {
    this.ops = 0;
    this.losses = { pubsub: 0, storage: 0, resumable: 0, secrets: 0, tasks: 0 };
    this.notes = [];
    this.published = new Map();   // messageId → data, acknowledged by Publish, not yet acked
    this.acked = new Set();       // messageIds whose Acknowledge was answered
    this.inDoubt = new Set();     // pulled, ack not answered: may come back, may not
    this.attemptedData = new Set();
    this.objects = new Map();     // name → md5, acknowledged uploads
    this.attemptedObjects = new Set();
    this.sessions = [];           // {name, uri, total, acked}
    this.versions = new Map();    // version name → payload
    this.attemptedPayloads = new Set();
    this.tasks = new Set();
    this.attemptedTasks = new Set();
  }
  loss(kind, what) {
    this.losses[kind] += 1;
    if (this.notes.length < 20) this.notes.push(`${kind}: ${what}`);
  }
}

function client(sim) {
  const call = async (method, p, body, headers = {}) => {
    const init = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      if (!headers['content-type'] && !Buffer.isBuffer(body)) init.headers['content-type'] = 'application/json';
    }
    // An absolute URL gcpsim handed out (a resumable session) names the port of the gcpsim
    // that opened it; after a restart the same session goes on at the new one.
    const url = p.startsWith('http') ? `${sim.url}${new URL(p).pathname}${new URL(p).search}` : `${sim.url}${p}`;
    const res = await fetch(url, init);
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, json, text, headers: res.headers };
  };
  return call;
}

async function setup(call) {
  const must = (r, what, ok = [200, 409]) => {
    if (!ok.includes(r.status)) throw new Error(`${what}: ${r.status} ${r.text}`);
  };
  must(await call('PUT', `/v1/${P}/topics/crash`, {}), 'topic');
  must(await call('PUT', `/v1/${P}/subscriptions/crash`, { topic: `${P}/topics/crash`, ackDeadlineSeconds: 600 }), 'subscription');
  must(await call('POST', '/storage/v1/b?project=demo-project', { name: 'crash' }), 'bucket');
  must(await call('POST', `/v1/${P}/secrets?secretId=crash`, { replication: { automatic: {} } }), 'secret');
  must(await call('POST', `/v2/${P}/locations/us-central1/queues`, { name: Q }), 'queue');
  must(await call('POST', `/v2/${Q}:pause`, {}), 'pause queue', [200]);
}

// One operation of the mix; records in the ledger only what gcpsim acknowledged.
async function operate(call, L, cycle, n, r) {
  const x = r();
  if (x < 0.25) {
    const data = Buffer.from(`m-${cycle}-${n}`).toString('base64');
    L.attemptedData.add(data);
    const res = await call('POST', `/v1/${P}/topics/crash:publish`, { messages: [{ data }] });
    if (res.status === 200) L.published.set(res.json.messageIds[0], data);
  } else if (x < 0.4) {
    const res = await call('POST', `/v1/${P}/subscriptions/crash:pull`, { maxMessages: 5, returnImmediately: true });
    const got = res.status === 200 ? res.json.receivedMessages || [] : [];
    if (!got.length) return;
    for (const m of got) L.inDoubt.add(m.message.messageId);
    const ack = await call('POST', `/v1/${P}/subscriptions/crash:acknowledge`, { ackIds: got.map((m) => m.ackId) });
    if (ack.status === 200) {
      for (const m of got) {
        L.acked.add(m.message.messageId);
        L.inDoubt.delete(m.message.messageId);
        L.published.delete(m.message.messageId);
      }
    }
  } else if (x < 0.55) {
    const name = `${cycle}-${n}-${1 + Math.floor(r() * 64 * 1024)}`;
    L.attemptedObjects.add(name);
    const body = objectBytes(name);
    const res = await call('POST', `/upload/storage/v1/b/crash/o?uploadType=media&name=${name}`, body,
      { 'content-type': 'application/octet-stream' });
    if (res.status === 200) L.objects.set(name, md5(body));
  } else if (x < 0.7) {
    await resumableStep(call, L, cycle, n, r);
  } else if (x < 0.85) {
    const payload = `v-${cycle}-${n}`;
    L.attemptedPayloads.add(payload);
    const res = await call('POST', `/v1/${P}/secrets/crash:addVersion`, { payload: { data: Buffer.from(payload).toString('base64') } });
    if (res.status === 200) L.versions.set(res.json.name, payload);
  } else {
    const name = `${Q}/tasks/t-${cycle}-${n}`;
    L.attemptedTasks.add(name);
    const res = await call('POST', `/v2/${Q}/tasks`, { task: { name, httpRequest: { url: 'http://127.0.0.1:9/never' } } });
    if (res.status === 200) L.tasks.add(name);
  }
}

// Opens a resumable session or sends the next 256 KiB chunk of an open one.
async function resumableStep(call, L, cycle, n, r) {
  const open = L.sessions.find((s) => !s.busy);
  if (!open || (L.sessions.length < 2 && r() < 0.3)) {
    const name = `r${cycle}-${n}-${CHUNK * (2 + Math.floor(r() * 3)) + Math.floor(r() * 1000)}`;
    L.attemptedObjects.add(name);
    const res = await call('POST', `/upload/storage/v1/b/crash/o?uploadType=resumable&name=${name}`, {});
    // The session URI names this process's port; a restarted gcpsim listens on another.
    if (res.status !== 200) return;
    const loc = new URL(res.headers.get('location'));
    L.sessions.push({ name, uri: loc.pathname + loc.search, total: objectBytes(name).length, acked: 0 });
    return;
  }
  open.busy = true;
  try {
    const body = objectBytes(open.name);
    const from = open.acked, to = Math.min(from + CHUNK, open.total);
    const res = await call('PUT', open.uri, body.subarray(from, to),
      { 'content-range': `bytes ${from}-${to - 1}/${to === open.total ? open.total : '*'}` });
    if (res.status === 308) open.acked = to;
    if (res.status === 200 || res.status === 201) {
      L.objects.set(open.name, md5(body));
      L.sessions.splice(L.sessions.indexOf(open), 1);
    }
  } finally {
    open.busy = false;
  }
}

async function listAll(call, p, key) {
  const out = [];
  let token = '';
  for (let i = 0; i < 1000; ++i) {
    const sep = p.includes('?') ? '&' : '?';
    const res = await call('GET', `${p}${sep}${token ? `pageToken=${encodeURIComponent(token)}&` : ''}${key === 'items' ? 'maxResults' : 'pageSize'}=1000`);
    if (res.status !== 200) throw new Error(`list ${p}: ${res.status} ${res.text}`);
    out.push(...(res.json[key] || []));
    token = res.json.nextPageToken;
    if (!token) break;
  }
  return out;
}

// After a restart: everything acknowledged is there, and nothing visible is half-written.
async function verify(call, L) {
  // Pub/Sub: drain the subscription; acked messages must not come back.
  const seen = new Set();
  let topic = await call('GET', `/v1/${P}/topics/crash`);
  if (topic.status === 200) {
    for (let i = 0; i < 10000; ++i) {
      const res = await call('POST', `/v1/${P}/subscriptions/crash:pull`, { maxMessages: 1000, returnImmediately: true });
      const got = res.status === 200 ? res.json.receivedMessages || [] : [];
      if (!got.length) break;
      for (const m of got) {
        const id = m.message.messageId;
        if (L.acked.has(id)) L.loss('pubsub', `acked message ${id} delivered again`);
        else if (!L.attemptedData.has(m.message.data)) L.loss('pubsub', `unknown message ${id}`);
        seen.add(id);
      }
      await call('POST', `/v1/${P}/subscriptions/crash:acknowledge`, { ackIds: got.map((m) => m.ackId) });
      for (const m of got) L.acked.add(m.message.messageId);
    }
  }
  // A message whose Acknowledge was sent but not answered may be gone: the ack may have landed.
  for (const id of L.published.keys()) {
    if (!seen.has(id) && !L.inDoubt.has(id)) L.loss('pubsub', `published message ${id} missing${topic.status === 200 ? '' : ' (topic gone)'}`);
  }
  L.published.clear();
  L.inDoubt.clear();

  // Storage: acknowledged objects listed with their bytes' MD5; anything listed is whole.
  const listed = new Map((await listAll(call, '/storage/v1/b/crash/o', 'items')).map((o) => [o.name, o]));
  for (const [name, sum] of L.objects) {
    const o = listed.get(name);
    if (!o) L.loss('storage', `object ${name} missing`);
    else if (o.md5Hash !== sum) L.loss('storage', `object ${name} has other bytes`);
  }
  for (const [name, o] of listed) {
    if (L.objects.has(name)) continue;
    if (!L.attemptedObjects.has(name)) { L.loss('storage', `unknown object ${name}`); continue; }
    const res = await fetch(`${call.url}/storage/v1/b/crash/o/${name}?alt=media`);
    const body = Buffer.from(await res.arrayBuffer());
    if (!body.equals(objectBytes(name)) || o.md5Hash !== md5(body)) L.loss('storage', `half-written object ${name} visible`);
    else L.objects.set(name, o.md5Hash);  // an unacknowledged upload that completed
  }
  // Resumable sessions keep every chunk they acknowledged.
  for (const s of [...L.sessions]) {
    const res = await call('PUT', s.uri, '', { 'content-range': `bytes */${s.total}` });
    if (res.status === 200 || res.status === 201) {
      L.objects.set(s.name, md5(objectBytes(s.name)));
      L.sessions.splice(L.sessions.indexOf(s), 1);
      continue;
    }
    if (res.status !== 308) {
      L.loss('resumable', `session for ${s.name} answered ${res.status} after restart`);
      L.sessions.splice(L.sessions.indexOf(s), 1);
      continue;
    }
    const range = /bytes=0-(\d+)/.exec(res.headers.get('range') || '');
    const persisted = range ? Number(range[1]) + 1 : 0;
    if (persisted < s.acked) L.loss('resumable', `session for ${s.name} kept ${persisted} of ${s.acked} acknowledged bytes`);
    s.acked = persisted;
  }

  // Secret Manager: acknowledged versions are there with their payloads; none unknown.
  const versions = await listAll(call, `/v1/${P}/secrets/crash/versions`, 'versions');
  const names = new Set(versions.map((v) => v.name));
  for (const [name, payload] of L.versions) {
    if (!names.has(name)) { L.loss('secrets', `version ${name} missing`); continue; }
    const res = await call('GET', `/v1/${name}:access`);
    if (res.status !== 200 || Buffer.from(res.json.payload.data, 'base64').toString() !== payload) L.loss('secrets', `version ${name} payload`);
  }
  for (const v of versions) {
    if (L.versions.has(v.name)) continue;
    const res = await call('GET', `/v1/${v.name}:access`);
    const payload = res.status === 200 ? Buffer.from(res.json.payload.data, 'base64').toString() : null;
    if (!L.attemptedPayloads.has(payload)) L.loss('secrets', `version ${v.name} unknown or unreadable`);
    else L.versions.set(v.name, payload);
  }

  // Tasks: acknowledged tasks are there; none unknown (compared by task id: the listing may
  // name the project by number).
  const tasks = new Set((await listAll(call, `/v2/${Q}/tasks`, 'tasks')).map((t) => `${Q}/tasks/${t.name.split('/').pop()}`));
  for (const t of L.tasks) if (!tasks.has(t)) L.loss('tasks', `task ${t} missing`);
  for (const t of tasks) {
    if (!L.attemptedTasks.has(t)) L.loss('tasks', `unknown task ${t}`);
    L.tasks.add(t);
  }
}

// Runs `cycles` kill-restart cycles; returns the ledger's figures.
async function run({ cycles = 200, seed = 1, workers = 4, maxOps = 120, log = () => {} } = {}) {
  const r = rng(seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-crash-'));
  const L = new Ledger();
  let sim = await startGcpsim(['--data-dir', dir]);
  try {
    let call = client(sim);
    call.url = sim.url;
    await setup(call);
    for (let cycle = 1; cycle <= cycles; ++cycle) {
      const killAt = L.ops + 5 + Math.floor(r() * maxOps);
      let n = 0;
      let killed = false;
      const kill = () => {
        if (!killed) { killed = true; sim.proc.kill('SIGKILL'); }
      };
      await Promise.all(Array.from({ length: workers }, async () => {
        while (!killed) {
          try {
            await operate(call, L, cycle, ++n, r);
          } catch { /* cut by the kill */ }
          if (!killed && ++L.ops >= killAt) kill();
        }
      }));
      await sim.exited;
      sim = await startGcpsim(['--data-dir', dir]);
      call = client(sim);
      call.url = sim.url;
      await verify(call, L);
      await setup(call);  // 409s: everything is there already
      log(`cycle ${cycle}: ${L.ops} operations, losses ${JSON.stringify(L.losses)}`);
    }
  } finally {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const total = Object.values(L.losses).reduce((a, b) => a + b, 0);
  return { cycles, operations: L.ops, losses: L.losses, total, notes: L.notes };
}

module.exports = { run };

if (require.main === module) {
  const arg = (k, d) => {
    const i = process.argv.indexOf(`--${k}`);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  const started = Date.now();
  run({ cycles: arg('cycles', 200), seed: arg('seed', 1), workers: arg('workers', 4), log: (l) => process.stderr.write(`${l}\n`) })
    .then((res) => {
      console.log(JSON.stringify({ ...res, seconds: (Date.now() - started) / 1000 }, null, 1));
      process.exit(res.total === 0 ? 0 : 1);
    })
    .catch((e) => { console.error(e); process.exit(2); });
}
