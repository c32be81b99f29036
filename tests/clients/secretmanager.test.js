// Secret Manager through the official @google-cloud/secret-manager client (insecure gRPC, the
// options the README documents) and over REST: secrets, versions, aliases, states, checksums,
// expiry and rotation on the virtual clock with notifications pulled from Pub/Sub by the
// official @google-cloud/pubsub client, IAM, the real error codes, and no payload in any
// event or log line.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { grpc } = require('google-gax');
const { SecretManagerServiceClient } = require('@google-cloud/secret-manager');
const { PubSub } = require('@google-cloud/pubsub');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startGcpsim } = require('./lib/gcpsim');

const PROJECT = 'projects/demo-project';
const CANONICAL = 'projects/123456789012';  // the real service names secrets by project number
const CODE = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, ABORTED: 10 };
// Payloads no event, log line or notification may ever show.
const CANARY = 'canary-payload-7f3a9c';

// CRC32C (Castagnoli), as Secret Manager computes data_crc32c.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32c(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// Rejects with the gRPC code and a message matching `re`.
async function rejectsWith(promise, code, re) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.code, code, `code ${e.code}: ${e.details}`);
    if (re) assert.match(e.details, re);
    return true;
  });
}

let sim;
let sm;
let pubsub;
let stdout = '';
const seconds = (ts) => Number(ts.seconds);
// Notification timestamps are Pacific time; March 2026 before the 8th is PST (-08:00).
const pst = (epochSeconds) => new Date((epochSeconds - 8 * 3600) * 1000).toISOString().replace(/\.000Z$/, '-08:00');

before(async () => {
  sim = await startGcpsim(['--clock', 'virtual', '--start-time', '2026-03-01T00:00:00Z']);
  sim.proc.stdout.on('data', (d) => { stdout += d; });
  // Exactly the options the README shows.
  sm = new SecretManagerServiceClient({
    apiEndpoint: '127.0.0.1', port: sim.port, sslCreds: grpc.credentials.createInsecure(),
  });
  process.env.PUBSUB_EMULATOR_HOST = sim.host;
  pubsub = new PubSub({ projectId: 'demo-project' });
});
after(async () => {
  await sm.close();
  await pubsub.close();
  await sim.stop();
});

async function advance(duration) {
  const res = await sim.control('POST', 'clock', { advance: duration });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}
async function now() {
  return Date.parse((await sim.control('GET', 'clock')).body.now) / 1000;
}

// A topic and its subscription. Messages wait there while the test moves the clock (a
// subscriber open across an hour's jump would see its unacked messages redelivered, as on
// the real service); `collect(n)` then streams the first n distinct messages and acks them.
async function listen(topicId) {
  const [topic] = await pubsub.createTopic(topicId);
  const [sub] = await topic.createSubscription(`${topicId}-sub`);
  return {
    topic: topic.name,
    async collect(n) {
      const seen = new Map();
      await new Promise((resolve, reject) => {
        sub.on('error', reject);
        sub.on('message', (m) => {
          seen.set(m.id, { id: m.id, data: m.data.toString(), attributes: { ...m.attributes }, published: m.publishTime });
          m.ack();
          if (seen.size >= n) resolve();
        });
      });
      await sub.close();
      // Message IDs are sequential: publish order.
      return [...seen.values()].sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
    },
  };
}

function create(secretId, secret = {}) {
  return sm.createSecret({ parent: PROJECT, secretId, secret: { replication: { automatic: {} }, ...secret } });
}
function add(parent, data, extra = {}) {
  return sm.addSecretVersion({ parent, payload: { data: Buffer.from(data), ...extra } });
}

