// Hostile traffic on the edge port: each shape gets the right status or a closed connection,
// other clients keep being served, and memory stays bounded. Counts here are small enough
// for ctest; bench/hostile.js runs the same shapes at full size.
'use strict';
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startGcpsim } = require('./lib/gcpsim');
const h = require('./lib/hostile');

const SANITIZED = process.env.GCPSIM_SANITIZED === '1';
const P = 'projects/demo-project';
let sim;
let baseline;

before(async () => {
  sim = await startGcpsim();
});
// Each case is held to what its own traffic may add (glibc keeps freed pages of earlier ones).
beforeEach(() => { baseline = h.rssMiB(sim.proc.pid); });
after(async () => { await sim.stop(); });

async function stillServing() {
  const res = await fetch(`${sim.url}/_gcpsim/health`);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).status, 'SERVING');
}

// Memory stays within `mib` of what gcpsim held before this case's hostile traffic began.
function boundedMemory(mib) {
  if (SANITIZED) return;  // ASan's quarantine keeps freed memory
  const grown = h.rssMiB(sim.proc.pid) - baseline;
  assert.ok(grown < mib, `RSS grew by ${grown.toFixed(1)} MiB (bound ${mib})`);
}

// Polls until gcpsim holds at most `max` descriptors (closed connections are reaped).
async function fdsDropTo(max) {
  for (let i = 0; i < 500; ++i) {
    if (h.openFds(sim.proc.pid) <= max) return;
    await new Promise((r) => setImmediate(r));
    await fetch(`${sim.url}/_gcpsim/health`);
  }
  assert.fail(`gcpsim still holds ${h.openFds(sim.proc.pid)} descriptors`);
}

