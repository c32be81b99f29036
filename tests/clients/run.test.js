// Cloud Run through gcpsim's router, with real services (a Node http server and a FastAPI app
// under Debian's uvicorn): scaling, queueing, timeouts, crashes, scale to zero on the virtual
// clock, ID tokens from the metadata server, logs, SSE, WebSockets, limits, faults, and no
// orphan processes when gcpsim is stopped or killed.
'use strict';
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startGcpsim, freePort } = require('./lib/gcpsim');

const NODE_DIR = path.join(__dirname, 'fixtures/run/node');
const PY_DIR = path.join(__dirname, 'fixtures/run/python');

// Writes a stack file whose services are `run` entries (YAML flow mappings, one a line).
function stackFile(services, extra = '') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-run-'));
  const file = path.join(dir, 'gcpsim.yaml');
  const lines = ['run:'];
  for (const [name, spec] of Object.entries(services)) lines.push(`  ${name}: ${JSON.stringify(spec)}`);
  fs.writeFileSync(file, lines.join('\n') + '\n' + extra);
  return file;
}

const nodeService = (over = {}) => ({ command: ['node', 'server.js'], cwd: NODE_DIR, ...over });
// Debian's python3 with its python3-fastapi and python3-uvicorn packages.
const pyService = (over = {}) => ({
  command: ['/usr/bin/python3', '-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', '${PORT}'],
  cwd: PY_DIR, ...over,
});

