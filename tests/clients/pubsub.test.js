// Pub/Sub through the official @google-cloud/pubsub client, unmodified, pointed at gcpsim by
// PUBSUB_EMULATOR_HOST alone: streaming pull, label updates, filters, retry backoff on the
// virtual clock, DetachSubscription, exactly-once, ordering keys, dead letters, seek and
// snapshots, push with OIDC to a local HTTP server, schema validation, and the error codes.
// The unary Pull (returnImmediately) of the same package's v1 client checks what is NOT
// delivered yet at a given virtual time.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const { PubSub, v1, SchemaTypes, Encodings } = require('@google-cloud/pubsub');
const { grpc } = require('google-gax');
const { startGcpsim } = require('./lib/gcpsim');

const PROJECT = 'projects/demo-project';
const CODE = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, OUT_OF_RANGE: 11 };

let sim;
let pubsub;
let raw;  // v1.SubscriberClient for unary Pull/Acknowledge/ModifyAckDeadline

before(async () => {
  sim = await startGcpsim(['--clock', 'virtual', '--start-time', '2026-05-01T00:00:00Z']);
  process.env.PUBSUB_EMULATOR_HOST = sim.host;  // the only setting the client needs
  pubsub = new PubSub({ projectId: 'demo-project' });
  raw = new v1.SubscriberClient({ apiEndpoint: '127.0.0.1', port: sim.port, sslCreds: grpc.credentials.createInsecure() });
});
after(async () => {
  await raw.close();
  await pubsub.close();
  await sim.stop();
});

async function rejectsWith(promise, code, re) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.code, code, `code ${e.code}: ${e.details ?? e.message}`);
    if (re) assert.match(e.details ?? e.message, re);
    return true;
  });
}

