// Cloud Functions (2nd gen) through the official Functions Framework: a Pub/Sub-triggered and
// a Storage-triggered function receive Eventarc's binary-mode CloudEvents and parse them with
// the framework's own CloudEvent type; a failing function with retry is redelivered with
// Eventarc's backoff on the virtual clock and lands in its dead-letter topic; without retry the
// event is dropped after one attempt.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PubSub } = require('@google-cloud/pubsub');
const { Storage } = require('@google-cloud/storage');
const { startGcpsim } = require('./lib/gcpsim');

const PROJECT = 'demo-project';
const FIXTURE = path.join(__dirname, 'fixtures/functions');
// The framework's own CLI, as `npx functions-framework` runs it.
const FRAMEWORK = require.resolve('@google-cloud/functions-framework/build/src/main.js');

const fn = (target, trigger) => ({
  command: ['node', FRAMEWORK, `--target=${target}`, '--signature-type=cloudevent'],
  cwd: FIXTURE,
  trigger,
});

function stackFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-functions-'));
  const file = path.join(dir, 'gcpsim.yaml');
  const functions = {
    'on-order': fn('onMessage', { pubsub: 'orders' }),
    'on-upload': fn('onUpload', { storage: 'uploads', event: 'finalized' }),
    enrich: fn('alwaysFails', { pubsub: 'jobs', retry: true, dead_letter: 'jobs-dlq', max_attempts: 5 }),
    'fire-and-forget': fn('alwaysFails', { pubsub: 'pings' }),
  };
  const lines = [
    `project: ${PROJECT}`,
    'storage: {buckets: {uploads: {}}}',
    'pubsub:',
    '  topics: {orders: {}, jobs: {}, jobs-dlq: {}, pings: {}}',
    '  subscriptions: {dlq-watch: {topic: jobs-dlq}}',
    'functions:',
    ...Object.entries(functions).map(([name, spec]) => `  ${name}: ${JSON.stringify(spec)}`),
  ];
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

