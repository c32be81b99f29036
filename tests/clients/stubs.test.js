// Declarative HTTP stubs from the stack file and the control API, called with Node's fetch
// and from a Python process (Debian's python3-httpx): matching, templating, sequences,
// delays and SSE on the virtual clock, near-miss 404s, faults at the `stub` boundary,
// recorded requests and stub.request events with credentials masked.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startGcpsim, freePort } = require('./lib/gcpsim');

const STACK = (port) => `stubs:
  tavily:
    port: ${port}
    routes:
      - id: search
        match:
          method: POST
          path: /search
          headers: {authorization: {regex: "^Bearer tvly-"}}
          body: {json: {query: {regex: ".+"}}}
        reply:
          json: {query: "{{body.query}}", max: "{{body.max_results}}", results: [{title: "About {{body.query}}", url: "https://example.com/{{count}}"}], at: "{{now}}"}
      - id: user
        match: {method: GET, path: "/users/{id}", query: {fields: {present: true}}}
        reply: {json: {id: "{{path.id}}", fields: "{{query.fields}}"}, headers: {x-user: "{{path.id}}"}}
      - id: flaky
        match: {path: /flaky}
        replies: [{status: 503, times: 2, json: {error: busy}}, {json: {ok: true}}]
      - id: slow
        match: {path: /slow}
        reply: {text: done, delay: 10s}
      - id: events
        match: {path: /events}
        reply: {stream: {sse: true, every: 1s, chunks: [{n: 1}, {n: 2}, {n: 3}, "[DONE]"]}}
  bitquery:
    routes:
      - match: {method: POST, path: /graphql, body: {graphql: GetTokens}}
        reply: {json: {data: {tokens: [{symbol: ETH}]}}}
`;

let sim, port;
const stub = (p, init) => fetch(`http://127.0.0.1:${port}${p}`, init);
const json = (body, headers = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

before(async () => {
  port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-stubs-'));
  fs.writeFileSync(path.join(dir, 'gcpsim.yaml'), STACK(port));
  sim = await startGcpsim(['--clock', 'virtual', '--stack', path.join(dir, 'gcpsim.yaml')]);
});
after(async () => { await sim.stop(); });

async function until(fn, what) {
  for (let i = 0; ; i++) {
    const v = await fn();
    if (v) return v;
    if (i > 750) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const pendingTimers = async () => (await sim.control('GET', 'clock')).body.pendingTimers;

test('matching and templating: body fields, path and query parameters, headers, counter, virtual time', async () => {
  const res = await stub('/search', json({ query: 'gcp emulators', max_results: 3 }, { authorization: 'Bearer tvly-abc' }));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { query: 'gcp emulators', max: 3, results: [{ title: 'About gcp emulators', url: 'https://example.com/1' }],
    at: '2026-01-01T00:00:00Z' });
  const user = await stub('/users/42?fields=name');
  assert.equal(user.headers.get('x-user'), '42');
  assert.deepEqual(await user.json(), { id: '42', fields: 'name' });
});

test('an unmatched request answers 404 with what came in and the nearest routes, each with why it missed', async () => {
  const res = await stub('/search', json({ query: '' }, { authorization: 'Basic x' }));
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.message, "No route of stub 'tavily' matched POST /search");
  assert.equal(body.request.method, 'POST');
  assert.equal(body.request.body, '{"query":""}');
  assert.equal(body.nearest[0].route, 'search');
  assert.deepEqual(body.nearest[0].mismatches, [
    "header authorization: expected /^Bearer tvly-/, got 'Basic x'",
    'body: JSON does not contain {"query":{"regex":".+"}}',
  ]);
});

test('a sequence answers 503 twice, then keeps answering success', async () => {
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await stub('/flaky')).status);
  assert.deepEqual(statuses, [503, 503, 200, 200]);
});

test('a delay holds the answer until the virtual clock gets there', async () => {
  const before = await pendingTimers();
  const answer = stub('/slow');
  await until(async () => (await pendingTimers()) > before, 'the delay timer');
  await sim.control('POST', 'clock', { advance: '9s' });
  assert.ok((await pendingTimers()) > before, 'still held after 9s');
  await sim.control('POST', 'clock', { advance: '1s' });
  assert.equal(await (await answer).text(), 'done');
});

test('SSE chunks arrive one per virtual second', async () => {
  const res = await stub('/events');
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  const next = async () => { const { value } = await reader.read(); seen += decoder.decode(value); };
  await next();
  assert.equal(seen, 'data: {"n":1}\n\n');
  for (const expected of ['data: {"n":2}\n\n', 'data: {"n":3}\n\n', 'data: [DONE]\n\n']) {
    await until(async () => (await pendingTimers()) > 0, 'the next chunk timer');
    await sim.control('POST', 'clock', { advance: '1s' });
    const before = seen.length;
    await next();
    assert.equal(seen.slice(before), expected);
  }
  assert.equal((await reader.read()).done, true);
});

