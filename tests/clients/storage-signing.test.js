// Signing as Cloud Run signs, and what a private bucket refuses: getSignedUrl through IAM
// Credentials' signBlob with the metadata server's credentials (no key file), the
// x-goog-content-length-range header on signed uploads, and public access prevention.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startGcpsim } = require('./lib/gcpsim');

const PROJECT = 'demo-project';
let sim, gcs, Storage;

before(async () => {
  sim = await startGcpsim();
  // As on Cloud Run: credentials come from the metadata server.
  process.env.GCE_METADATA_HOST = sim.host;
  process.env.METADATA_SERVER_DETECTION = 'assume-present';
  ({ Storage } = require('@google-cloud/storage'));
  gcs = new Storage({ apiEndpoint: sim.url, projectId: PROJECT });
});
after(async () => { await sim.stop(); });

const signingEndpoint = () => `${sim.url}/v1/projects/-/serviceAccounts/`;

test('getSignedUrl signs through signBlob as the metadata server\'s service account', async () => {
  const [b] = await gcs.createBucket('signblob-bucket');
  const file = b.file('a/photo.png');
  const [put] = await file.getSignedUrl({ version: 'v4', action: 'write', expires: Date.now() + 600000,
    contentType: 'image/png', signingEndpoint: signingEndpoint() });
  assert.match(put, /X-Goog-Credential=123456789012-compute%40developer\.gserviceaccount\.com%2F/);
  assert.equal((await fetch(put, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: 'png' })).status, 200);
  const [get] = await file.getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 600000, signingEndpoint: signingEndpoint() });
  assert.equal(await (await fetch(get)).text(), 'png');
  const events = await (await fetch(`${sim.url}/_gcpsim/events?kind=api.call&service=iam`)).json();
  assert.equal(events.events.filter((e) => e.attrs.method === 'iamcredentials.signBlob' && e.attrs.code === 'OK').length, 2);
});

test('signBlob wants a token, a known account and a payload', async () => {
  const url = `${signingEndpoint()}123456789012-compute@developer.gserviceaccount.com:signBlob`;
  const noToken = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"payload":"YQ=="}' });
  assert.equal(noToken.status, 401);
  assert.equal((await noToken.json()).error.status, 'UNAUTHENTICATED');
  const token = (await (await fetch(`${sim.url}/computeMetadata/v1/instance/service-accounts/default/token`,
    { headers: { 'Metadata-Flavor': 'Google' } })).json()).access_token;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const other = await fetch(url.replace('123456789012-compute', 'someone-else'), { method: 'POST', headers, body: '{"payload":"YQ=="}' });
  assert.equal(other.status, 403);
  assert.match((await other.json()).error.message, /Permission 'iam.serviceAccounts.signBlob' denied/);
  const empty = await fetch(url, { method: 'POST', headers, body: '{}' });
  assert.equal(empty.status, 400);
  const ok = await (await fetch(url, { method: 'POST', headers, body: '{"payload":"YQ=="}' })).json();
  assert.equal(ok.keyId.length > 0, true);
  assert.equal(Buffer.from(ok.signedBlob, 'base64').length, 256);
});

test('x-goog-content-length-range: a signed upload outside the range is refused and nothing is stored', async () => {
  const [b] = await gcs.createBucket('sized-bucket');
  const file = b.file('limited.bin');
  const [url] = await file.getSignedUrl({ version: 'v4', action: 'write', expires: Date.now() + 600000,
    extensionHeaders: { 'x-goog-content-length-range': '4,8' }, signingEndpoint: signingEndpoint() });
  const put = (body) => fetch(url, { method: 'PUT', headers: { 'x-goog-content-length-range': '4,8' }, body });
  const big = await put('123456789');
  assert.equal(big.status, 400);
  assert.match(await big.text(), /<Code>EntityTooLarge<\/Code>.*<Details>Content-length exceeds upper bound on range<\/Details>/);
  const small = await put('123');
  assert.equal(small.status, 400);
  assert.match(await small.text(), /<Code>EntityTooSmall<\/Code>/);
  assert.equal((await file.exists())[0], false);
  assert.equal((await put('12345678')).status, 200);
  assert.equal((await file.download())[0].toString(), '12345678');
});

test('public access prevention: anonymous path-style requests get 403, signed ones still work', async () => {
  const [b] = await gcs.createBucket('private-bucket', { iamConfiguration: { publicAccessPrevention: 'enforced' } });
  const [meta] = await b.getMetadata();
  assert.equal(meta.iamConfiguration.publicAccessPrevention, 'enforced');
  await b.file('secret.txt').save('s3cret', { resumable: false });
  const anon = await fetch(`${sim.url}/private-bucket/secret.txt`);
  assert.equal(anon.status, 403);
  assert.match(await anon.text(), /<Code>AccessDenied<\/Code>.*Anonymous caller does not have storage\.objects\.get access/);
  assert.equal((await fetch(`${sim.url}/private-bucket/x.txt`, { method: 'PUT', body: 'x' })).status, 403);
  const [url] = await b.file('secret.txt').getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 60000,
    signingEndpoint: signingEndpoint() });
  assert.equal(await (await fetch(url)).text(), 's3cret');
  await b.setMetadata({ iamConfiguration: { publicAccessPrevention: 'inherited' } });
  assert.equal((await fetch(`${sim.url}/private-bucket/secret.txt`)).status, 200);
  const bad = await gcs.createBucket('bad-pap', { iamConfiguration: { publicAccessPrevention: 'sometimes' } }).catch((e) => e);
  assert.equal(bad.code, 400);
});