async function advance(duration) {
  const res = await sim.control('POST', 'clock', { advance: duration });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

// Polls the event log (no sleeps) until an event of `kind` satisfies `pred`.
async function waitForEvent(kind, pred = () => true) {
  for (;;) {
    const res = await sim.control('GET', `events?kind=${kind}&limit=100000`);
    const hit = res.body.events.find(pred);
    if (hit) return hit;
    await new Promise((r) => setImmediate(r));
  }
}

// What a subscription delivers right now (unary Pull, returnImmediately).
async function pullNow(subscription, maxMessages = 100) {
  const [resp] = await raw.pull({ subscription: `${PROJECT}/subscriptions/${subscription}`, maxMessages, returnImmediately: true });
  return resp.receivedMessages;
}
const text = (r) => r.message.data.toString();
async function nack(subscription, received) {
  await raw.modifyAckDeadline({ subscription: `${PROJECT}/subscriptions/${subscription}`, ackIds: received.map((r) => r.ackId), ackDeadlineSeconds: 0 });
}
async function ack(subscription, received) {
  await raw.acknowledge({ subscription: `${PROJECT}/subscriptions/${subscription}`, ackIds: received.map((r) => r.ackId) });
}

// Streams messages from a subscription until `n` distinct ones arrived; acks each unless
// `onMessage` says otherwise.
function receive(subscription, n, onMessage = (m) => m.ack()) {
  const sub = pubsub.subscription(subscription);
  const seen = [];
  return new Promise((resolve, reject) => {
    sub.on('error', reject);
    sub.on('message', (m) => {
      seen.push(m);
      onMessage(m);
      if (seen.length === n) sub.close().then(() => resolve(seen), reject);
    });
  });
}

async function topicWithSub(id, subOptions = {}, topicOptions = {}) {
  const [topic] = await pubsub.createTopic({ name: id, ...topicOptions });
  const [sub] = await topic.createSubscription(`${id}-sub`, subOptions);
  return { topic, sub, subId: `${id}-sub` };
}

test('publish and streaming pull: ids, attributes, publish times from the virtual clock', async () => {
  const { topic, subId } = await topicWithSub('basic');
  const ids = [];
  for (let i = 0; i < 50; i++) ids.push(await topic.publishMessage({ data: Buffer.from(`m${i}`), attributes: { i: String(i) } }));
  assert.equal(new Set(ids).size, 50);
  const got = await receive(subId, 50);
  assert.deepEqual(got.map((m) => m.data.toString()).sort(), ids.map((_, i) => `m${i}`).sort());
  for (const m of got) {
    assert.equal(m.data.toString(), `m${m.attributes.i}`);
    assert.equal(m.publishTime.getTime(), Date.parse('2026-05-01T00:00:00Z'));
  }
  // All acked: nothing comes back, even after the ack deadline.
  await advance('60s');
  assert.deepEqual(await pullNow(subId), []);
});

// A Pull whose deadline passes leaves the line: the message published next goes to the Pull
// still waiting, not to a call whose client has gone (which would hide it for its lease).
// The clock is virtual and never advanced here, so the Pull below answers only on delivery.
test('Pull calls that end in DEADLINE_EXCEEDED take nothing: the next Pull gets the message at once', async () => {
  const { topic, subId } = await topicWithSub('deadlines');
  const subscription = `${PROJECT}/subscriptions/${subId}`;
  const expired = await Promise.allSettled([1, 2, 3].map(() => raw.pull({ subscription, maxMessages: 1 }, { timeout: 500, retry: null })));
  for (const r of expired) {
    assert.equal(r.status, 'rejected');
    assert.equal(r.reason.code, grpc.status.DEADLINE_EXCEEDED, r.reason.message);
  }
  // The server sees each cancel a moment after the client gave up: all three calls end.
  assert.equal(await endedPulls(subscription, 3), 3, 'each expired Pull was ended on the server');
  const waiting = raw.pull({ subscription, maxMessages: 1 }, { timeout: 60000, retry: null });
  await topic.publishMessage({ data: Buffer.from('on time') });
  const [resp] = await waiting;
  assert.deepEqual(resp.receivedMessages.map(text), ['on time']);
});

// Waits until `n` Pull calls on `subscription` ended CANCELLED (from the event stream);
// returns how many did.
async function endedPulls(subscription, n) {
  const ended = await sim.events((e) => e.kind === 'api.call' && e.attrs?.method === 'pubsub.Pull'
    && e.attrs?.target === subscription && e.attrs?.code === 'CANCELLED', n, 10000);
  return ended.length;
}

// glibc keeps freed small allocations; gcpsim hands drained messages' memory back (malloc_trim).
// ASan's allocator holds freed memory in quarantine: nothing to check in a sanitizer build.
test('a drained backlog gives its memory back', { skip: process.env.GCPSIM_SANITIZED === '1' && 'sanitizer build' }, async () => {
  const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${sim.serverPid()}/status`, 'utf8'))[1]) / 1024;
  const { subId } = await topicWithSub('memory');
  const topic = pubsub.topic('memory', { batching: { maxMessages: 1000, maxMilliseconds: 10 } });
  const before = rssMiB();
  const payload = Buffer.alloc(1024, 'm');
  const sends = [];
  for (let i = 0; i < 30000; i++) sends.push(topic.publishMessage({ data: payload }));
  await Promise.all(sends);
  const full = rssMiB();
  await receive(subId, 30000);  // closing the subscriber flushes its acks
  assert.deepEqual(await pullNow(subId), [], 'every message was acknowledged');
  const drained = rssMiB();
  assert.ok(full > before + 25, `30 MB of messages were held (RSS ${before.toFixed(0)} → ${full.toFixed(0)} MiB)`);
  assert.ok(drained < before + 20, `RSS after draining: ${drained.toFixed(0)} MiB (before ${before.toFixed(0)}, full ${full.toFixed(0)})`);
});

test('labels and other fields update through field masks on topics and subscriptions', async () => {
  const { topic, sub } = await topicWithSub('labelled');
  await topic.setMetadata({ labels: { team: 'a', env: 'dev' } });
  const [tmeta] = await topic.getMetadata();
  assert.deepEqual(tmeta.labels, { team: 'a', env: 'dev' });
  await sub.setMetadata({ labels: { owner: 'bob' }, ackDeadlineSeconds: 42 });
  const [smeta] = await sub.getMetadata();
  assert.deepEqual(smeta.labels, { owner: 'bob' });
  assert.equal(smeta.ackDeadlineSeconds, 42);
  await rejectsWith(sub.setMetadata({ ackDeadlineSeconds: 601 }), CODE.INVALID_ARGUMENT);
  await rejectsWith(topic.setMetadata({ labels: { 'Bad-Key': 'x' } }), CODE.INVALID_ARGUMENT);
});

test('filters: only matching messages are delivered; bad syntax is INVALID_ARGUMENT', async () => {
  const filter = 'attributes.kind = "order" AND NOT attributes:test AND (hasPrefix(attributes.region, "eu-") OR attributes.vip != "no")';
  const { topic, sub, subId } = await topicWithSub('filtered', { filter });
  assert.equal((await sub.getMetadata())[0].filter, filter);
  const cases = [
    [{ kind: 'order', region: 'eu-west' }, true],
    [{ kind: 'order', region: 'us-east', vip: 'yes' }, true],
    [{ kind: 'order', region: 'us-east', vip: 'no' }, false],
    [{ kind: 'order', region: 'eu-west', test: '' }, false],
    [{ kind: 'refund', region: 'eu-west' }, false],
    [{}, false],
  ];
  for (const [i, [attributes]] of cases.entries()) await topic.publishMessage({ data: Buffer.from(String(i)), attributes });
  const got = await pullNow(subId);
  assert.deepEqual(got.map(text).sort(), cases.flatMap(([, want], i) => (want ? [String(i)] : [])));
  await ack(subId, got);
  await advance('60s');
  assert.deepEqual(await pullNow(subId), [], 'filtered-out messages were acknowledged, not held');

  for (const bad of ['attributes.kind = ', 'attributes.kind == "x"', 'kind = "x"', 'hasPrefix(attributes.a)', '(attributes:a', 'attributes.a = "x" AND OR attributes:b']) {
    await rejectsWith(topic.createSubscription(`bad-filter-${crypto.randomBytes(3).toString('hex')}`, { filter: bad }),
      CODE.INVALID_ARGUMENT);
  }
});

test('retry policy: a nacked message comes back after exponential backoff on the virtual clock', async () => {
  const { topic, subId } = await topicWithSub('backoff', {
    retryPolicy: { minimumBackoff: { seconds: 10 }, maximumBackoff: { seconds: 30 } },
  });
  await topic.publishMessage({ data: Buffer.from('retry me') });
  const expected = [10, 20, 30, 30];  // doubling from the minimum, capped at the maximum
  for (const wait of expected) {
    const [m] = await pullNow(subId);
    assert.equal(text(m), 'retry me');
    await nack(subId, [m]);
    assert.deepEqual(await pullNow(subId), [], 'not redelivered at once');
    await advance(`${wait - 1}s`);
    assert.deepEqual(await pullNow(subId), [], `not redelivered before ${wait}s`);
    await advance('1s');
  }
  const [m] = await pullNow(subId);
  assert.equal(text(m), 'retry me');
  await ack(subId, [m]);

  // Through the streaming client: nack() and the redelivery after the minimum backoff.
  await topic.publishMessage({ data: Buffer.from('streamed') });
  // The client sends nacks in batches (and without exactly-once does not wait for them), so
  // the clock moves only once gcpsim has recorded the nack.
  let first = true;
  const seen = receive(subId, 2, (msg) => {
    if (first) {
      first = false;
      msg.nack();
      waitForEvent('pubsub.nacked', (e) => e.attrs.message_id === msg.id).then(() => advance('10s'));
    } else msg.ack();
  });
  const [a, b] = await seen;
  assert.equal(a.id, b.id);
});

test('DetachSubscription: the subscription is detached and pulls fail', async () => {
  const { topic, sub, subId } = await topicWithSub('detach');
  await topic.publishMessage({ data: Buffer.from('x') });
  await pubsub.detachSubscription(`${PROJECT}/subscriptions/${subId}`);
  const [meta] = await sub.getMetadata();
  assert.equal(meta.detached, true);
  assert.deepEqual(await sub.detached(), [true]);
  await rejectsWith(raw.pull({ subscription: `${PROJECT}/subscriptions/${subId}`, maxMessages: 1, returnImmediately: true }),
    CODE.FAILED_PRECONDITION);
  const [subs] = await topic.getSubscriptions();
  assert.ok(!subs.some((s) => s.name.endsWith(`/${subId}`)), 'a detached subscription leaves the topic');
  await rejectsWith(pubsub.detachSubscription(`${PROJECT}/subscriptions/nope`), CODE.NOT_FOUND);
});

test('exactly-once: acks succeed while the lease holds; an expired ack id is refused', async () => {
  const { topic, subId } = await topicWithSub('exactly', { enableExactlyOnceDelivery: true, ackDeadlineSeconds: 10 });
  await topic.publishMessage({ data: Buffer.from('once') });
  const [m] = await pullNow(subId);
  await advance('11s');  // the lease expires: the ack id is no longer valid
  await assert.rejects(ack(subId, [m]), (e) => {
    assert.equal(e.code, CODE.INVALID_ARGUMENT);
    const info = (e.statusDetails ?? []).find((d) => d.reason === 'EXACTLY_ONCE_ACKID_FAILURE');
    assert.ok(info, `ErrorInfo in ${JSON.stringify(e.statusDetails)}`);
    assert.equal(info.metadata[m.ackId], 'PERMANENT_FAILURE_INVALID_ACK_ID');
    return true;
  });
  // The redelivered copy acks with a confirmed response through the streaming client (acked
  // before the subscriber closes: closing nacks what is still outstanding).
  let confirmed;
  const [again] = await receive(subId, 1, (msg) => { confirmed = msg.ackWithResponse(); });
  assert.equal(again.data.toString(), 'once');
  assert.equal(await confirmed, 'SUCCESS');
  await advance('60s');
  assert.deepEqual(await pullNow(subId), [], 'acknowledged exactly once: never redelivered');
});

test('ordering keys: strictly ordered per key, a key held back while a message is outstanding', async () => {
  const { topic, subId } = await topicWithSub('ordered', { enableMessageOrdering: true }, { messageOrdering: true });
  topic.setPublishOptions({ messageOrdering: true });
  const sent = [];
  for (let i = 0; i < 5; i++) {
    for (const key of ['a', 'b']) sent.push(topic.publishMessage({ data: Buffer.from(`${key}${i}`), orderingKey: key }));
  }
  await Promise.all(sent);

  // Unary pull: each key delivers an in-order prefix, and nothing more of a key while any of
  // its messages is outstanding.
  const first = await pullNow(subId);
  const heads = first.map(text);
  for (const key of ['a', 'b']) {
    const got = heads.filter((t) => t.startsWith(key));
    assert.ok(got.length > 0);
    assert.deepEqual(got, Array.from({ length: got.length }, (_, i) => `${key}${i}`));
  }
  assert.deepEqual(await pullNow(subId), [], 'both keys are held back while their messages are outstanding');
  await nack(subId, first.filter((r) => r.message.orderingKey === 'a'));
  await ack(subId, first.filter((r) => r.message.orderingKey === 'b'));
  // After a nack, 'a' starts over from its first unacked message, in order.
  const rest = [];
  for (let round = 0; round < 20 && rest.length < 10; round++) {
    const batch = await pullNow(subId);
    if (batch.length === 0) { await advance('10s'); continue; }
    rest.push(...batch.map(text));
    await ack(subId, batch);
  }
  const aOrder = rest.filter((t) => t.startsWith('a'));
  assert.deepEqual(aOrder, ['a0', 'a1', 'a2', 'a3', 'a4']);
  const bAll = [...heads.filter((t) => t.startsWith('b')), ...rest.filter((t) => t.startsWith('b'))];
  assert.deepEqual(bAll, ['b0', 'b1', 'b2', 'b3', 'b4']);

  // Streaming pull delivers each key in publish order.
  for (let i = 0; i < 20; i++) topic.publishMessage({ data: Buffer.from(`c${i}`), orderingKey: 'c' });
  const streamed = await receive(subId, 20);
  assert.deepEqual(streamed.map((m) => m.data.toString()), Array.from({ length: 20 }, (_, i) => `c${i}`));
});

test('dead letters: after max delivery attempts the message moves to the dead-letter topic', async () => {
  const { topic: dlq, subId: dlqSub } = await topicWithSub('dead-letters');
  const { topic, subId } = await topicWithSub('fragile', {
    deadLetterPolicy: { deadLetterTopic: dlq.name, maxDeliveryAttempts: 5 },
  });
  await topic.publishMessage({ data: Buffer.from('poison'), attributes: { origin: 'test' } });
  for (let attempt = 1; attempt <= 5; attempt++) {
    const [m] = await pullNow(subId);
    assert.equal(m.deliveryAttempt, attempt);
    await nack(subId, [m]);
  }
  assert.deepEqual(await pullNow(subId), []);
  const [dead] = await pullNow(dlqSub);
  assert.equal(text(dead), 'poison');
  assert.equal(dead.message.attributes.origin, 'test');
  assert.equal(dead.message.attributes.CloudPubSubDeadLetterSourceDeliveryCount, '5');
  assert.equal(dead.message.attributes.CloudPubSubDeadLetterSourceSubscription, subId);
  assert.equal(dead.message.attributes.CloudPubSubDeadLetterSourceSubscriptionProject, 'demo-project');
  await rejectsWith(topic.createSubscription('bad-dlq', { deadLetterPolicy: { deadLetterTopic: dlq.name, maxDeliveryAttempts: 4 } }),
    CODE.OUT_OF_RANGE, /max_delivery_attempts/);

  // The streaming client sees deliveryAttempt too.
  await topic.publishMessage({ data: Buffer.from('counted') });
  const [m] = await receive(subId, 1);
  assert.equal(m.deliveryAttempt, 1);
});

test('seek to a snapshot and to a time replays what was acknowledged', async () => {
  const { topic, sub, subId } = await topicWithSub('replay', { retainAckedMessages: true });
  for (const d of ['one', 'two']) await topic.publishMessage({ data: Buffer.from(d) });
  await ack(subId, await pullNow(subId));
  const [snapshot] = await sub.createSnapshot('replay-snap');
  await advance('60s');
  const t1 = new Date('2026-05-01T00:00:00Z').getTime();
  for (const d of ['three']) await topic.publishMessage({ data: Buffer.from(d) });
  await ack(subId, await pullNow(subId));
  assert.deepEqual(await pullNow(subId), []);

  await sub.seek(snapshot.name);
  assert.deepEqual((await pullNow(subId)).map(text), ['three'], 'after the snapshot only "three" was unacked');
  const [snaps] = await pubsub.getSnapshots();
  assert.ok(snaps.some((s) => s.name.endsWith('/snapshots/replay-snap')));
  await rejectsWith(sub.createSnapshot('replay-snap'), CODE.ALREADY_EXISTS);

  await sub.seek(new Date(t1));
  const all = await pullNow(subId);
  assert.deepEqual(all.map(text).sort(), ['one', 'three', 'two']);
  await ack(subId, all);
  await snapshot.delete();
  await rejectsWith(sub.seek('nope-snap'), CODE.NOT_FOUND);
});

// An HTTP server that answers with the scripted statuses, then 204.
function pushServer(statuses) {
  const requests = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      requests.push({ url: req.url, headers: req.headers, body });
      res.statusCode = statuses.length ? statuses.shift() : 204;
      res.end();
      for (const w of waiters.splice(0)) w();
    });
  });
  return {
    requests,
    listen: () => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port))),
    close: () => new Promise((r) => server.close(r)),
    async nth(n) {
      while (requests.length < n) await new Promise((r) => waiters.push(r));
      return requests[n - 1];
    },
  };
}

async function verifyJwt(token) {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const { keys } = await fetch(`${sim.url}/oauth2/v3/certs`).then((r) => r.json());
  const jwk = keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `key ${header.kid} published`);
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  assert.ok(crypto.verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')), 'signature verifies');
  return JSON.parse(Buffer.from(p, 'base64url'));
}

test('push: wrapped JSON with an OIDC token, failures retried with backoff, unwrapped with headers', async () => {
  const server = pushServer([500]);
  const port = await server.listen();
  try {
    await pushChecks(server, port);
  } finally {
    await server.close();
  }
});

async function pushChecks(server, port) {
  const endpoint = `http://127.0.0.1:${port}/push`;
  const [topic] = await pubsub.createTopic('pushed');
  const [sub] = await topic.createSubscription('pushed-sub', {
    pushConfig: { pushEndpoint: endpoint, oidcToken: { serviceAccountEmail: 'pusher@demo-project.iam.gserviceaccount.com', audience: 'my-audience' } },
    retryPolicy: { minimumBackoff: { seconds: 10 }, maximumBackoff: { seconds: 60 } },
  });
  const id = await topic.publishMessage({ data: Buffer.from('hello push'), attributes: { a: '1' } });
  const firstTry = await server.nth(1);
  await advance('10s');
  const req = await server.nth(2);
  assert.equal(req.url, '/push');
  assert.equal(req.headers['content-type'], 'application/json');
  const body = JSON.parse(req.body);
  assert.equal(body.subscription, sub.name);
  assert.equal(body.message.messageId, id);
  assert.equal(Buffer.from(body.message.data, 'base64').toString(), 'hello push');
  assert.deepEqual(body.message.attributes, { a: '1' });
  assert.equal(JSON.parse(firstTry.body).message.messageId, id);
  const claims = await verifyJwt(req.headers.authorization.replace(/^Bearer /, ''));
  assert.equal(claims.aud, 'my-audience');
  assert.equal(claims.email, 'pusher@demo-project.iam.gserviceaccount.com');
  assert.equal(claims.iss, 'https://accounts.google.com');

  // 204 acked it: nothing more arrives.
  await advance('120s');
  assert.equal(server.requests.length, 2);

  // Unwrapped: the raw data as the body, attributes as headers.
  await sub.modifyPushConfig({ pushEndpoint: endpoint, noWrapper: { writeMetadata: true } });
  await topic.publishMessage({ data: Buffer.from('raw body'), attributes: { colour: 'blue' } });
  const rawReq = await server.nth(3);
  assert.equal(rawReq.body, 'raw body');
  assert.equal(rawReq.headers.colour, 'blue');
  assert.equal(rawReq.headers['x-goog-pubsub-subscription-name'], sub.name);
  assert.equal(rawReq.headers.authorization, undefined, 'no OIDC token once the push config drops it');
}

test('schemas: messages are validated against an Avro schema in JSON encoding', async () => {
  const definition = JSON.stringify({
    type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }, { name: 'qty', type: 'int' }],
  });
  const schema = await pubsub.createSchema('order-schema', SchemaTypes.Avro, definition);
  const schemaName = await schema.getName();
  const [topic] = await pubsub.createTopic({ name: 'orders', schemaSettings: { schema: schemaName, encoding: Encodings.Json } });
  const ok = await topic.publishMessage({ data: Buffer.from(JSON.stringify({ id: 'o1', qty: 2 })) });
  assert.ok(ok);
  await rejectsWith(topic.publishMessage({ data: Buffer.from(JSON.stringify({ id: 'o1', qty: 'two' })) }), CODE.INVALID_ARGUMENT);
  await rejectsWith(pubsub.createSchema('bad-schema', SchemaTypes.Avro, '{"type": "record"'), CODE.INVALID_ARGUMENT);
});