test('faults at the stub boundary: error, drop, and a reset mid-stream', async () => {
  const add = (rule) => sim.control('POST', 'faults', rule);
  await add({ match: { method: 'stub.request', service: 'tavily', target: '/users/*' }, action: { error: 'UNAVAILABLE' }, count: 1 });
  assert.equal((await stub('/users/1?fields=a')).status, 503);
  assert.equal((await stub('/users/1?fields=a')).status, 200);

  await add({ match: { method: 'stub.request', service: 'tavily' }, action: { kind: 'drop' }, count: 1 });
  await assert.rejects(stub('/users/1?fields=a'));

  await add({ match: { method: 'stub.request', service: 'tavily', target: '/events' }, action: { kind: 'crash' }, count: 1 });
  const res = await stub('/events');
  const reader = res.body.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.equal(first, 'data: {"n":1}\n\n');
  await until(async () => (await pendingTimers()) > 0, 'the next chunk timer');
  await sim.control('POST', 'clock', { advance: '1s' });
  await assert.rejects(async () => { for (;;) { if ((await reader.read()).done) break; } });
  const events = (await sim.control('GET', 'events?kind=stub.request&service=tavily')).body.events;
  assert.deepEqual(events.filter((e) => e.attrs.fault).map((e) => [e.attrs.fault, e.attrs.status]), [['error', 503], ['drop', 0], ['crash', 200]]);
});

test('recorded requests and stub.request events, with credentials masked in the events', async () => {
  await sim.control('DELETE', 'stubs/tavily/requests');
  await stub('/search', json({ query: 'one' }, { authorization: 'Bearer tvly-secret', 'x-api-key': 'k1' }));
  await stub('/nowhere');
  const got = (await sim.control('GET', 'stubs/tavily/requests')).body.requests;
  assert.deepEqual(got.map((r) => [r.method, r.path, r.route, r.status]), [['POST', '/search', 'search', 200], ['GET', '/nowhere', null, 404]]);
  assert.equal(got[0].headers.authorization, 'Bearer tvly-secret');
  assert.deepEqual(got[0].json, { query: 'one' });
  assert.equal((await sim.control('GET', 'stubs/tavily/requests?route=search')).body.requests.length, 1);
  const events = (await sim.control('GET', 'events?kind=stub.request&service=tavily')).body.events;
  const last = events.find((e) => e.attrs.seq === got[0].seq);
  const headers = JSON.parse(last.attrs.headers);
  assert.equal(headers.authorization, 'Bearer ***');
  assert.equal(headers['x-api-key'], '***');
  assert.equal(last.attrs.route, 'search');
});

test('stubs and routes added, listed and removed at run time; a webhook receiver captures deliveries', async () => {
  const created = await sim.control('POST', 'stubs', { name: 'hooks', routes: [{ id: 'any', match: {}, reply: { status: 202 } }] });
  assert.equal(created.status, 200);
  assert.equal(created.body.host, 'hooks.stub.localhost');
  const r = await sim.control('POST', 'stubs/hooks/routes', { id: 'fail', match: { path: '/fail' }, reply: { status: 500 } });
  assert.equal(r.body.id, 'fail');
  const list = (await sim.control('GET', 'stubs')).body.stubs.map((s) => s.name);
  assert.deepEqual(list, ['bitquery', 'hooks', 'tavily']);
  assert.equal((await sim.control('POST', 'stubs', { name: 'hooks' })).status, 409);
  assert.equal((await sim.control('POST', 'stubs', { name: 'Bad Name' })).status, 400);
  // Cloud Tasks delivers to the stub in process (no DNS needed for *.stub.localhost).
  const parent = 'projects/demo-project/locations/us-central1';
  await fetch(`${sim.url}/v2/${parent}/queues`, json({ name: `${parent}/queues/q` }));
  const task = await fetch(`${sim.url}/v2/${parent}/queues/q/tasks`, json({ task: { httpRequest: {
    url: 'http://hooks.stub.localhost/deliver?x=1', httpMethod: 'POST', body: Buffer.from('{"order":7}').toString('base64'),
    headers: { 'content-type': 'application/json' } } } }));
  assert.equal(task.status, 200);
  const got = await until(async () => (await sim.control('GET', 'stubs/hooks/requests')).body.requests[0], 'the delivery');
  assert.equal(got.path, '/deliver');
  assert.deepEqual(got.query, { x: '1' });
  assert.deepEqual(got.json, { order: 7 });
  assert.equal(got.status, 202);
  assert.equal((await sim.control('DELETE', 'stubs/hooks/routes/any')).status, 200);
  assert.equal((await sim.control('DELETE', 'stubs/hooks')).status, 200);
  assert.equal((await sim.control('GET', 'stubs/hooks')).status, 404);
});

test('a Python service (httpx) matches, templates, runs a sequence, streams SSE on virtual time, meets faults and near misses', () => {
  const script = path.join(__dirname, 'fixtures', 'stubs', 'service.py');
  const out = JSON.parse(execFileSync('/usr/bin/python3', [script, String(port), String(sim.port)]).toString());
  assert.deepEqual(out.search, [200, 'py', 2, 'About py']);
  assert.deepEqual(out.user, [{ id: '7', fields: 'email' }, '7']);
  assert.deepEqual(out.graphql, { data: { tokens: [{ symbol: 'ETH' }] } });
  assert.deepEqual(out.miss, [404, '/graphql', ["body operationName: expected 'GetTokens', got 'GetPools'"]]);
  assert.equal(out.unknown_stub, 404);
  assert.deepEqual(out.sequence, [[429, { error: 'slow down' }], [200, { call: 2 }], [200, { call: 3 }]]);
  assert.deepEqual(out.sse, ['data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: {"n":3}\n\n', 'data: [DONE]\n\n']);
  assert.equal(out.fault_error, 429);
  assert.match(out.fault_drop, /RemoteProtocolError|ReadError|ConnectError/);
  assert.equal(out.after_faults, 200);
  assert.deepEqual(out.recorded, [['GET', '/py-seq', 429], ['GET', '/py-seq', 200], ['GET', '/py-seq', 200]]);
});
