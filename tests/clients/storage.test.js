// Cloud Storage through the official @google-cloud/storage client (and plain HTTP where a
// browser or curl would be the caller), against a real gcpsim process.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Storage } = require('@google-cloud/storage');
const { PubSub } = require('@google-cloud/pubsub');
const { startGcpsim } = require('./lib/gcpsim');

const PROJECT = 'demo-project';
let sim;
let gcs;

before(async () => {
  sim = await startGcpsim();
  gcs = new Storage({ apiEndpoint: sim.url, projectId: PROJECT });
});
after(async () => { await sim.stop(); });

const md5 = (buf) => crypto.createHash('md5').update(buf).digest('base64');
const api = (path, init) => fetch(`${sim.url}${path}`, init);
const enc = encodeURIComponent;

async function bucket(name, metadata = {}) {
  const [b] = await gcs.createBucket(name, metadata);
  return b;
}

async function apiError(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

// Crafts a multipart/related upload body as the JSON API documents it.
function multipart(metadata, media, boundary = 'gcpsim-boundary') {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(metadata)}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Type: text/plain\r\n\r\n`), Buffer.from(media),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

test('buckets: create, get, list, patch labels and versioning, delete', async () => {
  const b = await bucket('gcpsim-buckets', { location: 'EU' });
  const [meta] = await b.getMetadata();
  assert.equal(meta.kind, 'storage#bucket');
  assert.equal(meta.location, 'EU');
  assert.equal(meta.storageClass, 'STANDARD');
  assert.equal(meta.metageneration, '1');
  await b.setMetadata({ labels: { env: 'test' }, versioning: { enabled: true } });
  const [after] = await b.getMetadata();
  assert.deepEqual(after.labels, { env: 'test' });
  assert.equal(after.versioning.enabled, true);
  assert.equal(after.metageneration, '2');
  const [buckets] = await gcs.getBuckets({ prefix: 'gcpsim-buck' });
  assert.deepEqual(buckets.map((x) => x.name), ['gcpsim-buckets']);
  await b.delete();
  assert.equal((await b.exists())[0], false);
});

test('buckets: duplicate names conflict, bad names are 400, non-empty buckets stay', async () => {
  const b = await bucket('gcpsim-conflict');
  assert.equal((await apiError(gcs.createBucket('gcpsim-conflict'))).code, 409);
  const bad = await apiError(gcs.createBucket('Bad_Name'));
  assert.equal(bad.code, 400);
  assert.equal(bad.message, "Invalid bucket name: 'Bad_Name'");
  await b.file('x').save('x', { resumable: false });
  const busy = await apiError(b.delete());
  assert.equal(busy.code, 409);
  assert.equal(busy.message, 'The bucket you tried to delete is not empty.');
});

test('unknown buckets and objects are 404 in Google\'s JSON error format', async () => {
  const res = await api('/storage/v1/b/gcpsim-nope/o/missing');
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: { code: 404, message: 'The specified bucket does not exist.',
    errors: [{ message: 'The specified bucket does not exist.', domain: 'global', reason: 'notFound' }] } });
  await bucket('gcpsim-404');
  const obj = await api('/b/gcpsim-404/o/missing%2Fname');
  assert.deepEqual((await obj.json()).error.errors[0], { message: 'No such object: gcpsim-404/missing/name',
    domain: 'global', reason: 'notFound' });
  const err = await apiError(gcs.bucket('gcpsim-404').file('nope').download());
  assert.equal(err.code, 404);
});

test('objects: multipart save, metadata, checksums and validated download', async () => {
  const b = await bucket('gcpsim-objects');
  const file = b.file('dir/héllo wörld.txt');
  const body = 'hello world';
  await file.save(body, { resumable: false, metadata: { contentType: 'text/plain', cacheControl: 'no-cache',
    contentDisposition: 'inline', metadata: { owner: 'me' } } });
  const [meta] = await file.getMetadata();
  assert.equal(meta.name, 'dir/héllo wörld.txt');
  assert.equal(meta.size, '11');
  assert.equal(meta.md5Hash, md5(body));
  assert.equal(meta.crc32c, 'yZRlqg==');
  assert.equal(meta.contentType, 'text/plain');
  assert.equal(meta.cacheControl, 'no-cache');
  assert.deepEqual(meta.metadata, { owner: 'me' });
  assert.match(meta.timeCreated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const [data] = await file.download({ validation: 'crc32c' });
  assert.equal(data.toString(), body);
  const [data5] = await file.download({ validation: 'md5' });
  assert.equal(data5.toString(), body);
  await file.setMetadata({ metadata: { owner: null, team: 'x' }, contentType: 'text/csv' });
  const [patched] = await file.getMetadata();
  assert.deepEqual(patched.metadata, { team: 'x' });
  assert.equal(patched.metageneration, '2');
});

test('media upload and the three download paths, with Range', async () => {
  await bucket('gcpsim-media');
  const up = await api('/upload/storage/v1/b/gcpsim-media/o?uploadType=media&name=a%2Fb.bin',
    { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: '0123456789' });
  assert.equal(up.status, 200);
  const obj = await up.json();
  assert.equal(obj.size, '10');
  for (const path of ['/storage/v1/b/gcpsim-media/o/a%2Fb.bin?alt=media', '/b/gcpsim-media/o/a%2Fb.bin?alt=media',
    '/download/storage/v1/b/gcpsim-media/o/a%2Fb.bin', '/gcpsim-media/a/b.bin']) {
    const res = await api(path);
    assert.equal(res.status, 200, path);
    assert.equal(await res.text(), '0123456789');
    assert.equal(res.headers.get('x-goog-generation'), obj.generation);
    assert.match(res.headers.get('x-goog-hash'), /crc32c=.*,md5=/);
  }
  const part = await api('/gcpsim-media/a/b.bin', { headers: { range: 'bytes=2-4' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), 'bytes 2-4/10');
  assert.equal(await part.text(), '234');
  const tail = await api('/b/gcpsim-media/o/a%2Fb.bin?alt=media', { headers: { range: 'bytes=-3' } });
  assert.equal(await tail.text(), '789');
  const out = await api('/b/gcpsim-media/o/a%2Fb.bin?alt=media', { headers: { range: 'bytes=10-' } });
  assert.equal(out.status, 416);
  assert.equal(out.headers.get('content-range'), 'bytes */10');
  const [slice] = await gcs.bucket('gcpsim-media').file('a/b.bin').download({ start: 5, end: 7 });
  assert.equal(slice.toString(), '567');
});

test('single-request uploads past the in-memory limit are spooled, hashed as they arrive and stored whole (96 MiB)', async () => {
  await bucket('gcpsim-big');
  const big = crypto.randomBytes(96 * 1024 * 1024);
  const file = gcs.bucket('gcpsim-big').file('big.bin');
  await file.save(big, { resumable: false, validation: 'md5' });  // one multipart request
  const [meta] = await file.getMetadata();
  assert.equal(meta.size, String(big.length));
  assert.equal(meta.md5Hash, md5(big));
  const media = await api('/upload/storage/v1/b/gcpsim-big/o?uploadType=media&name=media.bin',
    { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: big });
  assert.equal(media.status, 200, await media.clone().text());
  assert.equal((await media.json()).md5Hash, md5(big));
  const [back] = await gcs.bucket('gcpsim-big').file('media.bin').download();
  assert.ok(back.equals(big));
  // One resumable request carrying the whole object: the edge hashed it as it arrived and the
  // session moved it into place; the client checks the CRC32C it computed itself.
  const whole = gcs.bucket('gcpsim-big').file('resumable.bin');
  await whole.save(big, { resumable: true, validation: 'crc32c' });
  const [wholeMeta] = await whole.getMetadata();
  assert.equal(wholeMeta.md5Hash, md5(big));
  assert.ok((await whole.download({ validation: 'crc32c' }))[0].equals(big));
});

// The body gcloud's HTTP library (Python's email generator) sends: the boundary in single
// quotes, bare LF line endings, MIME-Version in each part, the media part marked binary.
// Plus the other shapes RFC 2046 allows: a preamble, CRLF, a quoted boundary, base64 media.
test('multipart uploads in gcloud\'s shape and the other shapes RFC 2046 allows are stored', async () => {
  await bucket('gcpsim-mime');
  const b = '===============2019422018821490160==';
  const gcloudBody = Buffer.concat([Buffer.from(`--${b}\nContent-Type: application/json\nMIME-Version: 1.0\n\n`
    + `{"name": "from-gcloud.txt"}\n--${b}\nContent-Type: text/plain\nMIME-Version: 1.0\n`
    + 'Content-Transfer-Encoding: binary\n\n'), Buffer.from('line 1\r\nline 2\n'), Buffer.from(`\n--${b}--\n`)]);
  const res = await api('/upload/storage/v1/b/gcpsim-mime/o?uploadType=multipart', {
    method: 'POST', headers: { 'content-type': `multipart/related; boundary='${b}'` }, body: gcloudBody });
  assert.equal(res.status, 200, await res.clone().text());
  const [stored] = await gcs.bucket('gcpsim-mime').file('from-gcloud.txt').download();
  assert.equal(stored.toString(), 'line 1\r\nline 2\n');
  const [meta] = await gcs.bucket('gcpsim-mime').file('from-gcloud.txt').getMetadata();
  assert.equal(meta.contentType, 'text/plain');

  const rfc = 'preamble to ignore\r\n--q b\r\ncontent-type: application/json\r\n\r\n{"name":"b64.bin"}\r\n'
    + '--q b\r\nCONTENT-TYPE: application/octet-stream\r\ncontent-transfer-encoding: base64\r\n\r\n'
    + `${Buffer.from([0, 1, 2, 255]).toString('base64')}\r\n--q b--\r\nepilogue`;
  const ok = await api('/upload/storage/v1/b/gcpsim-mime/o?uploadType=multipart', {
    method: 'POST', headers: { 'content-type': 'multipart/related; boundary="q b"' }, body: rfc });
  assert.equal(ok.status, 200, await ok.clone().text());
  const [bytes] = await gcs.bucket('gcpsim-mime').file('b64.bin').download();
  assert.deepEqual([...bytes], [0, 1, 2, 255]);
});

test('preconditions: ifGenerationMatch=0, generation mismatches 412, NotMatch reads 304', async () => {
  const b = await bucket('gcpsim-pre');
  const file = b.file('p');
  await file.save('one', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
  const again = await apiError(file.save('two', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }));
  assert.equal(again.code, 412);
  const [meta] = await file.getMetadata();
  const wrong = await apiError(file.delete({ ifGenerationMatch: Number(meta.generation) + 1 }));
  assert.equal(wrong.code, 412);
  const notModified = await api(`/b/gcpsim-pre/o/p?ifMetagenerationNotMatch=${meta.metageneration}`);
  assert.equal(notModified.status, 304);
  const notMatch = await api(`/b/gcpsim-pre/o/p?ifGenerationNotMatch=${meta.generation}&alt=media`);
  assert.equal(notMatch.status, 304);
  await file.save('two', { resumable: false, preconditionOpts: { ifGenerationMatch: Number(meta.generation) } });
  assert.equal((await file.download())[0].toString(), 'two');
});

test('wrong checksums and broken multipart bodies are 400 and store nothing', async () => {
  await bucket('gcpsim-bad');
  const body = multipart({ name: 'bad-md5', md5Hash: md5('other') }, 'payload');
  const ct = { 'content-type': 'multipart/related; boundary=gcpsim-boundary' };
  const res = await api('/upload/storage/v1/b/gcpsim-bad/o?uploadType=multipart', { method: 'POST', headers: ct, body });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error.message, /^Provided MD5 hash ".*" doesn't match calculated MD5 hash/);
  const media = await api('/upload/storage/v1/b/gcpsim-bad/o?uploadType=media&name=bad-crc', {
    method: 'POST', headers: { 'x-goog-hash': 'crc32c=AAAAAA==' }, body: 'payload' });
  assert.equal(media.status, 400);
  const broken = await api('/upload/storage/v1/b/gcpsim-bad/o?uploadType=multipart', {
    method: 'POST', headers: ct, body: body.subarray(0, body.length - 20) });
  assert.equal(broken.status, 400);
  const noBoundary = await api('/upload/storage/v1/b/gcpsim-bad/o?uploadType=multipart', {
    method: 'POST', headers: { 'content-type': 'multipart/related' }, body });
  assert.equal(noBoundary.status, 400);
  const [files] = await gcs.bucket('gcpsim-bad').getFiles();
  assert.deepEqual(files, []);
  const good = await api('/upload/storage/v1/b/gcpsim-bad/o?uploadType=multipart', {
    method: 'POST', headers: ct, body: multipart({ name: 'ok', md5Hash: md5('payload') }, 'payload') });
  assert.equal(good.status, 200);
});

test('listing: prefixes, pages, offsets, globs and trailing delimiters', async () => {
  const b = await bucket('gcpsim-list');
  for (const n of ['a.txt', 'dir/', 'dir/one.txt', 'dir/sub/two.txt', 'dir2/x.csv', 'z.csv']) {
    await b.file(n).save(n, { resumable: false });
  }
  const [top, , resp] = await b.getFiles({ delimiter: '/', autoPaginate: false });
  assert.deepEqual(top.map((f) => f.name), ['a.txt', 'z.csv']);
  assert.deepEqual(resp.prefixes, ['dir/', 'dir2/']);
  const [trailing] = await b.getFiles({ delimiter: '/', includeTrailingDelimiter: true, autoPaginate: false });
  assert.deepEqual(trailing.map((f) => f.name), ['a.txt', 'dir/', 'z.csv']);
  const [page1, next] = await b.getFiles({ maxResults: 4, autoPaginate: false });
  assert.equal(page1.length, 4);
  const [page2] = await b.getFiles(next);
  assert.deepEqual(page2.map((f) => f.name), ['dir2/x.csv', 'z.csv']);
  const [ranged] = await b.getFiles({ startOffset: 'dir/one.txt', endOffset: 'dir2/' });
  assert.deepEqual(ranged.map((f) => f.name), ['dir/one.txt', 'dir/sub/two.txt']);
  const [globbed] = await b.getFiles({ matchGlob: '**.csv' });
  assert.deepEqual(globbed.map((f) => f.name), ['dir2/x.csv', 'z.csv']);
  const partial = await (await api('/b/gcpsim-list/o?prefix=dir%2Fs&fields=items(name,size)')).json();
  assert.deepEqual(partial, { items: [{ name: 'dir/sub/two.txt', size: '15' }] });
});

test('versioning keeps generations; deleting the live one archives it', async () => {
  const b = await bucket('gcpsim-versions', { versioning: { enabled: true } });
  const f = b.file('v');
  await f.save('v1', { resumable: false });
  const [m1] = await f.getMetadata();
  await f.save('v2', { resumable: false });
  const [all] = await b.getFiles({ versions: true });
  assert.equal(all.length, 2);
  const [old] = await b.file('v', { generation: m1.generation }).download();
  assert.equal(old.toString(), 'v1');
  await f.delete();
  assert.equal((await f.exists())[0], false);
  const [still] = await b.getFiles({ versions: true });
  assert.equal(still.length, 2);
  assert.ok(still.every((x) => x.metadata.timeDeleted));
});

test('compose, copy and rewrite with token continuation', async () => {
  const b = await bucket('gcpsim-compose');
  const parts = [];
  for (let i = 0; i < 3; i++) {
    parts.push(b.file(`p${i}`));
    await parts[i].save(`part${i};`, { resumable: false });
  }
  const [whole] = await b.combine(parts, 'whole.txt');
  assert.equal((await whole.download())[0].toString(), 'part0;part1;part2;');
  const [wholeMeta] = await whole.getMetadata();
  assert.equal(wholeMeta.componentCount, 3);
  assert.equal(wholeMeta.md5Hash, undefined);
  const tooMany = Array.from({ length: 33 }, () => parts[0]);
  assert.equal((await apiError(b.combine(tooMany, 'x'))).code, 400);
  const [copied] = await whole.copy(gcs.bucket('gcpsim-compose').file('copy.txt'));
  assert.equal((await copied.download())[0].toString(), 'part0;part1;part2;');
  const big = crypto.randomBytes(3 * 1024 * 1024 + 5);
  await b.file('big').save(big, { resumable: false });
  let token = '';
  let calls = 0;
  let last;
  do {
    const q = `maxBytesRewrittenPerCall=1048576${token ? `&rewriteToken=${enc(token)}` : ''}`;
    last = await (await api(`/b/gcpsim-compose/o/big/rewriteTo/b/gcpsim-compose/o/big2?${q}`, { method: 'POST' })).json();
    token = last.rewriteToken;
    calls++;
  } while (!last.done);
  assert.equal(calls, 4);
  assert.equal(last.resource.md5Hash, md5(big));
});

test('resumable: the client uploads in chunks', async () => {
  const b = await bucket('gcpsim-resumable');
  const data = crypto.randomBytes(1024 * 1024 + 17);
  await b.file('chunked').save(data, { resumable: true, chunkSize: 256 * 1024 });
  const [meta] = await b.file('chunked').getMetadata();
  assert.equal(meta.md5Hash, md5(data));
});

test('resumable: a 50 MiB upload interrupted and resumed by the client', async () => {
  const b = gcs.bucket('gcpsim-resumable');
  const file = b.file('fifty');
  const data = crypto.randomBytes(50 * 1024 * 1024);
  const [uri] = await file.createResumableUpload({ metadata: { contentType: 'application/x-test' } });
  const first = 20 * 1024 * 1024;
  const put = (headers, body) => fetch(uri, { method: 'PUT', headers, body });
  const r1 = await put({ 'content-range': `bytes 0-${first - 1}/${data.length}` }, data.subarray(0, first));
  assert.equal(r1.status, 308);
  assert.equal(r1.headers.get('range'), `bytes=0-${first - 1}`);
  // A chunk at the wrong offset is not kept; the session still says where it is.
  const gap = await put({ 'content-range': `bytes ${first + 262144}-${first + 2 * 262144 - 1}/${data.length}` },
    data.subarray(first + 262144, first + 2 * 262144));
  assert.equal(gap.status, 308);
  assert.equal(gap.headers.get('range'), `bytes=0-${first - 1}`);
  const status = await put({ 'content-range': 'bytes */*' });
  assert.equal(status.status, 308);
  assert.equal((await file.exists())[0], false);
  await file.save(data, { uri, resumable: true });
  const [meta] = await file.getMetadata();
  assert.equal(meta.size, String(data.length));
  assert.equal(meta.md5Hash, md5(data));
  assert.equal(meta.contentType, 'application/x-test');
  const done = await put({ 'content-range': 'bytes */*' });
  assert.equal(done.status, 200);
});

test('resumable: bad offsets, cancel with 499, unknown sessions 404', async () => {
  const file = gcs.bucket('gcpsim-resumable').file('cancelled');
  const [uri] = await file.createResumableUpload();
  const small = await fetch(uri, { method: 'PUT', headers: { 'content-range': 'bytes 0-9/*' }, body: '0123456789' });
  assert.equal(small.status, 400);
  const mismatch = await fetch(uri, { method: 'PUT', headers: { 'content-range': 'bytes 0-99/100' }, body: 'short' });
  assert.equal(mismatch.status, 400);
  const cancel = await fetch(uri, { method: 'DELETE' });
  assert.equal(cancel.status, 499);
  const after = await fetch(uri, { method: 'PUT', headers: { 'content-range': 'bytes */*' } });
  assert.equal(after.status, 499);
  assert.equal((await file.exists())[0], false);
  const unknown = await fetch(uri.replace(/upload_id=[^&]+/, 'upload_id=nope'), { method: 'PUT' });
  assert.equal(unknown.status, 404);
});

test('STORAGE_EMULATOR_HOST: the client calls paths without /storage/v1', async () => {
  process.env.STORAGE_EMULATOR_HOST = sim.url;
  try {
    const emu = new Storage({ projectId: PROJECT });
    const b = emu.bucket('gcpsim-emulator-host');
    await b.create();
    await b.file('e').save('via emulator host');
    assert.equal((await b.file('e').download())[0].toString(), 'via emulator host');
  } finally {
    delete process.env.STORAGE_EMULATOR_HOST;
  }
});

test('notifications: OBJECT_FINALIZE reaches a Pub/Sub pull subscription', async () => {
  process.env.PUBSUB_EMULATOR_HOST = sim.host;
  const pubsub = new PubSub({ projectId: PROJECT });
  delete process.env.PUBSUB_EMULATOR_HOST;
  const [topic] = await pubsub.createTopic('gcpsim-storage-events');
  const [sub] = await topic.createSubscription('gcpsim-storage-events-sub');
  const b = await bucket('gcpsim-notify');
  const [notification] = await b.createNotification('gcpsim-storage-events', { eventTypes: ['OBJECT_FINALIZE'] });
  assert.equal(notification.metadata.payload_format, 'JSON_API_V1');
  assert.equal(notification.metadata.topic, `//pubsub.googleapis.com/projects/${PROJECT}/topics/gcpsim-storage-events`);
  await b.file('n.txt').save('notify me', { resumable: false });
  const [m] = await b.file('n.txt').getMetadata();
  const message = await new Promise((resolve, reject) => {
    sub.once('message', (msg) => { msg.ack(); resolve(msg); });
    sub.once('error', reject);
  });
  await sub.close();
  assert.equal(message.attributes.eventType, 'OBJECT_FINALIZE');
  assert.equal(message.attributes.bucketId, 'gcpsim-notify');
  assert.equal(message.attributes.objectId, 'n.txt');
  assert.equal(message.attributes.objectGeneration, m.generation);
  assert.equal(message.attributes.payloadFormat, 'JSON_API_V1');
  assert.equal(message.attributes.notificationConfig, `projects/_/buckets/gcpsim-notify/notificationConfigs/${notification.id}`);
  assert.equal(JSON.parse(message.data.toString()).md5Hash, md5('notify me'));
  const bad = await apiError(b.createNotification('no-such-topic'));
  assert.equal(bad.code, 404);
  await pubsub.close();
});

