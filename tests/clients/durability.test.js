// --data-dir: what was acknowledged survives kill -9; snapshots save and restore state.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startGcpsim } = require('./lib/gcpsim');

const P = 'projects/demo-project';
const json = { 'content-type': 'application/json' };

async function createSecret(sim, id, value) {
  let res = await fetch(`${sim.url}/v1/${P}/secrets?secretId=${id}`, {
    method: 'POST', headers: json, body: JSON.stringify({ replication: { automatic: {} } }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  res = await fetch(`${sim.url}/v1/${P}/secrets/${id}:addVersion`, {
    method: 'POST', headers: json, body: JSON.stringify({ payload: { data: Buffer.from(value).toString('base64') } }),
  });
  assert.equal(res.status, 200, await res.clone().text());
}

async function access(sim, id) {
  const res = await fetch(`${sim.url}/v1/${P}/secrets/${id}/versions/latest:access`);
  if (res.status !== 200) return res.status;
  return Buffer.from((await res.json()).payload.data, 'base64').toString();
}

test('a committed write survives kill -9 with --data-dir', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-durable-'));
  const first = await startGcpsim(['--data-dir', dir]);
  await createSecret(first, 'db-password', 's3cret');
  const { signal } = await first.stop('SIGKILL');
  assert.equal(signal, 'SIGKILL');
  const second = await startGcpsim(['--data-dir', dir]);
  try {
    assert.equal(await access(second, 'db-password'), 's3cret');
  } finally {
    await second.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without --data-dir state is in memory only', async () => {
  const first = await startGcpsim();
  await createSecret(first, 'ephemeral', 'x');
  await first.stop('SIGKILL');
  const second = await startGcpsim();
  try {
    assert.equal(await access(second, 'ephemeral'), 404);
  } finally {
    await second.stop();
  }
});

test('a snapshot saved before a change restores the state it saw; reset clears everything', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-snap-'));
  const sim = await startGcpsim();
  try {
    await createSecret(sim, 'kept', 'v1');
    const saved = await sim.control('POST', 'snapshot/save', { path: path.join(dir, 'snap.db') });
    assert.equal(saved.status, 200);
    await createSecret(sim, 'later', 'v2');
    const loaded = await sim.control('POST', 'snapshot/load', { path: path.join(dir, 'snap.db') });
    assert.equal(loaded.status, 200);
    assert.equal(await access(sim, 'kept'), 'v1');
    assert.equal(await access(sim, 'later'), 404);
    const missing = await sim.control('POST', 'snapshot/load', { path: path.join(dir, 'nope.db') });
    assert.equal(missing.status >= 400, true);
    assert.equal(await access(sim, 'kept'), 'v1');
    assert.equal((await sim.control('POST', 'reset', {})).status, 200);
    assert.equal(await access(sim, 'kept'), 404);
  } finally {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Pub/Sub through the official client: the settings, the unacked messages (ordered keys in
// order) and the acks of one gcpsim are all there after kill -9; message ids go on.
test('Pub/Sub subscriptions, unacked messages and acks survive kill -9 with --data-dir', async () => {
  const { PubSub, v1 } = require('@google-cloud/pubsub');
  const { grpc } = require('google-gax');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-pubsub-'));
  const sub = `${P}/subscriptions/durable`;
  const open = (sim) => {
    process.env.PUBSUB_EMULATOR_HOST = sim.host;
    return {
      pubsub: new PubSub({ projectId: 'demo-project' }),
      raw: new v1.SubscriberClient({ apiEndpoint: '127.0.0.1', port: sim.port, sslCreds: grpc.credentials.createInsecure() }),
      async close() { await this.raw.close(); await this.pubsub.close(); },
    };
  };
  const pull = async (c) => {
    const [res] = await c.raw.pull({ subscription: sub, maxMessages: 100, returnImmediately: true });
    return res.receivedMessages;
  };
  const first = await startGcpsim(['--data-dir', dir]);
  let c = open(first);
  let published;
  try {
    const [topic] = await c.pubsub.createTopic('durable');
    const [dlq] = await c.pubsub.createTopic('durable-dlq');
    await topic.createSubscription('durable', {
      ackDeadlineSeconds: 30, enableMessageOrdering: true, filter: 'attributes.keep = "yes"',
      deadLetterPolicy: { deadLetterTopic: dlq.name, maxDeliveryAttempts: 5 },
      retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 5 } }, labels: { team: 'orders' },
    });
    const ordered = c.pubsub.topic('durable', { messageOrdering: true });
    published = [];
    for (const [data, orderingKey] of [['k-1', 'k'], ['k-2', 'k'], ['k-3', 'k'], ['plain', '']]) {
      published.push(await ordered.publishMessage({ data: Buffer.from(data), attributes: { keep: 'yes' }, orderingKey }));
    }
    await topic.publishMessage({ data: Buffer.from('filtered'), attributes: { keep: 'no' } });
    const got = await pull(c);
    const byData = Object.fromEntries(got.map((m) => [m.message.data.toString(), m]));
    assert.deepEqual(Object.keys(byData).sort(), ['k-1', 'k-2', 'k-3', 'plain']);
    await c.raw.acknowledge({ subscription: sub, ackIds: [byData['k-1'].ackId, byData.plain.ackId] });
  } finally {
    await c.close();
  }
  await first.stop('SIGKILL');

  const second = await startGcpsim(['--data-dir', dir]);
  c = open(second);
  try {
    const [meta] = await c.pubsub.subscription('durable').getMetadata();
    assert.equal(meta.ackDeadlineSeconds, 30);
    assert.equal(meta.enableMessageOrdering, true);
    assert.equal(meta.filter, 'attributes.keep = "yes"');
    assert.equal(meta.deadLetterPolicy.maxDeliveryAttempts, 5);
    assert.equal(Number(meta.retryPolicy.maximumBackoff.seconds), 5);
    assert.deepEqual(meta.labels, { team: 'orders' });
    // The leases ended with the process: k-2 and k-3 come again, in order; acked ones never.
    const again = await pull(c);
    assert.deepEqual(again.map((m) => m.message.data.toString()), ['k-2', 'k-3']);
    assert.deepEqual(again.map((m) => m.message.messageId), published.slice(1, 3));
    await c.raw.acknowledge({ subscription: sub, ackIds: again.map((m) => m.ackId) });
    const next = await c.pubsub.topic('durable').publishMessage({ data: Buffer.from('after'), attributes: { keep: 'yes' } });
    assert.ok(BigInt(next) > BigInt(published.at(-1)) + 1n, `id ${next} reuses one of ${published}`);
    assert.deepEqual((await pull(c)).map((m) => m.message.data.toString()), ['after']);
  } finally {
    await c.close();
    await second.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
