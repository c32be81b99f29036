// `gcloud storage` through `gcpsim gcloud`, unmodified: buckets created, described and
// updated; objects copied up (multipart, and resumable past gcloud's 8 MiB threshold) and
// down, listed with wildcards, read, described, synced, removed; a URL signed with the key
// from /_gcpsim/service-account.json fetched. Results checked through @google-cloud/storage.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Storage } = require('@google-cloud/storage');
const { startGcpsim } = require('./lib/gcpsim');
const { skip, gcloudFor } = require('./lib/gcloud');

const PROJECT = 'demo-project';
let sim;
let gcloud;
let gcs;
let dir;

before(async () => {
  if (skip) return;
  sim = await startGcpsim();
  gcloud = gcloudFor(sim);
  gcs = new Storage({ apiEndpoint: sim.url, projectId: PROJECT });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-gcloud-storage-'));
});
after(async () => {
  if (skip) return;
  gcloud.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
  await sim.stop();
});

const local = (...p) => path.join(dir, ...p);
const md5 = (buf) => crypto.createHash('md5').update(buf).digest('base64');

test('buckets: create, describe, update labels and versioning', { skip }, async () => {
  await gcloud.run(['storage', 'buckets', 'create', 'gs://media-bucket', '--location=us-central1']);
  const [exists] = await gcs.bucket('media-bucket').exists();
  assert.equal(exists, true);
  await gcloud.run(['storage', 'buckets', 'update', 'gs://media-bucket', '--update-labels=team=web', '--versioning']);
  const [meta] = await gcs.bucket('media-bucket').getMetadata();
  assert.deepEqual(meta.labels, { team: 'web' });
  assert.equal(meta.versioning.enabled, true);
  const described = await gcloud.json(['storage', 'buckets', 'describe', 'gs://media-bucket']);
  assert.equal(described.name, 'media-bucket');
  assert.deepEqual(described.labels, { team: 'web' });
  const buckets = await gcloud.json(['storage', 'buckets', 'list']);
  assert.ok(buckets.some((b) => b.name === 'media-bucket'));
});

// gcloud starts resumable uploads on /resumable/upload/storage/v1/… (apitools' path).
test('objects: cp up and down (small and resumable), ls with wildcards, cat, describe, rm', { skip }, async () => {
  await gcs.createBucket('files');
  const small = Buffer.from('hello from gcloud\n');
  fs.writeFileSync(local('hello.txt'), small);
  const large = crypto.randomBytes(9 * 1024 * 1024 + 123);  // past the 8 MiB resumable threshold
  fs.writeFileSync(local('large.bin'), large);

  await gcloud.run(['storage', 'cp', local('hello.txt'), 'gs://files/docs/hello.txt']);
  const [gotSmall] = await gcs.bucket('files').file('docs/hello.txt').download();
  assert.deepEqual(gotSmall, small);
  await gcloud.run(['storage', 'cp', local('large.bin'), 'gs://files/blobs/large.bin']);
  const [largeMeta] = await gcs.bucket('files').file('blobs/large.bin').getMetadata();
  assert.equal(Number(largeMeta.size), large.length);
  assert.equal(largeMeta.md5Hash, md5(large));

  await gcloud.run(['storage', 'cp', 'gs://files/blobs/large.bin', local('large-copy.bin')]);
  assert.ok(fs.readFileSync(local('large-copy.bin')).equals(large));
  await gcloud.run(['storage', 'cp', 'gs://files/docs/hello.txt', local('hello-copy.txt')]);
  assert.deepEqual(fs.readFileSync(local('hello-copy.txt')), small);

  const { stdout: cat } = await gcloud.run(['storage', 'cat', 'gs://files/docs/hello.txt']);
  assert.equal(cat, small.toString());

  await gcs.bucket('files').file('docs/notes.md').save('# notes');
  const { stdout: txt } = await gcloud.run(['storage', 'ls', 'gs://files/docs/*.txt']);
  assert.deepEqual(txt.trim().split('\n'), ['gs://files/docs/hello.txt']);
  const { stdout: all } = await gcloud.run(['storage', 'ls', 'gs://files/**']);
  assert.deepEqual(all.trim().split('\n').sort(),
    ['gs://files/blobs/large.bin', 'gs://files/docs/hello.txt', 'gs://files/docs/notes.md']);
  const { stdout: top } = await gcloud.run(['storage', 'ls', 'gs://files']);
  assert.deepEqual(top.trim().split('\n').sort(), ['gs://files/blobs/', 'gs://files/docs/']);

  const described = await gcloud.json(['storage', 'objects', 'describe', 'gs://files/docs/hello.txt']);
  assert.equal(described.name, 'docs/hello.txt');
  assert.equal(described.size, small.length);
  assert.equal(described.md5_hash, md5(small));

  await gcloud.run(['storage', 'rm', 'gs://files/docs/*.txt']);
  const [gone] = await gcs.bucket('files').file('docs/hello.txt').exists();
  assert.equal(gone, false);
  const [kept] = await gcs.bucket('files').file('docs/notes.md').exists();
  assert.equal(kept, true);
});

test('rsync mirrors a directory and deletes what is gone with --delete-unmatched-destination-objects', { skip }, async () => {
  await gcs.createBucket('site');
  fs.mkdirSync(local('site', 'css'), { recursive: true });
  fs.writeFileSync(local('site', 'index.html'), '<h1>hi</h1>');
  fs.writeFileSync(local('site', 'css', 'main.css'), 'body{}');
  await gcs.bucket('site').file('old.html').save('stale');
  await gcloud.run(['storage', 'rsync', local('site'), 'gs://site', '--recursive',
    '--delete-unmatched-destination-objects']);
  const [files] = await gcs.bucket('site').getFiles();
  assert.deepEqual(files.map((f) => f.name).sort(), ['css/main.css', 'index.html']);
  const [css] = await gcs.bucket('site').file('css/main.css').download();
  assert.equal(css.toString(), 'body{}');
});

// gcloud signs with lower-case parameter names (x-goog-signature), which GCS accepts.
test('sign-url: a URL signed with the key from /_gcpsim/service-account.json reads the object', { skip }, async () => {
  await gcs.createBucket('signed');
  await gcs.bucket('signed').file('report.csv').save('a,b\n1,2\n');
  const key = await (await fetch(`${sim.url}/_gcpsim/service-account.json`)).text();
  fs.writeFileSync(local('key.json'), key);
  const signed = await gcloud.json(['storage', 'sign-url', 'gs://signed/report.csv', `--private-key-file=${local('key.json')}`,
    '--duration=10m']);
  const url = signed[0].signed_url;
  assert.ok(url.startsWith(`${sim.url}/signed/report.csv?`), url);
  const res = await fetch(url);
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(await res.text(), 'a,b\n1,2\n');
  // The signature covers the object: another name is refused.
  const forged = await fetch(url.replace('report.csv', 'other.csv'));
  assert.equal(forged.status, 403);
});