// Polls until fn returns a truthy value (bounded; the emulator is never waited on by time).
async function until(fn, what, limitMs = 15000) {
  for (let waited = 0; ; waited += 20) {
    const v = await fn();
    if (v) return v;
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function events(sim, query) {
  return (await sim.control('GET', `events?${query}`)).body.events;
}

async function runState(sim, name) {
  return (await sim.control('GET', 'run')).body.services.find((s) => s.name === name);
}

// A raw HTTP request (lets us set Host and read streamed bodies chunk by chunk).
function request(port, { method = 'GET', path: p = '/', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const json = async (port, p, opts) => JSON.parse((await request(port, { path: p, ...opts })).body);

describe('a Node service behind the router', () => {
  let sim, port;
  before(async () => {
    port = await freePort();
    sim = await startGcpsim(['--stack', stackFile({ hello: nodeService({ port, concurrency: 4, env: { GREETING: 'hi' } }) })]);
  });
  after(async () => { await sim.stop(); });

  test('answers on its stable port with Cloud Run\'s environment and gcpsim\'s client variables', async () => {
    const env = await json(port, '/env');
    assert.equal(env.K_SERVICE, 'hello');
    assert.equal(env.K_CONFIGURATION, 'hello');
    assert.match(env.K_REVISION, /^hello-00001-[0-9a-f]{3}$/);
    assert.notEqual(env.PORT, String(port));
    assert.equal(env.GREETING, 'hi');
    assert.equal(env.GOOGLE_CLOUD_PROJECT, 'demo-project');
    assert.equal(env.PUBSUB_EMULATOR_HOST, sim.host);
    assert.equal(env.STORAGE_EMULATOR_HOST, sim.url);
    assert.equal(env.BIGQUERY_EMULATOR_HOST, sim.url);
    assert.equal(env.GCE_METADATA_HOST, sim.host);
    const first = (await events(sim, 'kind=run.request&service=hello'))[0];
    assert.equal(first.attrs.coldStart, true);
    const listed = await runState(sim, 'hello');
    assert.equal(listed.url, `http://127.0.0.1:${port}`);
    assert.equal(listed.instances.length, 1);
    assert.ok(listed.instances[0].pid > 0);
  });

  test('is routed on the edge port by Host: hello.run.localhost', async () => {
    const res = await request(sim.port, { path: '/', headers: { Host: `hello.run.localhost:${sim.port}` } });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).service, 'hello');
  });

  test('adds trace and forwarding headers, keeping the caller\'s trace', async () => {
    const h = await json(port, '/headers');
    assert.match(h['x-cloud-trace-context'], /^[0-9a-f]{32}\/\d+;o=1$/);
    assert.match(h.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-gcpsim-internal'], undefined, 'gcpsim\'s internal marker never reaches an instance');
    const spoofed = await json(port, '/headers', { headers: { 'X-Gcpsim-Internal': 'guess' } });
    assert.equal(spoofed['x-gcpsim-internal'], undefined);
    const trace = 'abcdef0123456789abcdef0123456789';
    const kept = await json(port, '/headers', { headers: { 'X-Cloud-Trace-Context': `${trace}/7;o=1` } });
    assert.ok(kept['x-cloud-trace-context'].startsWith(`${trace}/`));
    assert.ok(kept.traceparent.includes(trace));
  });

  test('structured logs and plain lines arrive as log events', async () => {
    const trace = '0123456789abcdef0123456789abcdef';
    await json(port, '/log', { headers: { 'X-Cloud-Trace-Context': `${trace}/1;o=1` } });
    const logs = await until(async () => {
      const e = await events(sim, 'kind=log&service=hello');
      return e.some((x) => x.attrs.stream === 'stderr') && e.some((x) => x.attrs.message === 'structured hello') && e;
    }, 'log events');
    const s = logs.find((x) => x.attrs.message === 'structured hello').attrs;
    assert.equal(s.severity, 'WARNING');
    assert.equal(s.trace, `projects/demo-project/traces/${trace}`);
    assert.equal(s['labels.tenant'], 't1');
    assert.equal(s['httpRequest.requestMethod'], 'GET');
    assert.equal(JSON.parse(s.jsonPayload).component, 'fixture');
    const plain = logs.find((x) => x.attrs.stream === 'stderr').attrs;
    assert.equal(plain.message, 'plain stderr line');
    assert.equal(plain.severity, 'DEFAULT');
  });

  test('an SSE stream is passed through unbuffered', async () => {
    const got = await new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/sse', agent: false }, (res) => {
        let text = '';
        let released = false;
        res.on('data', async (c) => {
          text += c;
          if (!released && text.includes('data: one')) {
            released = true;  // the first event came while the stream is still open
            await request(port, { path: '/sse-release' });
          }
        });
        res.on('end', () => resolve({ text, type: res.headers['content-type'] }));
      });
      req.on('error', reject);
    });
    assert.equal(got.type, 'text/event-stream');
    assert.equal(got.text, 'data: one\n\ndata: two\n\ndata: done\n\n');
  });

  test('a WebSocket echo works through the router', async () => {
    const echoed = await websocketEcho(port, ['hello', 'world']);
    assert.deepEqual(echoed, ['hello', 'world']);
    const ws = await until(async () => (await events(sim, 'kind=run.request&service=hello'))
      .find((e) => e.attrs.websocket), 'the websocket request event');
    assert.equal(ws.attrs.status, 101);
  });

  test('an instance closing its kept-alive connection costs no request and runs none twice', async () => {
    // Each answer leaves the router's pooled connection closed by the instance; the next
    // request finds it stale and goes out again on a fresh one, exactly once.
    for (let i = 0; i < 5; i++) {
      const res = await request(port, { method: 'POST', path: '/drop-after', body: `order-${i}` });
      assert.equal(res.status, 200);
      assert.equal(JSON.parse(res.body).body, `order-${i}`);
    }
    assert.equal((await json(port, '/hits?path=/drop-after')).hits, 5);
    const failed = (await events(sim, 'kind=run.request&service=hello')).filter((e) => e.attrs.path === '/drop-after' && e.attrs.status !== 200);
    assert.deepEqual(failed, []);
  });

  test('bodies over 32 MiB are refused with 413; smaller ones pass', async () => {
    const small = await request(port, { method: 'POST', path: '/echo', body: Buffer.alloc(1 << 20, 1) });
    assert.equal(JSON.parse(small.body).bytes, 1 << 20);
    const answer = await new Promise((resolve) => {  // headers announce 33 MiB; the router answers at once
      const sock = net.connect(port, '127.0.0.1', () => sock.write('POST /echo HTTP/1.1\r\nHost: x\r\n' +
        `Content-Length: ${33 * 1024 * 1024}\r\n\r\n` + 'x'.repeat(1024)));
      let text = '';
      sock.on('data', (d) => { text += d; });
      sock.on('close', () => resolve(text));
      sock.on('error', () => {});
    });
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /Your client issued a request that was too large/);
  });

  test('router faults: an error rule answers for the instance', async () => {
    await sim.control('POST', 'faults', { match: { service: 'hello', method: 'run.request', target: '/env' },
      action: { error: 'UNAVAILABLE' }, count: 1 });
    assert.equal((await request(port, { path: '/env' })).status, 503);
    assert.equal((await request(port, { path: '/env' })).status, 200);
  });
});