async function signer() {
  const key = await (await api('/_gcpsim/service-account.json')).json();
  return new Storage({ apiEndpoint: sim.url, projectId: PROJECT,
    credentials: { client_email: key.client_email, private_key: key.private_key } });
}

test('signed URLs v4: read and write with plain HTTP; tampering is refused', async () => {
  const s = await signer();
  await bucket('gcpsim-signed');
  const file = s.bucket('gcpsim-signed').file('docs/report 1.txt');
  const [writeUrl] = await file.getSignedUrl({ version: 'v4', action: 'write', expires: Date.now() + 600000,
    contentType: 'text/plain' });
  const put = await fetch(writeUrl, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'signed body' });
  assert.equal(put.status, 200);
  const [readUrl] = await file.getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 600000 });
  const get = await fetch(readUrl);
  assert.equal(get.status, 200);
  assert.equal(await get.text(), 'signed body');
  const tampered = await fetch(readUrl.replace('report%201', 'report%202'));
  assert.equal(tampered.status, 403);
  const xml = await tampered.text();
  assert.match(xml, /^<\?xml version='1.0' encoding='UTF-8'\?><Error><Code>SignatureDoesNotMatch<\/Code><Message>/);
  const wrongMethod = await fetch(readUrl, { method: 'DELETE' });
  assert.equal(wrongMethod.status, 403);
  const [deleteUrl] = await file.getSignedUrl({ version: 'v4', action: 'delete', expires: Date.now() + 600000 });
  assert.equal((await fetch(deleteUrl, { method: 'DELETE' })).status, 204);
  assert.equal((await file.exists())[0], false);
});