test('slowloris: thousands of idle and half-sent connections do not stop others being served', async () => {
  const fds = h.openFds(sim.proc.pid);
  const silent = await h.openIdle(sim.port, 1000);
  const partial = await h.openIdle(sim.port, 1000, 'GET /_gcpsim/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  const preface = await h.openIdle(sim.port, 500, 'PRI * HTTP/2');
  try {
    await stillServing();
    // gcpsim accepted all of them (they are not waiting in the listen backlog).
    assert.ok(h.openFds(sim.proc.pid) >= fds + 2400, `only ${h.openFds(sim.proc.pid) - fds} accepted`);
    boundedMemory(96);
  } finally {
    h.closeAll([...silent, ...partial, ...preface]);
  }
  await fdsDropTo(fds + 10);
  await stillServing();
});

test('10,000 connections at once are all accepted and others are still served', async () => {
  const fds = h.openFds(sim.proc.pid);
  const socks = await h.openIdle(sim.port, 10000);
  try {
    assert.equal(socks.filter((s) => s.destroyed).length, 0);
    await stillServing();
    assert.ok(h.openFds(sim.proc.pid) >= fds + 9900, `only ${h.openFds(sim.proc.pid) - fds} accepted`);
    boundedMemory(160);
  } finally {
    h.closeAll(socks);
  }
  await fdsDropTo(fds + 10);
  await stillServing();
});

test('oversized headers get 431 and oversized bodies 413, then the connection closes', async () => {
  const big = await h.exchange(sim.port, `GET /_gcpsim/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`);
  assert.deepEqual(h.statuses(big.text), [431]);
  assert.ok(big.closed);
  const many = await h.exchange(sim.port, `GET /_gcpsim/health HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(20000)}\r\n`);
  assert.deepEqual(h.statuses(many.text), [431]);
  const body = await h.exchange(sim.port, 'PUT /upload/storage/v1/b/b/o?uploadType=media&name=x HTTP/1.1\r\nHost: x\r\nContent-Length: 17179869185\r\n\r\nabc');
  assert.deepEqual(h.statuses(body.text), [413]);
  assert.ok(body.closed);
  // A JSON body over the in-memory limit is refused by the handler, not buffered.
  const chunk = 'a'.repeat(1 << 20);
  const parts = ['POST /v1beta/models/gemini-2.5-flash:generateContent HTTP/1.1\r\nHost: x\r\nx-goog-api-key: k\r\nTransfer-Encoding: chunked\r\n\r\n'];
  for (let i = 0; i < 40; ++i) parts.push(`${(1 << 20).toString(16)}\r\n${chunk}\r\n`);
  parts.push('0\r\n\r\n');
  const json = await h.exchange(sim.port, parts, 20000, 1000);
  const [status] = h.statuses(json.text);
  assert.ok(status === 413 || status === 400, json.text.slice(0, 300));
  await stillServing();
  boundedMemory(96);
});

test('request smuggling shapes are refused with 400 and the connection closed', async () => {
  for (const [name, bytes] of Object.entries(h.smuggling)) {
    const r = await h.exchange(sim.port, bytes);
    const got = h.statuses(r.text);
    // Never two answers: the bytes after the ambiguous body are not read as a request.
    assert.deepEqual(got, [400], `${name}: ${JSON.stringify(r.text.slice(0, 200))}`);
    assert.ok(r.closed, `${name}: connection left open`);
  }
  await stillServing();
});

test('HTTP/2 floods (rapid reset, SETTINGS, PING, CONTINUATION) end the connection or are absorbed', async () => {
  for (const [kind, n] of [['rapid-reset', 20000], ['settings', 50000], ['ping', 50000], ['continuation', 5000]]) {
    // A rapid reset is waited out to the end of its connection, which gcpsim closes.
    const r = await h.exchange(sim.port, h.h2Flood(kind, n), 15000, kind === 'rapid-reset' ? 0 : 1000);
    if (kind === 'rapid-reset') {
      assert.ok(r.closed, 'gcpsim kept a rapid-reset connection open');
      assert.ok(r.data.length < 20000 * 100, `rapid-reset: ${r.data.length} bytes back, an answer to every stream`);
    }
    // Whatever gRPC answered, gcpsim still serves both protocols afterwards.
    await stillServing();
    assert.ok(r.data.length < 64 * 1024 * 1024, `${kind}: ${r.data.length} bytes back`);
    boundedMemory(128);
  }
  // A well-formed gRPC call on a fresh connection still works.
  const { PublisherClient } = require('@google-cloud/pubsub').v1;
  const grpc = require('@grpc/grpc-js');
  const pub = new PublisherClient({ apiEndpoint: '127.0.0.1', port: sim.port, sslCreds: grpc.credentials.createInsecure() });
  try {
    const [topic] = await pub.createTopic({ name: `${P}/topics/after-flood` });
    assert.equal(topic.name, `${P}/topics/after-flood`);
  } finally {
    await pub.close();
  }
});

test('deeply nested JSON gets 400 from every JSON reader', async () => {
  const deep = [h.nested(100000), h.nested(100000, '{"a":', '}'), h.nested(1000)];
  // Nesting where the readers recurse: a response schema, a function response, event fields.
  const schema = `${'{"type":"ARRAY","items":'.repeat(50000)}{"type":"STRING"}${'}'.repeat(50000)}`;
  const token = (await (await fetch(`${sim.url}/computeMetadata/v1/instance/service-accounts/default/token`,
    { headers: { 'metadata-flavor': 'Google' } })).json()).access_token;
  const placed = [
    ['/v1beta/models/gemini-2.5-flash:generateContent', `{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"application/json","responseSchema":${schema}}}`],
    ['/v1beta/models/gemini-2.5-flash:generateContent', `{"contents":[{"parts":[{"functionResponse":{"name":"f","response":{"a":${h.nested(100000)}}}}]}]}`],
    ['/calendar/v3/calendars/primary/events', `{"summary":"x","start":{"date":"2026-01-05"},"end":{"date":"2026-01-06"},"extendedProperties":{"private":${h.nested(100000, '{"a":', '}')}}}`],
  ];
  for (const [p, body] of placed) {
    const res = await fetch(`${sim.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-goog-api-key': 'k' }, body });
    assert.equal(res.status, 400, `${p}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  const targets = [
    ['POST', `/v1/${P}/topics/t:publish`],
    ['POST', '/v1beta/models/gemini-2.5-flash:generateContent'],
    ['POST', '/calendar/v3/calendars/primary/events'],
    ['POST', '/_gcpsim/faults'],
    ['POST', '/storage/v1/b?project=demo-project'],
    ['POST', `/v1/${P}/secrets?secretId=deep`],
    ['POST', '/token'],
  ];
  for (const body of deep) {
    for (const [method, p] of targets) {
      const res = await fetch(`${sim.url}${p}`, { method, headers: { 'content-type': 'application/json' }, body });
      assert.ok(res.status >= 400 && res.status < 500, `${p}: ${res.status} ${await res.text()}`);
    }
  }
  await stillServing();
  boundedMemory(96);
});

test('names with invalid UTF-8 are refused with 400 in each API', async () => {
  const bad = '%FF%FE%C3%28';
  await fetch(`${sim.url}/storage/v1/b?project=demo-project`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'utf8-bucket' }),
  });
  const cases = [
    ['POST', `/upload/storage/v1/b/utf8-bucket/o?uploadType=media&name=${bad}`, 'x'],
    ['POST', `/upload/storage/v1/b/utf8-bucket/o?uploadType=resumable&name=${bad}`, ''],
    ['PUT', `/utf8-bucket/${bad}`, 'x'],
    ['PUT', `/v1/${P}/topics/t${bad}`, '{}'],
    ['PUT', `/v1/${P}/subscriptions/s${bad}`, JSON.stringify({ topic: `${P}/topics/t` })],
    ['POST', `/v1/${P}/secrets?secretId=s${bad}`, JSON.stringify({ replication: { automatic: {} } })],
    ['POST', `/v2/${P}/locations/us-central1/queues`, Buffer.concat([Buffer.from('{"name":"' + P + '/locations/us-central1/queues/q'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])],
    ['POST', `/v1/${P}/topics/t:publish`, Buffer.concat([Buffer.from('{"messages":[{"data":"eA==","attributes":{"'), Buffer.from([0xc3, 0x28]), Buffer.from('":"v"}}]}')])],
  ];
  for (const [method, p, body] of cases) {
    const res = await fetch(`${sim.url}${p}`, { method, headers: { 'content-type': 'application/json' }, body });
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.ok(res.status === 400 || res.status === 404, `${method} ${p}: ${res.status} ${bytes}`);
    // The error names what was wrong without echoing the bad bytes: it is valid UTF-8.
    assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), `${method} ${p}: ${bytes}`);
  }
  await stillServing();
});