// A client side of RFC 6455, enough for short text frames.
function websocketEcho(port, messages) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const key = crypto.randomBytes(16).toString('base64');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const got = [];
    sock.on('connect', () => sock.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`));
    const frame = (opcode, text) => {
      const payload = Buffer.from(text);
      const mask = crypto.randomBytes(4);
      return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask,
        Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]);
    };
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, end).toString().startsWith('HTTP/1.1 101')) return reject(new Error(buf.toString()));
        upgraded = true;
        buf = buf.subarray(end + 4);
        for (const m of messages) sock.write(frame(1, m));
      }
      while (buf.length >= 2 && buf.length >= 2 + (buf[1] & 0x7f)) {
        const len = buf[1] & 0x7f;
        const opcode = buf[0] & 0x0f;
        const text = buf.subarray(2, 2 + len).toString();
        buf = buf.subarray(2 + len);
        if (opcode === 8) { sock.end(); return; }
        got.push(text);
        if (got.length === messages.length) sock.write(frame(8, ''));
      }
    });
    sock.on('close', () => resolve(got));
    sock.on('error', reject);
  });
}

describe('autoscaling on the real clock', () => {
  let sim, port;
  before(async () => {
    port = await freePort();
    sim = await startGcpsim(['--stack', stackFile({
      burst: nodeService({ port, concurrency: 1, min_instances: 1, max_instances: 2 }),
    })]);
  });
  after(async () => { await sim.stop(); });

  test('concurrency 1: parallel requests scale out to max instances, then queue', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => json(port, '/slow?ms=300')));
    assert.equal(new Set(results.map((r) => r.pid)).size, 2);
    const starts = await events(sim, 'kind=process.start&service=burst');
    assert.equal(starts.length, 2);
    const reqs = await events(sim, 'kind=run.request&service=burst');
    assert.equal(reqs.length, 4);
    assert.deepEqual([...new Set(reqs.map((e) => e.attrs.instance))].sort(), [1, 2]);
    assert.ok(reqs.every((e) => e.attrs.status === 200));
  });

  test('crashed instances are restarted to keep min instances, with backoff when crashes repeat', async () => {
    const before = new Set((await runState(sim, 'burst')).instances.map((i) => i.id));
    const crashed = await request(port, { path: '/crash' });
    assert.equal(crashed.status, 503);
    const exit = await until(async () => (await events(sim, 'kind=process.exit&service=burst'))
      .find((e) => e.attrs.exitCode === 3), 'the crash exit');
    assert.equal(exit.attrs.expected, false);
    await sim.control('POST', 'run/burst:kill');
    await until(async () => (await events(sim, 'kind=process.exit&service=burst')).some((e) => e.attrs.signal === 9),
      'the killed instance');
    const replacement = await until(async () => (await runState(sim, 'burst')).instances
      .find((i) => !before.has(i.id) && i.state === 'READY'), 'a restarted instance');
    assert.ok(replacement.pid > 0);
    assert.equal((await request(port, { path: '/' })).status, 200);
  });
});

describe('virtual time', () => {
  let sim, port;
  before(async () => {
    port = await freePort();
    sim = await startGcpsim(['--clock', 'virtual', '--stack', stackFile({
      lazy: nodeService({ port, concurrency: 1, max_instances: 1, timeout: '120s' }),
    })]);
  });
  after(async () => { await sim.stop(); });

  test('an idle service scales to zero after 15 minutes and the next request cold-starts', async () => {
    assert.equal((await request(port, { path: '/' })).status, 200);
    await sim.control('POST', 'clock', { advance: '14m' });
    assert.equal((await runState(sim, 'lazy')).instances.length, 1);
    await sim.control('POST', 'clock', { advance: '1m' });
    await until(async () => (await runState(sim, 'lazy')).instances.length === 0, 'scale to zero');
    const exit = (await events(sim, 'kind=process.exit&service=lazy')).pop();
    assert.equal(exit.attrs.expected, true);
    assert.equal((await request(port, { path: '/' })).status, 200);
    const reqs = await events(sim, 'kind=run.request&service=lazy');
    assert.equal(reqs.at(-1).attrs.coldStart, true);
    assert.equal((await events(sim, 'kind=process.start&service=lazy')).length, 2);
  });

  test('a request past the service timeout gets 504; one queued past 60 s at max instances gets 429', async () => {
    const hung = request(port, { path: '/hang' });
    await until(async () => (await runState(sim, 'lazy')).instances.some((i) => i.inFlight === 1), 'the hung request');
    const queued = request(port, { path: '/' });
    await until(async () => (await runState(sim, 'lazy')).queued === 1, 'the queued request');
    await sim.control('POST', 'clock', { advance: '60s' });
    const rejected = await queued;
    assert.equal(rejected.status, 429);
    assert.match(rejected.body, /no available instance/);
    await sim.control('POST', 'clock', { advance: '60s' });
    const timedOut = await hung;
    assert.equal(timedOut.status, 504);
    assert.equal(timedOut.body, 'upstream request timeout');
    const statuses = (await events(sim, 'kind=run.request&service=lazy')).map((e) => e.attrs.status);
    assert.deepEqual(statuses.slice(-2), [429, 504]);
  });
});

describe('ID tokens and ingress', () => {
  let sim, port, internalPort;
  before(async () => {
    port = await freePort();
    internalPort = await freePort();
    sim = await startGcpsim(['--stack', stackFile({
      private: nodeService({ port, allow_unauthenticated: false }),
      inside: nodeService({ port: internalPort, ingress: 'internal' }),
    })]);
    process.env.GCE_METADATA_HOST = sim.host;
    process.env.METADATA_SERVER_DETECTION = 'assume-present';
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  });
  after(async () => { await sim.stop(); });

  test('an ID token from the metadata server (google-auth-library) is accepted; a wrong audience is not', async () => {
    const { GoogleAuth } = require('google-auth-library');
    const auth = new GoogleAuth();
    const url = `http://127.0.0.1:${port}`;
    const client = await auth.getIdTokenClient(url);
    const res = await client.request({ url: `${url}/` });
    assert.equal(res.status, 200);
    assert.equal(res.data.service, 'private');
    const none = await request(port, { path: '/' });
    assert.equal(none.status, 403);
    assert.match(none.body, /Error: Forbidden/);
    const other = await (await auth.getIdTokenClient('http://127.0.0.1:1')).idTokenProvider.fetchIdToken('http://127.0.0.1:1');
    const wrong = await request(port, { path: '/', headers: { Authorization: `Bearer ${other}` } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers['www-authenticate'], /invalid_token/);
  });

  test('ingress internal refuses outside callers with 404', async () => {
    const res = await request(internalPort, { path: '/' });
    assert.equal(res.status, 404);
    const forged = await request(internalPort, { path: '/', headers: { 'X-Gcpsim-Internal': 'guess' } });
    assert.equal(forged.status, 404);
  });
});