test('secrets: create, get, duplicate, update with masks, delete with an etag', async () => {
  const [s] = await create('crud', { labels: { env: 'dev' }, annotations: { owner: 'alice' } });
  assert.equal(s.name, `${CANONICAL}/secrets/crud`);
  assert.equal(s.replication.replication, 'automatic');
  assert.equal(seconds(s.createTime), Date.parse('2026-03-01T00:00:00Z') / 1000);
  assert.match(s.etag, /^".+"$/);
  assert.deepEqual(s.labels, { env: 'dev' });

  const [user] = await create('regional', {
    replication: { userManaged: { replicas: [{ location: 'us-east1' }, { location: 'europe-west1' }] } },
  });
  assert.deepEqual(user.replication.userManaged.replicas.map((r) => r.location), ['us-east1', 'europe-west1']);

  const [got] = await sm.getSecret({ name: `${PROJECT}/secrets/crud` });
  assert.equal(got.name, s.name);
  assert.equal(got.etag, s.etag);
  await rejectsWith(create('crud'), CODE.ALREADY_EXISTS, /Secret \[projects\/123456789012\/secrets\/crud\] already exists/);

  // Only the masked fields change; the etag moves on.
  const [updated] = await sm.updateSecret({
    secret: { name: s.name, labels: { env: 'prod', tier: 'a' }, annotations: { ignored: 'x' } },
    updateMask: { paths: ['labels'] },
  });
  assert.deepEqual(updated.labels, { env: 'prod', tier: 'a' });
  assert.deepEqual(updated.annotations, { owner: 'alice' });
  assert.notEqual(updated.etag, s.etag);
  const [annotated] = await sm.updateSecret({
    secret: { name: s.name, annotations: { owner: 'bob' } }, updateMask: { paths: ['annotations'] },
  });
  assert.deepEqual(annotated.annotations, { owner: 'bob' });
  assert.deepEqual(annotated.labels, { env: 'prod', tier: 'a' });

  await rejectsWith(sm.updateSecret({ secret: { name: s.name, labels: {} }, updateMask: { paths: ['colour'] } }),
    CODE.INVALID_ARGUMENT, /update_mask.*\[colour\]/);
  await rejectsWith(sm.updateSecret({ secret: { name: s.name, labels: {} }, updateMask: { paths: [] } }),
    CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.updateSecret({ secret: { name: `${PROJECT}/secrets/nope`, labels: {} }, updateMask: { paths: ['labels'] } }),
    CODE.NOT_FOUND);

  // A stale etag blocks the delete; the current one (or none) lets it through.
  await rejectsWith(sm.deleteSecret({ name: s.name, etag: s.etag }), CODE.FAILED_PRECONDITION, /etag/);
  await sm.deleteSecret({ name: s.name, etag: annotated.etag });
  await rejectsWith(sm.getSecret({ name: s.name }), CODE.NOT_FOUND, /not found/);
  await rejectsWith(sm.deleteSecret({ name: s.name }), CODE.NOT_FOUND);
  await sm.deleteSecret({ name: user.name });
});

test('secrets: list pages newest first, filters on labels, names and create time', async () => {
  for (const [id, env] of [['list-a', 'prod'], ['list-b', 'dev'], ['list-c', 'prod'], ['other-d', 'prod']]) {
    await create(id, { labels: { env, app: 'lister' } });
  }
  const [page1, , resp1] = await sm.listSecrets({ parent: PROJECT, pageSize: 2, filter: 'labels.app=lister' },
    { autoPaginate: false });
  assert.deepEqual(page1.map((s) => s.name.split('/').pop()), ['other-d', 'list-c']);
  assert.ok(resp1.nextPageToken);
  const [page2, , resp2] = await sm.listSecrets(
    { parent: PROJECT, pageSize: 2, filter: 'labels.app=lister', pageToken: resp1.nextPageToken }, { autoPaginate: false });
  assert.deepEqual(page2.map((s) => s.name.split('/').pop()), ['list-b', 'list-a']);
  assert.equal(resp2.nextPageToken, '');

  // Without a filter the total is counted; the auto-paginating form walks every page.
  const [, , unfiltered] = await sm.listSecrets({ parent: PROJECT, pageSize: 1 }, { autoPaginate: false });
  assert.ok(unfiltered.totalSize >= 4);
  const [all] = await sm.listSecrets({ parent: PROJECT, pageSize: 1 });
  assert.equal(all.length, unfiltered.totalSize);

  const ids = async (filter) => (await sm.listSecrets({ parent: PROJECT, filter }))[0].map((s) => s.name.split('/').pop()).sort();
  assert.deepEqual(await ids('labels.env=prod AND labels.app=lister'), ['list-a', 'list-c', 'other-d']);
  assert.deepEqual(await ids('name:list- AND NOT labels.env=dev'), ['list-a', 'list-c']);
  assert.deepEqual(await ids('labels.env=dev OR name:other'), ['list-b', 'other-d']);
  assert.deepEqual(await ids('labels.app=lister AND create_time<2026-02-01T00:00:00Z'), []);
  await rejectsWith(sm.listSecrets({ parent: PROJECT, filter: 'labels.env=(' }), CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.listSecrets({ parent: PROJECT, pageSize: -1 }), CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.listSecrets({ parent: 'projects/demo-project/bogus' }), CODE.INVALID_ARGUMENT);
  for (const id of ['list-a', 'list-b', 'list-c', 'other-d']) await sm.deleteSecret({ name: `${PROJECT}/secrets/${id}` });
});

