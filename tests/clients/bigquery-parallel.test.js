// BigQuery queries from several clients run at once, not one after another behind a lock:
// a query that never ends on its own runs on a query worker while another client's small
// query, an insert and a read of that insert complete; then a cancel stops it. Assertions are
// on the order of completions and on job states, never on wall time.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { BigQuery } = require('@google-cloud/bigquery');
const { startGcpsim } = require('./lib/gcpsim');

const PROJECT = 'demo-project';
let sim;

before(async () => {
  sim = await startGcpsim();
  process.env.BIGQUERY_EMULATOR_HOST = sim.url;
});
after(async () => {
  delete process.env.BIGQUERY_EMULATOR_HOST;
  await sim.stop();
});

// 10^10 rows: no machine finishes this count, so it is still running whatever the load.
const ENDLESS = 'SELECT COUNT(*) AS n FROM UNNEST(GENERATE_ARRAY(1, 100000)) AS a CROSS JOIN UNNEST(GENERATE_ARRAY(1, 100000)) AS b';

test('a small query from another client completes while a slow one runs; the slow one is cancelled', { timeout: 120000 }, async () => {
  const slowClient = new BigQuery({ projectId: PROJECT });
  const fastClient = new BigQuery({ projectId: PROJECT });
  const [ds] = await fastClient.createDataset('par');
  const [table] = await ds.createTable('events', { schema: 'id:INTEGER,user:STRING' });

  // jobs.insert answers at once with the job RUNNING, as BigQuery's does.
  const [slow] = await slowClient.createQueryJob({ query: ENDLESS });
  const [running] = await slow.getMetadata();
  assert.equal(running.status.state, 'RUNNING');
  const order = [];
  const slowResult = slow.getQueryResults().then(
    () => { order.push('slow'); return null; },
    (err) => { order.push('slow'); return err; });

  // Meanwhile another client queries, inserts and reads its insert back.
  const [rows] = await fastClient.query('SELECT 1 + 1 AS two');
  order.push('fast');
  assert.deepEqual(rows, [{ two: 2 }]);
  await table.insert([{ id: 1, user: 'ann' }, { id: 2, user: 'bob' }]);
  const [seen] = await fastClient.query('SELECT user FROM par.events ORDER BY id');
  order.push('read-your-write');
  assert.deepEqual(seen.map((r) => r.user), ['ann', 'bob']);
  const [listed] = await fastClient.getJobs({ stateFilter: 'running' });
  assert.ok(listed.some((j) => j.id === slow.id), 'the slow job is listed as running');
  assert.deepEqual(order, ['fast', 'read-your-write']);

  // Cancel stops it where it is: DONE with BigQuery's "stopped" reason.
  await slow.cancel();
  const err = await slowResult;
  assert.deepEqual(order, ['fast', 'read-your-write', 'slow']);
  assert.ok(err, 'the cancelled job has no results');
  assert.match(err.message, /Job execution was cancelled: User requested cancellation/);
  const [done] = await slow.getMetadata();
  assert.equal(done.status.state, 'DONE');
  assert.equal(done.status.errorResult.reason, 'stopped');
});

test('8 clients query at once and each gets its own answer', { timeout: 120000 }, async () => {
  const clients = Array.from({ length: 8 }, () => new BigQuery({ projectId: PROJECT }));
  const answers = await Promise.all(clients.map((c, i) =>
    c.query({ query: 'SELECT @i * 10 AS v, COUNT(*) AS n FROM UNNEST(GENERATE_ARRAY(1, 20000)) AS x WHERE MOD(x, 8) = @i', params: { i } })));
  assert.deepEqual(answers.map(([r]) => [r[0].v, r[0].n]), Array.from({ length: 8 }, (_, i) => [i * 10, 2500]));
});

test('worker queries read a loaded snapshot and a reset; a reset stops a running query', { timeout: 120000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-bq-snap-'));
  const bq = new BigQuery({ projectId: PROJECT });
  try {
    const [ds] = await bq.createDataset('snap');
    const [table] = await ds.createTable('t', { schema: 'n:INTEGER' });
    await table.insert([{ n: 1 }]);
    const count = async () => (await bq.query('SELECT COUNT(*) AS c FROM snap.t'))[0][0].c;
    assert.equal(await count(), 1);
    assert.equal((await sim.control('POST', 'snapshot/save', { path: path.join(dir, 'snap.db') })).status, 200);
    await table.insert([{ n: 2 }, { n: 3 }]);
    assert.equal(await count(), 3);
    assert.equal((await sim.control('POST', 'snapshot/load', { path: path.join(dir, 'snap.db') })).status, 200);
    assert.equal(await count(), 1);

    const [slow] = await bq.createQueryJob({ query: ENDLESS });
    const waiting = slow.getQueryResults().then(() => null, (err) => err);
    assert.equal((await sim.control('POST', 'reset', {})).status, 200);
    const err = await waiting;
    assert.ok(err, 'the query running at the reset has no results');
    const gone = await bq.query('SELECT COUNT(*) AS c FROM snap.t').then(() => null, (e) => e);
    assert.equal(gone.code, 404);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a query still running at its timeoutMs answers jobComplete: false and keeps running', { timeout: 120000 }, async () => {
  const bq = new BigQuery({ projectId: PROJECT });
  const rest = (method, url, body) => fetch(`${sim.url}/bigquery/v2/projects/${PROJECT}${url}`, {
    method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));

  // The client's own timeout (an option of the call, not of the query): jobs.query answers
  // jobComplete: false, and the client says so.
  await assert.rejects(bq.query({ query: ENDLESS }, { timeoutMs: 200 }), /did not complete before 200ms/);

  // The REST shape: the job's reference and jobComplete: false, no schema, no rows.
  const first = await rest('POST', '/queries', { query: ENDLESS, useLegacySql: false, timeoutMs: 0 });
  assert.equal(first.status, 200);
  assert.equal(first.body.kind, 'bigquery#queryResponse');
  assert.equal(first.body.jobComplete, false);
  assert.equal(first.body.rows, undefined);
  assert.equal(first.body.schema, undefined);
  const id = first.body.jobReference.jobId;
  const polled = await rest('GET', `/queries/${id}?timeoutMs=100`);
  assert.equal(polled.status, 200);
  assert.deepEqual([polled.body.kind, polled.body.jobComplete, polled.body.jobReference.jobId],
    ['bigquery#getQueryResultsResponse', false, id]);

  // Both jobs are still running; a cancel ends them, and the next poll answers at once with
  // the job's end (cancelled), not after its timeoutMs.
  const [running] = await bq.getJobs({ stateFilter: 'running' });
  assert.equal(running.length, 2);
  for (const job of running) await job.cancel();
  const after = await rest('GET', `/queries/${id}?timeoutMs=100000`);
  assert.equal(after.status, 400, JSON.stringify(after.body));
  assert.match(after.body.error.message, /cancelled/);

  // A timeoutMs that is not milliseconds is refused, naming the field.
  const bad = await rest('POST', '/queries', { query: 'SELECT 1', useLegacySql: false, timeoutMs: -5 });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /timeoutMs/);
  const badPoll = await rest('GET', `/queries/${id}?timeoutMs=soon`);
  assert.equal(badPoll.status, 400);
  assert.match(badPoll.body.error.message, /timeoutMs/);
});