// Polls until fn returns a truthy value (bounded; never waits on the emulator by time).
async function until(fn, what, limitMs = 30000) {
  for (let waited = 0; ; waited += 20) {
    const v = await fn();
    if (v) return v;
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// until() for lists: done once the list is not empty.
const some = (fn) => async () => { const list = await fn(); return list.length ? list : null; };

let sim;
let pubsub;
const events = async (query) => (await sim.control('GET', `events?${query}`)).body.events;
const invocations = (service) => events(`kind=function.invoked&service=${service}`);
// What the function logged about the CloudEvent the framework handed it.
const received = async (service) => (await events(`kind=log&service=${service}`))
  .map((e) => { try { return JSON.parse(e.attrs.message); } catch { return null; } })
  .filter((m) => m && m.kind);

before(async () => {
  sim = await startGcpsim(['--clock', 'virtual', '--stack', stackFile()]);
  process.env.PUBSUB_EMULATOR_HOST = sim.host;
  pubsub = new PubSub({ projectId: PROJECT });
});
after(async () => {
  await pubsub.close();
  await sim.stop();
});

test('a Pub/Sub-triggered function gets a messagePublished CloudEvent', async () => {
  const messageId = await pubsub.topic('orders').publishMessage({ data: Buffer.from('order 42'), attributes: { origin: 'shop' } });
  const [got] = await until(some(() => received('on-order')), 'the on-order log line');
  assert.equal(got.type, 'google.cloud.pubsub.topic.v1.messagePublished');
  assert.equal(got.source, `//pubsub.googleapis.com/projects/${PROJECT}/topics/orders`);
  assert.equal(got.specversion, '1.0');
  assert.equal(got.id, messageId);
  assert.equal(got.messageId, messageId);
  assert.equal(got.text, 'order 42');
  assert.deepEqual(got.attributes, { origin: 'shop' });
  assert.equal(got.time, got.publishTime);
  assert.match(got.subscription, new RegExp(`^projects/${PROJECT}/subscriptions/eventarc-us-central1-on-order-\\d{6}-sub-\\d{6}$`));
  const [call] = await until(some(() => invocations('on-order')), 'function.invoked');
  assert.equal(call.attrs.outcome, 'succeeded');
  assert.equal(call.attrs.event_id, messageId);
});

test('a Storage-triggered function gets an object.v1.finalized CloudEvent with the object resource', async () => {
  const storage = new Storage({ apiEndpoint: sim.url, projectId: PROJECT });
  await storage.bucket('uploads').file('photos/cat.txt').save('meow', { contentType: 'text/plain', resumable: false });
  const [got] = await until(some(() => received('on-upload')), 'the on-upload log line');
  assert.equal(got.type, 'google.cloud.storage.object.v1.finalized');
  assert.equal(got.source, '//storage.googleapis.com/projects/_/buckets/uploads');
  assert.equal(got.subject, 'objects/photos/cat.txt');
  assert.equal(got.bucket, 'uploads');
  assert.equal(got.name, 'photos/cat.txt');
  assert.equal(got.size, '4');
  assert.equal(got.contentType, 'text/plain');
  const [meta] = await storage.bucket('uploads').file('photos/cat.txt').getMetadata();
  assert.equal(got.generation, String(meta.generation));
  // Only finalize events: a metadata update does not reach a finalized trigger.
  await storage.bucket('uploads').file('photos/cat.txt').setMetadata({ metadata: { seen: 'yes' } });
  await sim.control('POST', 'clock', { advance: '1s' });
  assert.equal((await invocations('on-upload')).length, 1);
});

test('a failing function with retry is redelivered with backoff, then dead-lettered', async () => {
  const messageId = await pubsub.topic('jobs').publishMessage({ data: Buffer.from('job 7') });
  await until(async () => (await invocations('enrich')).length === 1, 'the first attempt');
  // Eventarc's retry policy: 10s doubling up to 600s; five attempts, then the dead-letter topic.
  for (const [n, wait] of [[2, 10], [3, 20], [4, 40], [5, 80]]) {
    await sim.control('POST', 'clock', { advance: `${wait - 1}s` });
    assert.equal((await invocations('enrich')).length, n - 1, `attempt ${n} came early`);
    await sim.control('POST', 'clock', { advance: '1s' });
    await until(async () => (await invocations('enrich')).length === n, `attempt ${n}`);
  }
  const calls = await invocations('enrich');
  const t0 = Date.parse(calls[0].time);
  assert.deepEqual(calls.map((c) => (Date.parse(c.time) - t0) / 1000), [0, 10, 30, 70, 150]);
  assert.deepEqual(calls.map((c) => c.attrs.attempt), [1, 2, 3, 4, 5]);
  assert.ok(calls.every((c) => c.attrs.status === 500 && c.attrs.event_id === messageId));
  assert.deepEqual(calls.map((c) => c.attrs.outcome), ['retry', 'retry', 'retry', 'retry', 'retry']);
  const [dead] = await until(some(() => events('kind=pubsub.dead_lettered')), 'the dead letter');
  assert.equal(dead.attrs.message_id, messageId);
  assert.equal(dead.attrs.dead_letter_topic, `projects/${PROJECT}/topics/jobs-dlq`);

  const sub = pubsub.subscription('dlq-watch');
  const message = await new Promise((resolve, reject) => {
    sub.once('message', resolve);
    sub.once('error', reject);
  });
  message.ack();
  await sub.close();
  assert.equal(message.data.toString(), 'job 7');
  assert.equal(message.attributes.CloudPubSubDeadLetterSourceDeliveryCount, '5');
  assert.match(message.attributes.CloudPubSubDeadLetterSourceSubscription, /^eventarc-us-central1-enrich-/);
  const attempts = (await received('enrich')).filter((r) => r.id === messageId);
  assert.equal(attempts.length, 5);
});

test('without retry a failed event is dropped after one attempt', async () => {
  await pubsub.topic('pings').publishMessage({ data: Buffer.from('ping') });
  const [call] = await until(some(() => invocations('fire-and-forget')), 'the attempt');
  assert.equal(call.attrs.status, 500);
  assert.equal(call.attrs.outcome, 'dropped');
  await sim.control('POST', 'clock', { advance: '15m' });
  assert.equal((await invocations('fire-and-forget')).length, 1);
});