test('versions: add, get, access by latest, number and alias; list filtered by state', async () => {
  const [s] = await create('versions');
  const [v1] = await add(s.name, 'one');
  const [v2] = await add(s.name, 'two');
  assert.equal(v1.name, `${s.name}/versions/1`);
  assert.equal(v2.name, `${s.name}/versions/2`);
  assert.equal(v2.state, 'ENABLED');
  assert.equal(v2.clientSpecifiedPayloadChecksum, false);

  const [latest] = await sm.accessSecretVersion({ name: `${PROJECT}/secrets/versions/versions/latest` });
  assert.equal(latest.name, v2.name);
  assert.equal(latest.payload.data.toString(), 'two');
  assert.equal(Number(latest.payload.dataCrc32c), crc32c(Buffer.from('two')));
  const [first] = await sm.accessSecretVersion({ name: `${s.name}/versions/1` });
  assert.equal(first.payload.data.toString(), 'one');

  // Aliases name versions; an alias to a missing version is rejected.
  await sm.updateSecret({ secret: { name: s.name, versionAliases: { stable: 1 } }, updateMask: { paths: ['version_aliases'] } });
  const [aliased] = await sm.accessSecretVersion({ name: `${s.name}/versions/stable` });
  assert.equal(aliased.name, v1.name);
  assert.equal(aliased.payload.data.toString(), 'one');
  const [byAlias] = await sm.getSecretVersion({ name: `${s.name}/versions/stable` });
  assert.equal(byAlias.name, v1.name);
  await rejectsWith(sm.updateSecret({ secret: { name: s.name, versionAliases: { future: 9 } }, updateMask: { paths: ['versionAliases'] } }),
    CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.accessSecretVersion({ name: `${s.name}/versions/nosuchalias` }), CODE.NOT_FOUND);
  await rejectsWith(sm.accessSecretVersion({ name: `${s.name}/versions/7` }), CODE.NOT_FOUND);

  await sm.disableSecretVersion({ name: v1.name });
  const [enabled] = await sm.listSecretVersions({ parent: s.name, filter: 'state:ENABLED' });
  assert.deepEqual(enabled.map((v) => v.name), [v2.name]);
  const [disabled] = await sm.listSecretVersions({ parent: s.name, filter: 'state:DISABLED' });
  assert.deepEqual(disabled.map((v) => v.name), [v1.name]);
  const [everything, , resp] = await sm.listSecretVersions({ parent: s.name, pageSize: 1 }, { autoPaginate: false });
  assert.deepEqual(everything.map((v) => v.name), [v2.name]);  // newest first
  assert.equal(resp.totalSize, 2);
  assert.ok(resp.nextPageToken);
});

test('versions: disable, enable and destroy with the real error codes and etags', async () => {
  const [s] = await create('states');
  const [v1] = await add(s.name, 'first');
  const [d] = await sm.disableSecretVersion({ name: v1.name });
  assert.equal(d.state, 'DISABLED');
  await rejectsWith(sm.accessSecretVersion({ name: v1.name }), CODE.FAILED_PRECONDITION, /is in DISABLED state/);
  await rejectsWith(sm.accessSecretVersion({ name: `${s.name}/versions/latest` }), CODE.FAILED_PRECONDITION, /DISABLED/);

  // Etags guard state changes.
  await rejectsWith(sm.enableSecretVersion({ name: v1.name, etag: v1.etag }), CODE.FAILED_PRECONDITION, /etag/);
  const [e] = await sm.enableSecretVersion({ name: v1.name, etag: d.etag });
  assert.equal(e.state, 'ENABLED');
  assert.equal((await sm.accessSecretVersion({ name: v1.name }))[0].payload.data.toString(), 'first');

  const [destroyed] = await sm.destroySecretVersion({ name: v1.name });
  assert.equal(destroyed.state, 'DESTROYED');
  assert.equal(seconds(destroyed.destroyTime), await now());
  await rejectsWith(sm.accessSecretVersion({ name: v1.name }), CODE.FAILED_PRECONDITION, /is in DESTROYED state/);
  await rejectsWith(sm.enableSecretVersion({ name: v1.name }), CODE.FAILED_PRECONDITION, /DESTROYED/);
  await rejectsWith(sm.disableSecretVersion({ name: v1.name }), CODE.FAILED_PRECONDITION, /DESTROYED/);
  await rejectsWith(sm.destroySecretVersion({ name: v1.name }), CODE.FAILED_PRECONDITION, /DESTROYED/);
  // The version is still listed and readable as metadata.
  assert.equal((await sm.getSecretVersion({ name: v1.name }))[0].state, 'DESTROYED');
  await rejectsWith(sm.getSecretVersion({ name: `${s.name}/versions/2` }), CODE.NOT_FOUND);
  await rejectsWith(add(`${PROJECT}/secrets/absent`, 'x'), CODE.NOT_FOUND);
});