describe('a FastAPI app under uvicorn', () => {
  let sim, port;
  before(async () => {
    port = await freePort();
    sim = await startGcpsim(['--stack', stackFile({ py: pyService({ port, startup_probe: { path: '/' } }) })]);
  });
  after(async () => { await sim.stop(); });

  test('cold-starts behind its startup probe and serves JSON, logs and SSE', async () => {
    assert.equal((await json(port, '/')).service, 'py');
    const ready = (await events(sim, 'kind=process.ready&service=py'))[0];
    assert.ok(ready.attrs.coldStartMs >= 0);
    await json(port, '/log');
    const log = await until(async () => (await events(sim, 'kind=log&service=py'))
      .find((e) => e.attrs.message === 'python structured'), 'the python log');
    assert.equal(log.attrs.severity, 'ERROR');
    assert.equal(log.attrs['labels.lang'], 'python');
    const sse = await request(port, { path: '/sse' });
    assert.equal(sse.body, 'data: 0\n\ndata: 1\n\ndata: 2\n\n');
  });
});

describe('process faults', () => {
  test('a blocked cold start is retried at once and the request still succeeds', async () => {
    const port = await freePort();
    const sim = await startGcpsim(['--stack', stackFile({ flaky: nodeService({ port }) })]);
    try {
      await sim.control('POST', 'faults', { match: { boundary: 'process', service: 'flaky' },
        action: { kind: 'outage' }, count: 1 });
      assert.equal((await request(port, { path: '/' })).status, 200);
      const failed = await events(sim, 'kind=process.start_failed&service=flaky');
      assert.equal(failed.length, 1);
    } finally {
      await sim.stop();
    }
  });
});

// Every process in the instance's group, and the keeper, must be gone.
function alive(pids) {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat=']).toString();
  return out.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 3 && !f[2].startsWith('Z'))
    .filter(([pid, pgid]) => pids.has(Number(pid)) || pids.has(Number(pgid))).map(([pid]) => Number(pid));
}

for (const signal of ['SIGTERM', 'SIGKILL']) {
  test(`no orphan processes survive ${signal} of gcpsim`, async () => {
    const port = await freePort();
    const sim = await startGcpsim(['--stack', stackFile({
      tree: nodeService({ port, min_instances: 2, env: { SPAWN_CHILD: '1' }, concurrency: 1 }),
    })]);
    await until(async () => (await events(sim, 'kind=process.ready&service=tree')).length === 2, 'two warm instances');
    const keepers = (await runState(sim, 'tree')).instances.map((i) => i.pid);
    const leaders = await Promise.all([json(port, '/slow?ms=1'), json(port, '/slow?ms=1')]);
    const watched = new Set([...keepers, ...leaders.map((r) => r.pid)]);
    assert.ok(alive(watched).length >= 6);  // 2 keepers, 2 node servers, 2 sleep children
    await sim.stop(signal);
    await until(() => alive(watched).length === 0, `every instance process gone after ${signal}`, 10000);
  });
}