test('object names and upload ids never reach outside the data dir', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-escape-'));
  const dataDir = path.join(root, 'data');
  const own = await startGcpsim(['--data-dir', dataDir]);
  try {
    const api = (p, init) => fetch(`${own.url}${p}`, init);
    assert.equal((await api('/storage/v1/b?project=demo-project', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'esc' }),
    })).status, 200);
    const names = ['../../escaped', '..%2F..%2Fescaped', '%2E%2E/%2E%2E/escaped', 'a/../../../escaped', '/abs/escaped',
      '..\\..\\escaped', 'spool/../../escaped', '%00escaped'];
    const stored = [];
    for (const n of names) {
      const res = await api(`/upload/storage/v1/b/esc/o?uploadType=media&name=${encodeURIComponent(decodeURIComponent(n))}`, {
        method: 'POST', body: 'payload',
      });
      if (res.status === 200) stored.push((await res.json()).name);
      else assert.equal(res.status, 400, `${n}: ${res.status}`);
      // fetch resolves dot segments itself, so some of these reach another bucket (404).
      const xml = await api(`/esc/${n}`, { method: 'PUT', body: 'payload' });
      assert.ok([200, 400, 404].includes(xml.status), `${n} (XML): ${xml.status}`);
    }
    for (const id of ['../../escaped', '..%2F..%2Fescaped', '/etc/passwd', '%2E%2E%2Fescaped']) {
      const res = await api(`/upload/storage/v1/b/esc/o?uploadType=resumable&upload_id=${id}`, {
        method: 'PUT', headers: { 'content-range': 'bytes 0-6/7' }, body: 'payload',
      });
      assert.ok(res.status === 404 || res.status === 400, `upload_id ${id}: ${res.status}`);
    }
    for (const b of ['..', '.', '..%2F..', 'esc%2F..%2F..']) {
      const res = await api('/storage/v1/b?project=demo-project', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: decodeURIComponent(b) }),
      });
      assert.equal(res.status, 400, `bucket ${b}: ${res.status}`);
    }
    // Every stored object reads back under its own name, with its bytes.
    for (const n of stored) {
      const res = await api(`/storage/v1/b/esc/o/${encodeURIComponent(n)}?alt=media`);
      assert.equal(res.status, 200, n);
      assert.equal(await res.text(), 'payload');
    }
    // Nothing was written beside the data dir.
    assert.deepEqual(fs.readdirSync(root), ['data']);
  } finally {
    await own.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