test('versions: data_crc32c is checked on add and returned on access', async () => {
  const [s] = await create('checksums');
  const data = Buffer.from('checked payload');
  const [v] = await add(s.name, data, { dataCrc32c: crc32c(data) });
  assert.equal(v.clientSpecifiedPayloadChecksum, true);
  const [a] = await sm.accessSecretVersion({ name: v.name });
  assert.equal(Number(a.payload.dataCrc32c), crc32c(data));
  await rejectsWith(add(s.name, data, { dataCrc32c: crc32c(data) ^ 1 }), CODE.INVALID_ARGUMENT, /[Cc]hecksum/);
  const [versions] = await sm.listSecretVersions({ parent: s.name });
  assert.equal(versions.length, 1, 'a version with a wrong checksum is not stored');
});

test('bad input: names, oversize payloads, masks, rotation and TTL values get INVALID_ARGUMENT', async () => {
  await rejectsWith(create('has space'), CODE.INVALID_ARGUMENT);
  await rejectsWith(create('x'.repeat(256)), CODE.INVALID_ARGUMENT);
  await rejectsWith(create(''), CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.createSecret({ parent: 'projects/', secretId: 'ok', secret: { replication: { automatic: {} } } }), CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.getSecret({ name: 'projects/demo-project/secrets/a/b' }), CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.accessSecretVersion({ name: 'projects/demo-project/secrets/a' }), CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.createSecret({ parent: PROJECT, secretId: 'no-replication', secret: {} }), CODE.INVALID_ARGUMENT);

  const [s] = await create('limits');
  await add(s.name, Buffer.alloc(64 * 1024, 7));  // exactly 64 KiB is allowed
  await rejectsWith(add(s.name, Buffer.alloc(64 * 1024 + 1, 7)), CODE.INVALID_ARGUMENT, /65536/);
  await rejectsWith(sm.updateSecret({ secret: { name: s.name, labels: { 'Bad Key': 'v' } }, updateMask: { paths: ['labels'] } }),
    CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.updateSecret({ secret: { name: s.name, rotation: { rotationPeriod: { seconds: 7200 } } }, updateMask: { paths: ['rotation'] } }),
    CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.updateSecret({ secret: { name: s.name, topics: [{ name: 'not-a-topic' }] }, updateMask: { paths: ['topics'] } }),
    CODE.INVALID_ARGUMENT);
  await rejectsWith(sm.updateSecret({ secret: { name: s.name, topics: [{ name: `${PROJECT}/topics/missing` }] }, updateMask: { paths: ['topics'] } }),
    CODE.NOT_FOUND);
  await rejectsWith(sm.updateSecret({ secret: { name: s.name, versionDestroyTtl: { seconds: 60 } }, updateMask: { paths: ['version_destroy_ttl'] } }),
    CODE.INVALID_ARGUMENT);
});

