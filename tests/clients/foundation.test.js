// The edge port, the control API and the CLI, driven from outside as a user would.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const { startGcpsim, BIN } = require('./lib/gcpsim');

let sim;
before(async () => { sim = await startGcpsim(); });
after(async () => { await sim.stop(); });

const healthProto = protoLoader.loadSync(path.join(__dirname, 'protos/health.proto'), { enums: String });
const { Health } = grpc.loadPackageDefinition(healthProto).grpc.health.v1;

function healthCheck(host) {
  const client = new Health(host, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.check({ service: '' }, (err, res) => { client.close(); err ? reject(err) : resolve(res); });
  });
}

// Sends raw bytes, collects everything the server answers until it closes (or 2 s pass).
function raw(port, chunks, { end = true } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => { data += d; });
    sock.on('close', () => resolve(data));
    sock.on('error', () => {});
    sock.setTimeout(2000, () => sock.destroy());
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (!sock.write(c)) await new Promise((r) => sock.once('drain', r));
      }
      if (end) sock.end();
    });
  });
}

test('one port answers a gRPC health check and an HTTP control call side by side', async () => {
  const [grpcRes, httpRes] = await Promise.all([healthCheck(sim.host), sim.control('GET', 'health')]);
  assert.equal(grpcRes.status, 'SERVING');
  assert.equal(httpRes.status, 200);
  assert.equal(httpRes.body.status, 'SERVING');
  assert.equal(httpRes.body.project, 'demo-project');
});

test('unknown paths get Google\'s JSON error envelope', async () => {
  const res = await fetch(`${sim.url}/v1/nothing/here`);
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.code, 404);
  assert.equal(body.error.status, 'NOT_FOUND');
});

test('an unknown gRPC method is UNIMPLEMENTED', async () => {
  const client = new grpc.Client(sim.host, grpc.credentials.createInsecure());
  const err = await new Promise((resolve) => {
    client.makeUnaryRequest('/google.nothing.v1.Nope/Call', (x) => x, (x) => x, Buffer.alloc(0),
      (e) => resolve(e));
  });
  client.close();
  assert.equal(err.code, grpc.status.UNIMPLEMENTED);
});