test('errors: NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT for bad names, deadlines and oversize messages', async () => {
  await pubsub.createTopic('exists');
  await rejectsWith(pubsub.createTopic('exists'), CODE.ALREADY_EXISTS);
  await rejectsWith(pubsub.topic('missing').publishMessage({ data: Buffer.from('x') }), CODE.NOT_FOUND);
  await rejectsWith(pubsub.topic('missing').getMetadata(), CODE.NOT_FOUND);
  await rejectsWith(pubsub.topic('exists').createSubscription('s', { ackDeadlineSeconds: 5 }), CODE.INVALID_ARGUMENT);
  await rejectsWith(pubsub.topic('missing').createSubscription('orphan'), CODE.NOT_FOUND);
  for (const bad of ['goog-reserved', '1starts-with-digit', 'ab', 'has space', 'x'.repeat(256)]) {
    await rejectsWith(pubsub.createTopic(bad), CODE.INVALID_ARGUMENT);
  }
  const topic = pubsub.topic('exists', { batching: { maxMessages: 1 } });
  await rejectsWith(topic.publishMessage({ data: Buffer.alloc(10 * 1000 * 1000 + 1) }), CODE.INVALID_ARGUMENT);
  await rejectsWith(topic.publishMessage({ data: Buffer.from('x'), attributes: { ['k'.repeat(257)]: 'v' } }), CODE.INVALID_ARGUMENT);
});

test('REST: malformed bodies and unknown fields get Google\'s JSON error envelope', async () => {
  const put = (path, body) => fetch(`${sim.url}/v1/${PROJECT}/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body })
    .then(async (r) => ({ status: r.status, body: await r.json() }));
  let r = await put('topics/rest-topic', '{"labels": ');
  assert.equal(r.status, 400);
  assert.equal(r.body.error.status, 'INVALID_ARGUMENT');
  r = await put('topics/rest-topic', '{"colour": "red"}');
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /colour/);
  r = await put('topics/rest-topic', '{}');
  assert.equal(r.status, 200);
  r = await fetch(`${sim.url}/v1/${PROJECT}/topics/rest-topic:publish`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ data: 'not base64!' }] }),
  }).then(async (x) => ({ status: x.status, body: await x.json() }));
  assert.equal(r.status, 400);
});