test('expiry: ttl becomes expire_time and the clock deletes the secret with a SECRET_DELETE notification', async () => {
  const inbox = await listen('expiry-events');
  const start = await now();
  const [s] = await create('short-lived', { ttl: { seconds: 3600 }, topics: [{ name: inbox.topic }] });
  assert.equal(seconds(s.expireTime), start + 3600);
  await add(s.name, CANARY);

  // expire_time can be moved through the mask.
  const [moved] = await sm.updateSecret({ secret: { name: s.name, expireTime: { seconds: start + 7200 } }, updateMask: { paths: ['expire_time'] } });
  assert.equal(seconds(moved.expireTime), start + 7200);
  await advance('3601s');
  assert.equal((await sm.getSecret({ name: s.name }))[0].name, s.name);
  await advance('3600s');
  await rejectsWith(sm.getSecret({ name: s.name }), CODE.NOT_FOUND);

  const msgs = await inbox.collect(5);
  assert.deepEqual(msgs.map((m) => m.attributes.eventType),
    ['TOPIC_CONFIGURED', 'SECRET_CREATE', 'SECRET_VERSION_ADD', 'SECRET_UPDATE', 'SECRET_DELETE']);
  assert.equal(msgs[0].data, '', 'TOPIC_CONFIGURED carries no data');
  assert.deepEqual(Object.keys(msgs[0].attributes), ['eventType']);
  const del = msgs[4];
  assert.equal(del.attributes.deleteType, 'EXPIRATION');
  assert.equal(del.attributes.secretId, s.name);
  assert.equal(del.attributes.dataFormat, 'JSON_API_V1');
  assert.equal(del.attributes.timestamp, pst(start + 7200));
  assert.equal(JSON.parse(del.data).name, s.name);
  const added = msgs[2];
  assert.equal(added.attributes.versionId, `${s.name}/versions/1`);
  assert.equal(JSON.parse(added.data).state, 'ENABLED');
  for (const m of msgs) assert.ok(!m.data.includes(CANARY) && !m.data.includes(Buffer.from(CANARY).toString('base64')));
});

test('rotation: next_rotation_time fires on the clock, moves on by the period and notifies the topic', async () => {
  const inbox = await listen('rotation-events');
  const start = await now();
  const [s] = await create('rotating', {
    topics: [{ name: inbox.topic }],
    rotation: { nextRotationTime: { seconds: start + 3600 }, rotationPeriod: { seconds: 86400 } },
  });
  assert.equal(seconds(s.rotation.nextRotationTime), start + 3600);
  await rejectsWith(sm.updateSecret({
    secret: { name: s.name, rotation: { nextRotationTime: { seconds: start + 60 } } }, updateMask: { paths: ['rotation.next_rotation_time'] },
  }), CODE.INVALID_ARGUMENT, /5 minutes/);

  await advance('3600s');
  await advance('86400s');
  const msgs = await inbox.collect(4);
  assert.deepEqual(msgs.map((m) => m.attributes.eventType), ['TOPIC_CONFIGURED', 'SECRET_CREATE', 'SECRET_ROTATE', 'SECRET_ROTATE']);
  assert.equal(msgs[2].attributes.secretId, s.name);
  assert.equal(msgs[2].attributes.dataFormat, 'JSON_API_V1');
  assert.equal(msgs[2].attributes.timestamp, pst(start + 3600));
  assert.equal(Date.parse(JSON.parse(msgs[2].data).rotation.nextRotationTime) / 1000, start + 3600 + 86400);
  assert.equal(Date.parse(JSON.parse(msgs[3].data).rotation.nextRotationTime) / 1000, start + 3600 + 2 * 86400);
  const [after1] = await sm.getSecret({ name: s.name });
  assert.equal(seconds(after1.rotation.nextRotationTime), start + 3600 + 2 * 86400);

  // Rotation without a topic is refused.
  await rejectsWith(create('rotating-no-topic', { rotation: { nextRotationTime: { seconds: start + 90000 } } }),
    CODE.INVALID_ARGUMENT, /topic/);
});

test('version_destroy_ttl: destroy schedules, the clock destroys, with notifications', async () => {
  const inbox = await listen('destroy-events');
  const [s] = await create('delayed', { versionDestroyTtl: { seconds: 86400 }, topics: [{ name: inbox.topic }] });
  const [v] = await add(s.name, 'soon gone');
  const [scheduled] = await sm.destroySecretVersion({ name: v.name });
  assert.equal(scheduled.state, 'DISABLED');
  assert.equal(seconds(scheduled.scheduledDestroyTime), (await now()) + 86400);
  await rejectsWith(sm.accessSecretVersion({ name: v.name }), CODE.FAILED_PRECONDITION, /DISABLED/);
  await advance('86400s');
  const [gone] = await sm.getSecretVersion({ name: v.name });
  assert.equal(gone.state, 'DESTROYED');
  const msgs = await inbox.collect(5);
  assert.deepEqual(msgs.map((m) => m.attributes.eventType),
    ['TOPIC_CONFIGURED', 'SECRET_CREATE', 'SECRET_VERSION_ADD', 'SECRET_VERSION_DESTROY_SCHEDULED', 'SECRET_VERSION_DESTROY']);
  assert.equal(msgs[4].attributes.versionId, v.name);
  assert.equal(JSON.parse(msgs[4].data).state, 'DESTROYED');
});

