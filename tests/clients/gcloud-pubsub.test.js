// `gcloud pubsub` through `gcpsim gcloud`, unmodified: topics and subscriptions created,
// described, updated, published to, pulled with --auto-ack, sought to a snapshot and deleted;
// each result checked through the official @google-cloud/pubsub client.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { PubSub } = require('@google-cloud/pubsub');
const { startGcpsim } = require('./lib/gcpsim');
const { skip, gcloudFor } = require('./lib/gcloud');

let sim;
let gcloud;
let pubsub;

before(async () => {
  if (skip) return;
  sim = await startGcpsim(['--clock', 'virtual']);  // leases run out only when the test says
  gcloud = gcloudFor(sim);
  pubsub = new PubSub({ projectId: 'demo-project', apiEndpoint: sim.host, emulatorMode: true });
});
after(async () => {
  if (skip) return;
  await pubsub.close();
  gcloud.cleanup();
  await sim.stop();
});

// gcloud pulls with returnImmediately false, and an empty Pull waits on the clock before it
// answers empty (as the real service holds it a while). On this virtual clock the test moves
// time once the Pull is waiting (its timer is pending).
async function pullEmpty(args) {
  const before = (await sim.control('GET', 'clock')).body.pendingTimers;
  let settled = false;
  const pulled = gcloud.json(args).finally(() => { settled = true; });
  while (!settled && (await sim.control('GET', 'clock')).body.pendingTimers <= before);
  if (!settled) assert.equal((await sim.control('POST', 'clock', { advance: '5s' })).status, 200);
  return pulled;
}

// gcloud's JSON output carries the data base64-encoded, as the REST API does.
const decode = (m) => Buffer.from(m.message.data, 'base64').toString();

test('topics and subscriptions: create, describe, update, publish, pull --auto-ack, delete', { skip }, async () => {
  await gcloud.run(['pubsub', 'topics', 'create', 'orders', '--labels=team=shop']);
  const [topicMeta] = await pubsub.topic('orders').getMetadata();
  assert.deepEqual(topicMeta.labels, { team: 'shop' });

  await gcloud.run(['pubsub', 'subscriptions', 'create', 'orders-audit', '--topic=orders', '--ack-deadline=20',
    '--message-retention-duration=1h']);
  const [subMeta] = await pubsub.subscription('orders-audit').getMetadata();
  assert.equal(subMeta.ackDeadlineSeconds, 20);
  assert.equal(subMeta.topic, 'projects/demo-project/topics/orders');

  const described = await gcloud.json(['pubsub', 'subscriptions', 'describe', 'orders-audit']);
  assert.equal(described.name, 'projects/demo-project/subscriptions/orders-audit');
  assert.equal(described.messageRetentionDuration, '3600s');
  const topic = await gcloud.json(['pubsub', 'topics', 'describe', 'orders']);
  assert.deepEqual(topic.labels, { team: 'shop' });

  await gcloud.run(['pubsub', 'topics', 'update', 'orders', '--update-labels=env=dev']);
  await gcloud.run(['pubsub', 'subscriptions', 'update', 'orders-audit', '--ack-deadline=30']);
  const [updatedTopic] = await pubsub.topic('orders').getMetadata();
  assert.deepEqual(updatedTopic.labels, { team: 'shop', env: 'dev' });
  const [updatedSub] = await pubsub.subscription('orders-audit').getMetadata();
  assert.equal(updatedSub.ackDeadlineSeconds, 30);

  const published = await gcloud.json(['pubsub', 'topics', 'publish', 'orders', '--message=first order',
    '--attribute=kind=new,region=eu']);
  assert.equal(published.messageIds.length, 1);
  const pulled = await gcloud.json(['pubsub', 'subscriptions', 'pull', 'orders-audit', '--auto-ack', '--limit=5']);
  assert.equal(pulled.length, 1);
  assert.equal(decode(pulled[0]), 'first order');
  assert.deepEqual(pulled[0].message.attributes, { kind: 'new', region: 'eu' });
  assert.equal(pulled[0].message.messageId, published.messageIds[0]);
  // Acknowledged by --auto-ack: nothing is left, even once its ack deadline has passed.
  assert.equal((await sim.control('POST', 'clock', { advance: '60s' })).status, 200);
  const again = await pullEmpty(['pubsub', 'subscriptions', 'pull', 'orders-audit', '--auto-ack']);
  assert.deepEqual(again ?? [], []);

  const listed = await gcloud.json(['pubsub', 'topics', 'list']);
  assert.ok(listed.some((t) => t.name === 'projects/demo-project/topics/orders'));
  const subs = await gcloud.json(['pubsub', 'topics', 'list-subscriptions', 'orders']);
  assert.deepEqual(subs.map((x) => (typeof x === 'string' ? x : x.subscription ?? x.name)),
    ['projects/demo-project/subscriptions/orders-audit']);

  await gcloud.run(['pubsub', 'subscriptions', 'delete', 'orders-audit']);
  await gcloud.run(['pubsub', 'topics', 'delete', 'orders']);
  const [subExists] = await pubsub.subscription('orders-audit').exists();
  const [topicExists] = await pubsub.topic('orders').exists();
  assert.equal(subExists, false);
  assert.equal(topicExists, false);
});

test('seek: a subscription sought to a snapshot gets what was acknowledged since', { skip }, async () => {
  await pubsub.createTopic('replays');
  await pubsub.topic('replays').createSubscription('replays-sub');
  await gcloud.run(['pubsub', 'snapshots', 'create', 'before-batch', '--subscription=replays-sub']);
  const id = await pubsub.topic('replays').publishMessage({ data: Buffer.from('batch 1') });
  const first = await gcloud.json(['pubsub', 'subscriptions', 'pull', 'replays-sub', '--auto-ack']);
  assert.deepEqual(first.map(decode), ['batch 1']);
  await gcloud.run(['pubsub', 'subscriptions', 'seek', 'replays-sub', '--snapshot=before-batch']);
  const replayed = await gcloud.json(['pubsub', 'subscriptions', 'pull', 'replays-sub', '--auto-ack']);
  assert.deepEqual(replayed.map((m) => m.message.messageId), [id]);

  // Seek to a time: with acked messages retained, everything published since comes back.
  await gcloud.run(['pubsub', 'subscriptions', 'update', 'replays-sub', '--retain-acked-messages']);
  const from = (await sim.control('GET', 'clock')).body.now;
  await pubsub.topic('replays').publishMessage({ data: Buffer.from('batch 2') });
  const second = await gcloud.json(['pubsub', 'subscriptions', 'pull', 'replays-sub', '--auto-ack']);
  assert.deepEqual(second.map(decode), ['batch 2']);
  await gcloud.run(['pubsub', 'subscriptions', 'seek', 'replays-sub', `--time=${from}`]);
  const again = await gcloud.json(['pubsub', 'subscriptions', 'pull', 'replays-sub', '--auto-ack']);
  assert.deepEqual(again.map(decode), ['batch 2']);
});

test('gcloud errors come back as the real API words them', { skip }, async () => {
  await assert.rejects(gcloud.run(['pubsub', 'topics', 'describe', 'no-such-topic']), (e) => {
    assert.match(e.stderr, /NOT_FOUND|not found/i);
    return true;
  });
});
