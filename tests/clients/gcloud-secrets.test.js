// `gcloud secrets` through `gcpsim gcloud`, unmodified: a secret created from a data file,
// versions added from stdin, accessed, disabled, enabled and destroyed, labels updated, listed
// and deleted; each result checked through the official @google-cloud/secret-manager client.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { SecretManagerServiceClient } = require('@google-cloud/secret-manager');
const { grpc } = require('google-gax');
const { startGcpsim } = require('./lib/gcpsim');
const { skip, gcloudFor } = require('./lib/gcloud');

let sim;
let gcloud;
let sm;
let dir;
const SECRET = 'projects/demo-project/secrets/db-password';
const CANONICAL = 'projects/123456789012/secrets';  // the real service names secrets by project number

before(async () => {
  if (skip) return;
  sim = await startGcpsim();
  gcloud = gcloudFor(sim);
  sm = new SecretManagerServiceClient({ apiEndpoint: '127.0.0.1', port: sim.port, sslCreds: grpc.credentials.createInsecure() });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-gcloud-secrets-'));
});
after(async () => {
  if (skip) return;
  await sm.close();
  gcloud.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
  await sim.stop();
});

async function state(version) {
  const [v] = await sm.getSecretVersion({ name: `${SECRET}/versions/${version}` });
  return v.state;
}

test('secrets: create from a data file, versions add/access/disable/enable/destroy, labels, list, delete', { skip }, async () => {
  const file = path.join(dir, 'password.txt');
  fs.writeFileSync(file, 's3cret\n');
  await gcloud.run(['secrets', 'create', 'db-password', `--data-file=${file}`, '--labels=team=payments']);
  const [secret] = await sm.getSecret({ name: SECRET });
  assert.deepEqual(secret.labels, { team: 'payments' });
  assert.ok(secret.replication.automatic, 'automatic replication by default');
  const [v1] = await sm.accessSecretVersion({ name: `${SECRET}/versions/1` });
  assert.equal(v1.payload.data.toString(), 's3cret\n');

  // gcloud prints the payload as it is.
  const { stdout } = await gcloud.run(['secrets', 'versions', 'access', 'latest', '--secret=db-password']);
  assert.equal(stdout, 's3cret\n');

  // A second version from stdin.
  await gcloud.run(['secrets', 'versions', 'add', 'db-password', '--data-file=-'], { input: 'rotated' });
  const [latest] = await sm.accessSecretVersion({ name: `${SECRET}/versions/latest` });
  assert.equal(latest.payload.data.toString(), 'rotated');
  assert.match(latest.name, /\/versions\/2$/);

  await gcloud.run(['secrets', 'versions', 'disable', '1', '--secret=db-password']);
  assert.equal(await state(1), 'DISABLED');
  await assert.rejects(gcloud.run(['secrets', 'versions', 'access', '1', '--secret=db-password']),
    (e) => /FAILED_PRECONDITION|DISABLED/i.test(e.stderr));
  await gcloud.run(['secrets', 'versions', 'enable', '1', '--secret=db-password']);
  assert.equal(await state(1), 'ENABLED');
  await gcloud.run(['secrets', 'versions', 'destroy', '1', '--secret=db-password', '--quiet']);
  assert.equal(await state(1), 'DESTROYED');

  const versions = await gcloud.json(['secrets', 'versions', 'list', 'db-password']);
  assert.deepEqual(versions.map((v) => [v.name.split('/').pop(), v.state]).sort(), [['1', 'DESTROYED'], ['2', 'ENABLED']]);

  await gcloud.run(['secrets', 'update', 'db-password', '--update-labels=env=prod', '--remove-labels=team']);
  const [relabelled] = await sm.getSecret({ name: SECRET });
  assert.deepEqual(relabelled.labels, { env: 'prod' });
  const described = await gcloud.json(['secrets', 'describe', 'db-password']);
  assert.deepEqual(described.labels, { env: 'prod' });

  await gcloud.run(['secrets', 'create', 'api-key', `--data-file=${file}`]);
  const listed = await gcloud.json(['secrets', 'list']);
  assert.deepEqual(listed.map((s) => s.name).sort(), [`${CANONICAL}/api-key`, `${CANONICAL}/db-password`]);
  const filtered = await gcloud.json(['secrets', 'list', '--filter=labels.env=prod']);
  assert.deepEqual(filtered.map((s) => s.name), [`${CANONICAL}/db-password`]);

  await gcloud.run(['secrets', 'delete', 'api-key', '--quiet']);
  await assert.rejects(sm.getSecret({ name: 'projects/demo-project/secrets/api-key' }), (e) => e.code === 5);
});