test('IAM: policies are stored per secret; test returns the asked secretmanager permissions', async () => {
  const [s] = await create('iam');
  const [empty] = await sm.getIamPolicy({ resource: s.name });
  assert.deepEqual(empty.bindings, []);
  const [set] = await sm.setIamPolicy({
    resource: s.name,
    policy: { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: ['serviceAccount:app@demo-project.iam.gserviceaccount.com'] }] },
  });
  assert.equal(set.bindings[0].role, 'roles/secretmanager.secretAccessor');
  const [got] = await sm.getIamPolicy({ resource: s.name });
  assert.deepEqual(got.bindings[0].members, ['serviceAccount:app@demo-project.iam.gserviceaccount.com']);
  assert.deepEqual(Buffer.from(got.etag), Buffer.from(set.etag));
  // A stale policy etag is refused (read-modify-write).
  await rejectsWith(sm.setIamPolicy({ resource: s.name, policy: { bindings: [], etag: empty.etag } }), CODE.ABORTED);
  const [perms] = await sm.testIamPermissions({
    resource: s.name, permissions: ['secretmanager.versions.access', 'storage.objects.get'],
  });
  assert.deepEqual(perms.permissions, ['secretmanager.versions.access']);
  await rejectsWith(sm.getIamPolicy({ resource: `${PROJECT}/secrets/no-iam` }), CODE.NOT_FOUND);
});

