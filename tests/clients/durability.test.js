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
