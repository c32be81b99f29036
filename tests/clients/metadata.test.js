// The metadata server as google-auth-library finds and uses it, unmodified.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startGcpsim } = require('./lib/gcpsim');

let sim;
before(async () => {
  sim = await startGcpsim();
  process.env.GCE_METADATA_HOST = sim.host;
  process.env.METADATA_SERVER_DETECTION = 'assume-present';
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
});
after(async () => { await sim.stop(); });

const { GoogleAuth, OAuth2Client } = require('google-auth-library');

test('google-auth-library gets the project id and an access token from the metadata server', async () => {
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  assert.equal(await auth.getProjectId(), 'demo-project');
  const client = await auth.getClient();
  const { token } = await client.getAccessToken();
  assert.match(token, /^ya29\.gcpsim-/);
  const creds = await auth.getCredentials();
  assert.equal(creds.client_email, '123456789012-compute@developer.gserviceaccount.com');
});

test('an ID token for an audience verifies against gcpsim\'s published certs', async () => {
  const auth = new GoogleAuth();
  const idClient = await auth.getIdTokenClient('http://127.0.0.1:9001');
  const headers = await idClient.getRequestHeaders();
  const bearer = (headers.get ? headers.get('authorization') : headers.Authorization || headers.authorization);
  const idToken = bearer.replace(/^Bearer /, '');
  const certs = await (await fetch(`${sim.url}/oauth2/v1/certs`)).json();
  const verifier = new OAuth2Client();
  const ticket = await verifier.verifySignedJwtWithCertsAsync(idToken, certs, 'http://127.0.0.1:9001',
    ['https://accounts.google.com']);
  assert.equal(ticket.getPayload().email, '123456789012-compute@developer.gserviceaccount.com');
  await assert.rejects(
    verifier.verifySignedJwtWithCertsAsync(idToken, certs, 'http://127.0.0.1:9002', ['https://accounts.google.com']),
    /Wrong recipient/);
});

test('requests without Metadata-Flavor: Google are refused with 403', async () => {
  const res = await fetch(`${sim.url}/computeMetadata/v1/project/project-id`);
  assert.equal(res.status, 403);
  const ok = await fetch(`${sim.url}/computeMetadata/v1/project/project-id`, { headers: { 'Metadata-Flavor': 'Google' } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('metadata-flavor'), 'Google');
  assert.equal(await ok.text(), 'demo-project');
});

test('the identity endpoint needs an audience; unknown accounts are 404', async () => {
  const h = { headers: { 'Metadata-Flavor': 'Google' } };
  const base = `${sim.url}/computeMetadata/v1/instance/service-accounts`;
  assert.equal((await fetch(`${base}/default/identity`, h)).status, 400);
  assert.equal((await fetch(`${base}/nobody@example.com/token`, h)).status, 404);
  const region = await (await fetch(`${sim.url}/computeMetadata/v1/instance/region`, h)).text();
  assert.equal(region, 'projects/123456789012/regions/us-central1');
});

test('an account\'s directory lists its entries, and with ?recursive=true answers them as JSON', async () => {
  const h = { headers: { 'Metadata-Flavor': 'Google' } };
  const base = `${sim.url}/computeMetadata/v1/instance/service-accounts`;
  const listing = await fetch(`${base}/default/`, h);
  assert.equal(listing.status, 200);
  assert.equal(await listing.text(), 'aliases\nemail\nidentity\nscopes\ntoken\n');
  const all = await fetch(`${base}/default/?recursive=true`, h);
  assert.equal(all.status, 200);
  assert.equal(all.headers.get('content-type'), 'application/json');
  assert.deepEqual(await all.json(), { aliases: ['default'], email: '123456789012-compute@developer.gserviceaccount.com',
    scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  assert.equal(await (await fetch(`${base}/`, h)).text(), 'default/\n123456789012-compute@developer.gserviceaccount.com/\n');
  assert.equal((await fetch(`${base}/nobody@example.com/?recursive=true`, h)).status, 404);
});

test('metadata calls are events and obey fault rules', async () => {
  await sim.control('POST', 'faults', { match: { service: 'metadata', method: 'metadata.token' },
    action: { error: 'UNAVAILABLE' }, count: 1 });
  const h = { headers: { 'Metadata-Flavor': 'Google' } };
  const url = `${sim.url}/computeMetadata/v1/instance/service-accounts/default/token`;
  assert.equal((await fetch(url, h)).status, 503);
  assert.equal((await fetch(url, h)).status, 200);
  const { body } = await sim.control('GET', 'events?kind=api.call&service=metadata');
  const tokenCalls = body.events.filter((e) => e.attrs.method === 'metadata.token').map((e) => e.attrs.code);
  assert.deepEqual(tokenCalls.slice(-2), ['UNAVAILABLE', 'OK']);
});