test('control API: faults are added, listed and removed', async () => {
  const added = await sim.control('POST', 'faults', {
    match: { service: 'pubsub', method: 'pubsub.Publish' },
    action: { error: 'RESOURCE_EXHAUSTED', retryDelay: '30s' }, count: 2, probability: 0.5,
  });
  assert.equal(added.status, 200);
  assert.equal(added.body.action.error, 'RESOURCE_EXHAUSTED');
  const list = await sim.control('GET', 'faults');
  assert.deepEqual(list.body.faults.map((f) => f.id), [added.body.id]);
  assert.equal((await sim.control('DELETE', `faults/${added.body.id}`)).status, 200);
  assert.deepEqual((await sim.control('GET', 'faults')).body.faults, []);
  const missing = await sim.control('DELETE', 'faults/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.status, 'NOT_FOUND');
});

test('control API: bad fault rules are rejected naming the problem', async () => {
  const r1 = await sim.control('POST', 'faults', { match: { service: 'x' }, action: { error: 'NOPE' } });
  assert.equal(r1.status, 400);
  assert.match(r1.body.error.message, /unknown error code 'NOPE'/);
  const r2 = await sim.control('POST', 'faults', { action: { error: 'UNAVAILABLE' }, probabilty: 1 });
  assert.equal(r2.status, 400);
  assert.match(r2.body.error.message, /unknown fault field 'probabilty'/);
});

test('control API: invalid JSON gets a 400 and the server keeps serving', async () => {
  const res = await fetch(`${sim.url}/_gcpsim/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"match": {',
  });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.error.status, 'INVALID_ARGUMENT');
  assert.match(body.error.message, /Invalid JSON payload/);
  assert.equal((await sim.control('GET', 'health')).status, 200);
});

test('control API: browser requests from another origin are refused', async () => {
  const res = await fetch(`${sim.url}/_gcpsim/reset`, {
    method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{}',
  });
  assert.equal(res.status, 403);
  const form = await fetch(`${sim.url}/_gcpsim/faults`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b',
  });
  assert.equal(form.status, 400);
  const sameOrigin = await fetch(`${sim.url}/_gcpsim/health`, { headers: { origin: sim.url } });
  assert.equal(sameOrigin.status, 200);
});

test('control API: a page whose own name resolves to 127.0.0.1 (DNS rebinding) is refused', async () => {
  const status = (host) => new Promise((resolve, reject) => {  // as a browser sends it
    const headers = { host, 'sec-fetch-site': 'same-origin' };
    require('node:http').get({ host: '127.0.0.1', port: sim.port, path: '/_gcpsim/health', headers }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
  assert.equal(await status(`rebind.example:${sim.port}`), 403);
  assert.equal(await status(`localhost:${sim.port}`), 200);
  assert.equal(await status(`hello.run.localhost:${sim.port}`), 200);
});

test('control API: events list api calls and control actions', async () => {
  await sim.control('POST', 'reset', {});
  const events = await sim.control('GET', 'events?since=0');
  assert.equal(events.status, 200);
  assert.ok(Array.isArray(events.body.events));
  const bad = await sim.control('GET', 'events?since=abc');
  assert.equal(bad.status, 400);
});

test('control API: the clock answers and refuses bad moves', async () => {
  const c = await sim.control('GET', 'clock');
  assert.equal(c.body.mode, 'real');
  const bad = await sim.control('POST', 'clock', { advance: 'soon' });
  assert.equal(bad.status, 400);
  const moved = await sim.control('POST', 'clock', { advance: '1h' });
  assert.equal(moved.status, 200);
  assert.ok(Date.parse(moved.body.now) - Date.parse(c.body.now) >= 3600 * 1000);
});

test('a truncated HTTP request is closed without crashing the server', async () => {
  await raw(sim.port, ['POST /_gcpsim/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":']);
  assert.equal((await sim.control('GET', 'health')).status, 200);
});

test('a garbage first packet gets a 400 and a close', async () => {
  const answer = await raw(sim.port, [Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00, 0x00, 0x0a, 0x0d, 0x0a, 0x0d, 0x0a])]);
  assert.match(answer, /^HTTP\/1\.1 400/);
  assert.equal((await sim.control('GET', 'health')).status, 200);
});

test('a 100 MB header gets a 431 and the server keeps serving', async () => {
  const chunk = 'x'.repeat(1 << 20);
  const chunks = ['GET /_gcpsim/health HTTP/1.1\r\nHost: x\r\nX-Big: '];
  for (let i = 0; i < 100; i++) chunks.push(chunk);
  chunks.push('\r\n\r\n');
  const answer = await raw(sim.port, chunks, { end: false });
  assert.match(answer, /^HTTP\/1\.1 431/);
  assert.equal((await sim.control('GET', 'health')).status, 200);
});

test('keep-alive serves several requests on one connection', async () => {
  const req = 'GET /_gcpsim/clock HTTP/1.1\r\nHost: x\r\n\r\n';
  const answer = await raw(sim.port, [req + req + 'GET /_gcpsim/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
  assert.equal((answer.match(/HTTP\/1\.1 200/g) || []).length, 3);
});

test('gcpsim health answers 0 for a serving gcpsim and 1 where none answers (a container HEALTHCHECK)', () => {
  const ok = spawnSync(BIN, ['health', '--port', String(sim.port)]);
  assert.equal(ok.status, 0, ok.stderr.toString());
  assert.equal(ok.stdout.toString(), `127.0.0.1:${sim.port} SERVING\n`);
  const byEnv = spawnSync(BIN, ['health'], { env: { ...process.env, GCPSIM_PORT: String(sim.port) } });
  assert.equal(byEnv.status, 0);
  const none = spawnSync(BIN, ['health', '--port', '9']);
  assert.equal(none.status, 1);
  assert.match(none.stdout.toString(), /NOT_SERVING/);
});

test('gcpsim up takes its settings from GCPSIM_* variables, and a flag wins over one', async () => {
  // startGcpsim passes --port 0, which wins over GCPSIM_PORT (a value up would refuse).
  const own = await startGcpsim([], { env: { GCPSIM_PROJECT: 'team-project', GCPSIM_CLOCK: 'virtual', GCPSIM_PORT: 'none' } });
  try {
    const health = (await own.control('GET', 'health')).body;
    assert.equal(health.project, 'team-project');
    assert.equal(health.clock.mode, 'virtual');
    assert.equal(health.clock.now, '2026-01-01T00:00:00Z');
  } finally {
    await own.stop();
  }
  const bad = spawnSync(BIN, ['up', '--port', '0'], { env: { ...process.env, GCPSIM_CLOCK: 'sundial' } });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.toString(), /--clock must be real or virtual/);
});

test('gcpsim env prints the client variables in every format', () => {
  const sh = execFileSync(BIN, ['env', '--port', '9999']).toString();
  assert.match(sh, /^export PUBSUB_EMULATOR_HOST=127\.0\.0\.1:9999$/m);
  assert.match(sh, /^export STORAGE_EMULATOR_HOST=http:\/\/127\.0\.0\.1:9999$/m);
  assert.match(sh, /^export BIGQUERY_EMULATOR_HOST=http:\/\/127\.0\.0\.1:9999$/m);
  assert.match(sh, /^export GCE_METADATA_HOST=127\.0\.0\.1:9999$/m);
  assert.match(sh, /^export GOOGLE_CLOUD_PROJECT=demo-project$/m);
  const json = JSON.parse(execFileSync(BIN, ['env', '--format', 'json']).toString());
  assert.equal(json.GOOGLE_GEMINI_BASE_URL, 'http://127.0.0.1:8085');
  const dotenv = execFileSync(BIN, ['env', '--format', 'dotenv']).toString();
  assert.match(dotenv, /^PUBSUB_EMULATOR_HOST=127\.0\.0\.1:8085$/m);
  assert.throws(() => execFileSync(BIN, ['env', '--format', 'xml'], { stdio: 'pipe' }), /--format must be/);
});

test('gcpsim env points gcloud at gcpsim: endpoint overrides, a token file, the project, nothing sent to Google', () => {
  const env = JSON.parse(execFileSync(BIN, ['env', '--port', '9999', '--format', 'json']).toString());
  assert.equal(env.CLOUDSDK_API_ENDPOINT_OVERRIDES_PUBSUB, 'http://127.0.0.1:9999/');
  assert.equal(env.CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER, 'http://127.0.0.1:9999/');
  assert.equal(env.CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDTASKS, 'http://127.0.0.1:9999/');
  assert.equal(env.CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE, 'http://127.0.0.1:9999/storage/v1/');
  assert.equal(env.CLOUDSDK_STORAGE_GS_XML_ENDPOINT_URL, 'http://127.0.0.1:9999');
  assert.equal(env.CLOUDSDK_CORE_PROJECT, 'demo-project');
  assert.equal(env.CLOUDSDK_CORE_DISABLE_USAGE_REPORTING, 'true');
  assert.equal(env.CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK, 'true');
  assert.equal(env.CLOUDSDK_CORE_CHECK_GCE_METADATA, 'false');
  assert.match(fs.readFileSync(env.CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, 'utf8'), /^\S+\n$/);
});

test('gcpsim gcloud names the address it tried when no gcpsim answers there', () => {
  const r = spawnSync(BIN, ['gcloud', 'version'], { env: { ...process.env, GCPSIM_ENDPOINT: 'http://127.0.0.1:1' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /no gcpsim answers on 127\.0\.0\.1:1/);
});

test('gcpsim up refuses unknown flags and a busy port clearly', async () => {
  assert.throws(() => execFileSync(BIN, ['up', '--prot', '1'], { stdio: 'pipe' }), /unknown flag --prot/);
  assert.throws(() => execFileSync(BIN, ['up', '--port', String(sim.port)], { stdio: 'pipe' }), /cannot listen/);
});

test('SIGINT stops gcpsim cleanly with exit code 0', async () => {
  const other = await startGcpsim();
  const { code } = await other.stop('SIGINT');
  assert.equal(code, 0);
});