// REST through Google's JSON mapping: the same domain, the same errors in Google's envelope.
async function rest(method, path, body) {
  const res = await fetch(`${sim.url}/v1/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test('REST: create, addVersion, access, patch, list, IAM and errors in Google\'s envelope', async () => {
  let r = await rest('POST', `${PROJECT}/secrets?secretId=rest`, { replication: { automatic: {} }, labels: { via: 'rest' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.name, `${CANONICAL}/secrets/rest`);
  const data = Buffer.from('over http');
  r = await rest('POST', `${PROJECT}/secrets/rest:addVersion`, { payload: { data: data.toString('base64'), dataCrc32c: String(crc32c(data)) } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.clientSpecifiedPayloadChecksum, true);
  r = await rest('GET', `${PROJECT}/secrets/rest/versions/latest:access`);
  assert.equal(Buffer.from(r.body.payload.data, 'base64').toString(), 'over http');
  assert.equal(r.body.payload.dataCrc32c, String(crc32c(data)));

  r = await rest('PATCH', `${PROJECT}/secrets/rest?updateMask=labels,versionAliases`, { labels: { via: 'patch' }, versionAliases: { cur: '1' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.versionAliases, { cur: '1' });
  r = await rest('GET', `${PROJECT}/secrets?filter=${encodeURIComponent('labels.via=patch')}`);
  assert.deepEqual(r.body.secrets.map((s) => s.name), [`${CANONICAL}/secrets/rest`]);
  r = await rest('GET', `${PROJECT}/secrets/rest/versions?filter=state:ENABLED`);
  assert.equal(r.body.versions.length, 1);
  r = await rest('POST', `${PROJECT}/secrets/rest:testIamPermissions`, { permissions: ['secretmanager.secrets.get'] });
  assert.deepEqual(r.body.permissions, ['secretmanager.secrets.get']);

  r = await rest('GET', `${PROJECT}/secrets/missing`);
  assert.equal(r.status, 404);
  assert.equal(r.body.error.status, 'NOT_FOUND');
  assert.equal(r.body.error.code, 404);
  r = await rest('POST', `${PROJECT}/secrets?secretId=rest`, { replication: { automatic: {} } });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.status, 'ALREADY_EXISTS');
  r = await rest('PATCH', `${PROJECT}/secrets/rest?updateMask=colour`, { labels: {} });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /colour/);
  r = await rest('POST', `${PROJECT}/secrets/rest:addVersion`, { payload: { data: data.toString('base64'), dataCrc32c: '1' } });
  assert.equal(r.body.error.status, 'INVALID_ARGUMENT');
  r = await rest('POST', `${PROJECT}/secrets/rest:addVersion`, '{"payload": ');
  assert.equal(r.status, 400);
  assert.equal(r.body.error.status, 'INVALID_ARGUMENT');
  r = await rest('POST', `${PROJECT}/secrets/rest:addVersion`, { payload: { data: 'x' }, unknownField: 1 });
  assert.equal(r.status, 400);
  r = await rest('POST', `${PROJECT}/secrets/rest/versions/1:disable`, {});
  assert.equal(r.body.state, 'DISABLED');
  r = await rest('GET', `${PROJECT}/secrets/rest/versions/1:access`);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.status, 'FAILED_PRECONDITION');
  r = await rest('DELETE', `${PROJECT}/secrets/rest?etag=${encodeURIComponent('"stale"')}`);
  assert.equal(r.body.error.status, 'FAILED_PRECONDITION');
  r = await rest('DELETE', `${PROJECT}/secrets/rest`);
  assert.equal(r.status, 200);
});

// Last: every payload written above (the canary among them) must be absent from the event
// log, the JSONL transcript form and gcpsim's own output.
test('no event or log line contains a payload', async () => {
  const [s] = await create('redacted');
  await add(s.name, CANARY);
  await sm.accessSecretVersion({ name: `${s.name}/versions/latest` });
  await rest('POST', `${PROJECT}/secrets/redacted:addVersion`, { payload: { data: Buffer.from(`${CANARY}-rest`).toString('base64') } });
  await rest('GET', `${PROJECT}/secrets/redacted/versions/latest:access`);
  const forms = [CANARY, Buffer.from(CANARY).toString('base64').slice(0, 16), 'over http', 'checked payload', 'soon gone'];

  const events = await fetch(`${sim.url}/_gcpsim/events?limit=100000&format=jsonl`).then((r) => r.text());
  const json = await sim.control('GET', 'events?limit=100000');
  assert.ok(json.body.events.some((e) => e.kind === 'api.call' && e.attrs?.method === 'secrets.AccessSecretVersion')
    || /secrets\.AccessSecretVersion/.test(events), 'the calls were recorded');
  for (const form of forms) {
    assert.ok(!events.includes(form), `event log shows "${form}"`);
    assert.ok(!JSON.stringify(json.body).includes(form), `event JSON shows "${form}"`);
    assert.ok(!stdout.includes(form), `stdout shows "${form}"`);
    assert.ok(!sim.stderr().includes(form), `stderr shows "${form}"`);
  }
});

// A secret declared in the stack file: created at start with version 1, and its value never
// shows in that instance's events or output either.
test('stack-file secrets are served and stay out of events and logs', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-secrets-'));
  const stack = path.join(dir, 'gcpsim.yaml');
  fs.writeFileSync(path.join(dir, 'key.txt'), 'file-canary-91c2');
  fs.writeFileSync(stack, 'secrets:\n  db-password: {value: stack-canary-5d1e}\n  api-key: {file: key.txt}\n');
  const other = await startGcpsim(['--stack', stack]);
  let out = '';
  other.proc.stdout.on('data', (d) => { out += d; });
  const client = new SecretManagerServiceClient({ apiEndpoint: '127.0.0.1', port: other.port, sslCreds: grpc.credentials.createInsecure() });
  try {
    const [db] = await client.accessSecretVersion({ name: `${PROJECT}/secrets/db-password/versions/latest` });
    assert.equal(db.name, `${CANONICAL}/secrets/db-password/versions/1`);
    assert.equal(db.payload.data.toString(), 'stack-canary-5d1e');
    const [key] = await client.accessSecretVersion({ name: `${PROJECT}/secrets/api-key/versions/1` });
    assert.equal(key.payload.data.toString(), 'file-canary-91c2');
    const events = await fetch(`${other.url}/_gcpsim/events?limit=100000&format=jsonl`).then((r) => r.text());
    assert.match(events, /secrets\.AccessSecretVersion/);
    for (const form of ['stack-canary-5d1e', 'file-canary-91c2', Buffer.from('stack-canary-5d1e').toString('base64').slice(0, 16)]) {
      assert.ok(!events.includes(form), `event log shows "${form}"`);
      assert.ok(!out.includes(form) && !other.stderr().includes(form), `output shows "${form}"`);
    }
  } finally {
    await client.close();
    await other.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
