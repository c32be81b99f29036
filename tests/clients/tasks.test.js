// Cloud Tasks through the official @google-cloud/tasks client: queues and tasks reaching a local
// HTTP server with the X-CloudTasks-* headers, retries on the virtual clock, and bad input.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { CloudTasksClient } = require('@google-cloud/tasks');
const { grpc } = require('google-gax');
const { startGcpsim } = require('./lib/gcpsim');

const LOCATION = 'projects/demo-project/locations/us-central1';

// A local worker: answers each request with the next scripted status and lets tests await
// the n-th request.
function worker(statuses = []) {
  const requests = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.statusCode = statuses.length ? statuses.shift() : 200;
      res.end('ok');
      for (const w of waiters.splice(0)) w();
    });
  });
  return {
    requests,
    listen: () => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port))),
    close: () => new Promise((r) => server.close(r)),
    async nth(n) {
      while (requests.length < n) await new Promise((r) => waiters.push(r));
      return requests[n - 1];
    },
  };
}

function client(sim) {
  return new CloudTasksClient({ apiEndpoint: '127.0.0.1', port: sim.port, sslCreds: grpc.credentials.createInsecure() });
}

async function dispatches(sim, n) {
  for (;;) {
    const res = await sim.control('GET', 'events?kind=tasks.dispatch');
    if (res.body.events.length >= n) return res.body.events;
    await new Promise((r) => setImmediate(r));
  }
}

let sim;
let tasks;
let w;
let port;
before(async () => {
  sim = await startGcpsim();
  tasks = client(sim);
  w = worker();
  port = await w.listen();
});
after(async () => {
  await tasks.close();
  await w.close();
  await sim.stop();
});

test('a task reaches the worker with its body, headers and an OIDC token', async () => {
  const [queue] = await tasks.createQueue({ parent: LOCATION, queue: { name: `${LOCATION}/queues/hello` } });
  assert.equal(queue.state, 'RUNNING');
  assert.equal(queue.rateLimits.maxDispatchesPerSecond, 500);
  const [task] = await tasks.createTask({
    parent: queue.name,
    task: {
      name: `${queue.name}/tasks/first`,
      httpRequest: {
        url: `http://127.0.0.1:${port}/work?x=1`,
        httpMethod: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Custom': 'yes' },
        body: Buffer.from('{"hello":"world"}'),
        oidcToken: { serviceAccountEmail: 'worker@demo-project.iam.gserviceaccount.com' },
      },
    },
  });
  assert.equal(task.name, `${queue.name}/tasks/first`);
  const req = await w.nth(1);
  assert.equal(req.url, '/work?x=1');
  assert.equal(req.body, '{"hello":"world"}');
  assert.equal(req.headers['x-custom'], 'yes');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers['x-cloudtasks-queuename'], 'hello');
  assert.equal(req.headers['x-cloudtasks-taskname'], 'first');
  assert.equal(req.headers['x-cloudtasks-taskretrycount'], '0');
  assert.equal(req.headers['x-cloudtasks-taskexecutioncount'], '0');
  assert.match(req.headers['x-cloudtasks-tasketa'], /^\d+\.\d{6}$/);
  assert.match(req.headers.authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  await assert.rejects(tasks.createTask({ parent: queue.name, task: { name: task.name, httpRequest: { url: `http://127.0.0.1:${port}/` } } }),
    (e) => e.code === 6);
});

test('queues list, pause and resume', async () => {
  await tasks.createQueue({ parent: LOCATION, queue: { name: `${LOCATION}/queues/paused-one` } });
  await tasks.pauseQueue({ name: `${LOCATION}/queues/paused-one` });
  const [paused] = await tasks.listQueues({ parent: LOCATION, filter: 'state: PAUSED' });
  assert.deepEqual(paused.map((q) => q.name), [`${LOCATION}/queues/paused-one`]);
  const [resumed] = await tasks.resumeQueue({ name: `${LOCATION}/queues/paused-one` });
  assert.equal(resumed.state, 'RUNNING');
});

test('bad input gets clean errors', async () => {
  await assert.rejects(tasks.createQueue({ parent: LOCATION, queue: { name: `${LOCATION}/queues/bad_name` } }), (e) => e.code === 3);
  await assert.rejects(tasks.getQueue({ name: `${LOCATION}/queues/missing` }), (e) => e.code === 5);
  const parent = `${LOCATION}/queues/hello`;
  const url = `http://127.0.0.1:${port}/`;
  const far = { seconds: Math.floor(Date.now() / 1000) + 31 * 86400 };
  await assert.rejects(tasks.createTask({ parent, task: { httpRequest: { url }, scheduleTime: far } }), (e) => e.code === 3);
  await assert.rejects(tasks.createTask({ parent, task: { httpRequest: { url, body: Buffer.alloc(100 * 1024 + 1) } } }), (e) => e.code === 3);
  await assert.rejects(tasks.createTask({ parent, task: { httpRequest: { url: 'not a url' } } }), (e) => e.code === 3);
  await assert.rejects(tasks.createTask({ parent: `${LOCATION}/queues/missing`, task: { httpRequest: { url } } }), (e) => e.code === 5);
});

test('a task answered 500 is retried at the configured backoff on the virtual clock', async () => {
  const vsim = await startGcpsim(['--clock', 'virtual']);
  const vtasks = client(vsim);
  const failing = worker([500, 500, 500, 500]);
  const fport = await failing.listen();
  try {
    const name = `${LOCATION}/queues/retrying`;
    await vtasks.createQueue({
      parent: LOCATION,
      queue: { name, retryConfig: { maxAttempts: 4, minBackoff: { seconds: 1 }, maxBackoff: { seconds: 60 }, maxDoublings: 3 } },
    });
    await vtasks.createTask({ parent: name, task: { httpRequest: { url: `http://127.0.0.1:${fport}/fail` } } });
    await vsim.control('POST', 'clock', { advance: '0s' });
    await dispatches(vsim, 1);
    for (const [n, step] of [[2, 1], [3, 2], [4, 4]]) {
      await vsim.control('POST', 'clock', { advance: `${step - 0.5}s` });
      assert.equal((await vsim.control('GET', 'events?kind=tasks.dispatch')).body.events.length, n - 1);
      await vsim.control('POST', 'clock', { advance: '0.5s' });
      await dispatches(vsim, n);
    }
    const events = await dispatches(vsim, 4);
    const times = events.map((e) => Date.parse(e.attrs.dispatch_time));
    assert.deepEqual(times.map((t) => (t - times[0]) / 1000), [0, 1, 3, 7]);
    assert.deepEqual(events.map((e) => e.attrs.status), [500, 500, 500, 500]);
    assert.equal(events[3].attrs.outcome, 'gave_up');
    assert.equal(failing.requests[3].headers['x-cloudtasks-taskretrycount'], '3');
    assert.equal(failing.requests[3].headers['x-cloudtasks-taskpreviousresponse'], '500');
  } finally {
    await vtasks.close();
    await failing.close();
    await vsim.stop();
  }
});
