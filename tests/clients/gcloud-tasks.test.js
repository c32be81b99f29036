// `gcloud tasks` through `gcpsim gcloud`, unmodified: a queue created, described, updated,
// paused, resumed and purged; HTTP tasks created, listed and forced to run, their requests
// reaching a local worker; each result checked through the official @google-cloud/tasks client.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { CloudTasksClient } = require('@google-cloud/tasks');
const { grpc } = require('google-gax');
const { startGcpsim } = require('./lib/gcpsim');
const { skip, gcloudFor } = require('./lib/gcloud');

const LOCATION = 'projects/demo-project/locations/us-central1';
const QUEUE = `${LOCATION}/queues/emails`;
const where = ['--location=us-central1'];

let sim;
let gcloud;
let tasks;
let server;
let port;
const received = [];

before(async () => {
  if (skip) return;
  sim = await startGcpsim(['--clock', 'virtual']);  // nothing dispatches unless the test lets time pass
  gcloud = gcloudFor(sim);
  tasks = new CloudTasksClient({ apiEndpoint: '127.0.0.1', port: sim.port, sslCreds: grpc.credentials.createInsecure() });
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.end('ok');
    });
  });
  port = await new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));
});
after(async () => {
  if (skip) return;
  await tasks.close();
  gcloud.cleanup();
  await new Promise((r) => server.close(r));
  await sim.stop();
});

// Waits until n tasks were dispatched (from the event stream); returns those events.
const dispatched = (n) => sim.events((e) => e.kind === 'tasks.dispatch', n);
const dispatchCount = async () => (await sim.control('GET', 'events?kind=tasks.dispatch')).body.events.length;
const advance = (d) => sim.control('POST', 'clock', { advance: d });

test('queues: create, describe, update, pause, resume, purge; HTTP tasks created, listed, run', { skip }, async () => {
  await gcloud.run(['tasks', 'queues', 'create', 'emails', ...where, '--max-dispatches-per-second=5',
    '--max-attempts=4', '--min-backoff=2s']);
  const [queue] = await tasks.getQueue({ name: QUEUE });
  assert.equal(queue.rateLimits.maxDispatchesPerSecond, 5);
  assert.equal(queue.retryConfig.maxAttempts, 4);
  assert.equal(queue.state, 'RUNNING');

  await gcloud.run(['tasks', 'queues', 'update', 'emails', ...where, '--max-concurrent-dispatches=2']);
  const described = await gcloud.json(['tasks', 'queues', 'describe', 'emails', ...where]);
  assert.equal(described.rateLimits.maxConcurrentDispatches, 2);
  assert.equal(described.retryConfig.maxAttempts, 4);

  // Paused: a task waits, however much time passes.
  await gcloud.run(['tasks', 'queues', 'pause', 'emails', ...where]);
  assert.equal((await tasks.getQueue({ name: QUEUE }))[0].state, 'PAUSED');
  await gcloud.run(['tasks', 'create-http-task', 'welcome-1', '--queue=emails', ...where,
    `--url=http://127.0.0.1:${port}/send`, '--method=POST', '--body-content={"to":"ana"}',
    '--header=Content-Type:application/json']);
  await advance('1m');
  assert.equal(await dispatchCount(), 0);
  const listed = await gcloud.json(['tasks', 'list', '--queue=emails', ...where]);
  assert.deepEqual(listed.map((t) => t.name), [`${QUEUE}/tasks/welcome-1`]);

  await gcloud.run(['tasks', 'queues', 'resume', 'emails', ...where]);
  await dispatched(1);
  const first = received.find((r) => r.url === '/send');
  assert.equal(first.method, 'POST');
  assert.equal(first.body, '{"to":"ana"}');
  assert.equal(first.headers['content-type'], 'application/json');
  assert.equal(first.headers['x-cloudtasks-taskname'], 'welcome-1');
  assert.equal(first.headers['x-cloudtasks-queuename'], 'emails');

  // A task scheduled an hour ahead runs now when forced.
  const later = new Date(Date.parse((await sim.control('GET', 'clock')).body.now) + 3600e3).toISOString();
  await gcloud.run(['tasks', 'create-http-task', 'reminder', '--queue=emails', ...where,
    `--url=http://127.0.0.1:${port}/remind`, `--schedule-time=${later}`]);
  const ran = await gcloud.json(['tasks', 'run', 'reminder', '--queue=emails', ...where]);
  assert.equal(ran.name, `${QUEUE}/tasks/reminder`);
  await dispatched(2);
  assert.ok(received.some((r) => r.url === '/remind'));

  // Purge drops what is waiting.
  await gcloud.run(['tasks', 'create-http-task', 'stale', '--queue=emails', ...where,
    `--url=http://127.0.0.1:${port}/stale`, `--schedule-time=${later}`]);
  await gcloud.run(['tasks', 'queues', 'purge', 'emails', ...where, '--quiet']);
  const [left] = await tasks.listTasks({ parent: QUEUE });
  assert.deepEqual(left, []);

  const queues = await gcloud.json(['tasks', 'queues', 'list', ...where]);
  assert.deepEqual(queues.map((q) => q.name), [QUEUE]);
  await gcloud.run(['tasks', 'queues', 'delete', 'emails', ...where, '--quiet']);
  await assert.rejects(tasks.getQueue({ name: QUEUE }), (e) => e.code === 5);
});