test('POST policy v4: a browser form upload within the policy lands; others are refused', async () => {
  const s = await signer();
  await bucket('gcpsim-forms');
  const file = s.bucket('gcpsim-forms').file('uploads/form.txt');
  const [policy] = await file.generateSignedPostPolicyV4({ expires: Date.now() + 600000,
    conditions: [['content-length-range', 1, 100]], fields: { 'x-goog-meta-source': 'form' } });
  const post = (fields, content) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([content], { type: 'text/plain' }), 'form.txt');
    return fetch(policy.url, { method: 'POST', body: form });
  };
  const ok = await post(policy.fields, 'from a form');
  assert.equal(ok.status, 204);
  const [meta] = await file.getMetadata();
  assert.deepEqual(meta.metadata, { source: 'form' });
  assert.equal((await file.download())[0].toString(), 'from a form');
  const tooBig = await post(policy.fields, 'x'.repeat(101));
  assert.equal(tooBig.status, 400);
  assert.match(await tooBig.text(), /<Code>EntityTooLarge<\/Code>/);
  const otherKey = await post({ ...policy.fields, key: 'elsewhere.txt' }, 'sneaky');
  assert.equal(otherKey.status, 400);
  const forged = await post({ ...policy.fields, 'x-goog-signature': '00'.repeat(256) }, 'forged');
  assert.equal(forged.status, 403);
  assert.equal((await gcs.bucket('gcpsim-forms').file('elsewhere.txt').exists())[0], false);
});

test('CORS on the path-style endpoint: preflight and response headers', async () => {
  const b = await bucket('gcpsim-cors');
  await b.setCorsConfiguration([{ origin: ['https://app.example'], method: ['GET', 'PUT'],
    responseHeader: ['Content-Type'], maxAgeSeconds: 600 }]);
  await b.file('c.txt').save('cors', { resumable: false });
  const pre = await api('/gcpsim-cors/c.txt', { method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' } });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.equal(pre.headers.get('access-control-max-age'), '600');
  const denied = await api('/gcpsim-cors/c.txt', { method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
  assert.equal(denied.status, 403);
  const get = await api('/gcpsim-cors/c.txt', { headers: { origin: 'https://app.example' } });
  assert.equal(get.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.equal(get.headers.get('access-control-expose-headers'), 'Content-Type');
});

test('stack file: declared buckets come with versioning and notifications', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-storage-stack-'));
  const stack = path.join(dir, 'gcpsim.yaml');
  fs.writeFileSync(stack, [
    'project: demo-project',
    'pubsub:',
    '  topics: {uploads-events: {}}',
    '  subscriptions: {uploads-audit: {topic: uploads-events}}',
    'storage:',
    '  buckets:',
    '    uploads: {versioning: true, notifications: [{topic: uploads-events, events: [OBJECT_FINALIZE]}]}',
  ].join('\n'));
  const other = await startGcpsim(['--stack', stack]);
  try {
    const s = new Storage({ apiEndpoint: other.url, projectId: PROJECT });
    const [meta] = await s.bucket('uploads').getMetadata();
    assert.equal(meta.versioning.enabled, true);
    const [notifications] = await s.bucket('uploads').getNotifications();
    assert.equal(notifications.length, 1);
    await s.bucket('uploads').file('from-stack.txt').save('x', { resumable: false });
    process.env.PUBSUB_EMULATOR_HOST = other.host;
    const pubsub = new PubSub({ projectId: PROJECT });
    delete process.env.PUBSUB_EMULATOR_HOST;
    const sub = pubsub.subscription('uploads-audit');
    const message = await new Promise((resolve, reject) => {
      sub.once('message', (m) => { m.ack(); resolve(m); });
      sub.once('error', reject);
    });
    await sub.close();
    await pubsub.close();
    assert.equal(message.attributes.objectId, 'from-stack.txt');
  } finally {
    await other.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('data dir: objects and upload sessions survive kill -9', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-storage-data-'));
  let first = await startGcpsim(['--data-dir', dir]);
  const chunk = crypto.randomBytes(256 * 1024);
  let uri;
  try {
    const s = new Storage({ apiEndpoint: first.url, projectId: PROJECT });
    await s.createBucket('gcpsim-durable');
    await s.bucket('gcpsim-durable').file('kept.txt').save('durable', { resumable: false });
    [uri] = await s.bucket('gcpsim-durable').file('later.bin').createResumableUpload();
    const r = await fetch(uri, { method: 'PUT', headers: { 'content-range': `bytes 0-${chunk.length - 1}/*` }, body: chunk });
    assert.equal(r.status, 308);
  } finally {
    await first.stop('SIGKILL');
  }
  first = await startGcpsim(['--data-dir', dir]);
  try {
    const s = new Storage({ apiEndpoint: first.url, projectId: PROJECT });
    assert.equal((await s.bucket('gcpsim-durable').file('kept.txt').download())[0].toString(), 'durable');
    const moved = uri.replace(/127\.0\.0\.1:\d+/, first.host);
    const status = await fetch(moved, { method: 'PUT', headers: { 'content-range': 'bytes */*' } });
    assert.equal(status.status, 308);
    assert.equal(status.headers.get('range'), `bytes=0-${chunk.length - 1}`);
    const done = await fetch(moved, { method: 'PUT',
      headers: { 'content-range': `bytes ${chunk.length}-${2 * chunk.length - 1}/${2 * chunk.length}` }, body: chunk });
    assert.equal(done.status, 200);
    assert.equal((await done.json()).md5Hash, md5(Buffer.concat([chunk, chunk])));
  } finally {
    await first.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Time travel last: the control API moves the emulator's clock forward for good.
test('on the clock: lifecycle deletes by age, signed URLs and upload sessions expire', async () => {
  const b = await bucket('gcpsim-lifecycle');
  await b.addLifecycleRule({ action: { type: 'Delete' }, condition: { age: 1 } });
  await b.file('old').save('x', { resumable: false });
  const s = await signer();
  const [url] = await s.bucket('gcpsim-lifecycle').file('old').getSignedUrl({ version: 'v4', action: 'read',
    expires: Date.now() + 3600 * 1000 });
  const [uri] = await b.file('pending').createResumableUpload();
  assert.equal((await sim.control('POST', 'clock', { advance: '25h' })).status, 200);
  assert.equal((await b.file('old').exists())[0], false);
  const expired = await fetch(url);
  assert.equal(expired.status, 400);
  assert.match(await expired.text(), /<Code>ExpiredToken<\/Code>/);
  assert.equal((await fetch(uri, { method: 'PUT', headers: { 'content-range': 'bytes */*' } })).status, 308);
  await sim.control('POST', 'clock', { advance: '7d' });
  assert.equal((await fetch(uri, { method: 'PUT', headers: { 'content-range': 'bytes */*' } })).status, 404);
});
