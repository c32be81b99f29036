// Cloud Tasks through the official @google-cloud/tasks client: queues and tasks reaching a local
// HTTP server with the X-CloudTasks-* headers, retries on the virtual clock, and bad input.
'use strict';
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { CloudTasksClient } = require('@google-cloud/tasks');
const { grpc } = require('google-gax');
const { startGcpsim } = require('./lib/gcpsim');

const LOCATION = 'projects/demo-project/locations/us-central1';

// A local worker: answers each request with the next scripted status and lets tests await
// the n-th request. With `hold`, answers wait until release() is called.
function worker(statuses = [], { hold = false } = {}) {
  const requests = [];
  const waiters = [];
  const held = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const answer = () => {
        res.statusCode = statuses.length ? statuses.shift() : 200;
        res.end('ok');
      };
      if (hold) held.push(answer);
      else answer();
      for (const w of waiters.splice(0)) w();
    });
  });
  return {
    requests,
    release: () => { for (const a of held.splice(0)) a(); },
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
  await assert.rejects(tasks.createTask({ parent, task: { name: `${parent}/tasks/bad name!`, httpRequest: { url } } }),
    (e) => e.code === 3 && /TASK_ID/.test(e.details));
  await assert.rejects(tasks.createTask({ parent, task: { name: `${LOCATION}/queues/other/tasks/t1`, httpRequest: { url } } }),
    (e) => e.code === 3);
  await assert.rejects(tasks.createTask({ parent, task: { httpRequest: { url: 'ftp://example.com/x' } } }), (e) => e.code === 3);
  await assert.rejects(tasks.createTask({ parent, task: {} }), (e) => e.code === 3);
  await assert.rejects(tasks.createTask({ parent, task: { httpRequest: { url }, dispatchDeadline: { seconds: 5 } } }),
    (e) => e.code === 3);
  // A Cloud Run host that names no declared service is refused up front.
  await assert.rejects(tasks.createTask({ parent, task: { httpRequest: { url: 'http://nope.run.localhost/x' } } }),
    (e) => e.code === 3 && /nope/.test(e.details));
  await assert.rejects(tasks.createQueue({ parent: 'projects/demo-project/locations', queue: { name: 'x' } }), (e) => e.code === 3);
});

test('a schedule time in the past dispatches at once; one past 30 days is refused with its time', async () => {
  const parent = `${LOCATION}/queues/hello`;
  const before = w.requests.length;
  const past = { seconds: Math.floor(Date.now() / 1000) - 3600 };
  const [task] = await tasks.createTask({ parent, task: { httpRequest: { url: `http://127.0.0.1:${port}/past` }, scheduleTime: past } });
  assert.ok(Number(task.scheduleTime.seconds) >= past.seconds);
  const req = await w.nth(before + 1);
  assert.equal(req.url, '/past');
  const far = { seconds: Math.floor(Date.now() / 1000) + 31 * 86400 };
  await assert.rejects(tasks.createTask({ parent, task: { httpRequest: { url: `http://127.0.0.1:${port}/` }, scheduleTime: far } }),
    (e) => e.code === 3 && /too far in the future.*720h/.test(e.details));
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

// A stack with paced queues and a private, internal-only Cloud Run service, on the virtual clock.
describe('rate limits and Cloud Run targets on the virtual clock', () => {
  const NODE_DIR = path.join(__dirname, 'fixtures/run/node');
  let vsim, vtasks, local, lport;
  const dispatched = async () => (await vsim.control('GET', 'events?kind=tasks.dispatch')).body.events;
  async function until(fn, what) {
    for (let waited = 0; ; waited += 20) {
      const v = await fn();
      if (v) return v;
      if (waited > 30000) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-tasks-'));
    const file = path.join(dir, 'gcpsim.yaml');
    fs.writeFileSync(file, [
      'run:',
      `  hello: ${JSON.stringify({ command: ['node', 'server.js'], cwd: NODE_DIR, allow_unauthenticated: false, ingress: 'internal' })}`,
      'tasks:',
      '  queues:',
      '    paced: {max_dispatches_per_second: 2, max_burst_size: 2}',
      '    serial: {max_concurrent_dispatches: 1}',
      '    to-run: {retry: {max_attempts: 2, min_backoff: 5s}}',
    ].join('\n') + '\n');
    vsim = await startGcpsim(['--clock', 'virtual', '--stack', file]);
    vtasks = client(vsim);
    local = worker([], { hold: true });
    lport = await local.listen();
  });
  after(async () => {
    local.release();
    await vtasks.close();
    await local.close();
    await vsim.stop();
  });

  test('max_dispatches_per_second with max_burst_size: a burst of 2, then one every 0.5 s', async () => {
    const [queue] = await vtasks.getQueue({ name: `${LOCATION}/queues/paced` });
    assert.equal(queue.rateLimits.maxDispatchesPerSecond, 2);
    assert.equal(queue.rateLimits.maxBurstSize, 2);
    const fast = worker();
    const fport = await fast.listen();
    try {
      for (let i = 0; i < 6; i++) {
        await vtasks.createTask({ parent: queue.name, task: { httpRequest: { url: `http://127.0.0.1:${fport}/t${i}` } } });
      }
      await until(async () => (await dispatched()).length === 2, 'the burst');
      for (let n = 3; n <= 6; n++) {
        await vsim.control('POST', 'clock', { advance: '0.4s' });
        assert.equal((await dispatched()).length, n - 1, `dispatch ${n} came early`);
        await vsim.control('POST', 'clock', { advance: '0.1s' });
        await until(async () => (await dispatched()).length === n, `dispatch ${n}`);
      }
      const times = (await dispatched()).map((e) => Date.parse(e.attrs.dispatch_time));
      assert.deepEqual(times.map((t) => (t - times[0]) / 1000), [0, 0, 0.5, 1, 1.5, 2]);
    } finally {
      await fast.close();
    }
  });

  test('max_concurrent_dispatches: the next task waits for the one in flight', async () => {
    const parent = `${LOCATION}/queues/serial`;
    for (let i = 0; i < 3; i++) {
      await vtasks.createTask({ parent, task: { httpRequest: { url: `http://127.0.0.1:${lport}/s${i}` } } });
    }
    await local.nth(1);
    await vsim.control('POST', 'clock', { advance: '5s' });
    const [listed] = await vtasks.listTasks({ parent });
    assert.deepEqual(listed.map((t) => t.dispatchCount).sort(), [0, 0, 1]);
    assert.equal(local.requests.length, 1);
    local.release();
    await local.nth(2);
    local.release();
    await local.nth(3);
    local.release();
    await until(async () => (await dispatched()).filter((e) => e.attrs.queue.endsWith('/serial')).length === 3, 'three dispatches');
  });

  test('a Run service URL goes through the router: ingress admits tasks, Run auth checks the OIDC token', async () => {
    const parent = `${LOCATION}/queues/to-run`;
    const [ok] = await vtasks.createTask({
      parent,
      task: { httpRequest: { url: 'http://hello.run.localhost/headers', oidcToken: { serviceAccountEmail: 'tasks@demo-project.iam.gserviceaccount.com' } } },
    });
    const [done] = await until(async () => { const d = (await dispatched()).filter((e) => e.attrs.task === ok.name); return d.length && d; }, 'the dispatch');
    assert.equal(done.attrs.status, 200);
    assert.equal(done.attrs.outcome, 'succeeded');
    const routed = (await vsim.control('GET', 'events?kind=run.request&service=hello')).body.events;
    assert.equal(routed.length, 1);
    assert.equal(routed[0].attrs.status, 200);

    // Without a token the private service refuses (403) and the task is retried, then given up.
    const [bare] = await vtasks.createTask({ parent, task: { httpRequest: { url: 'http://hello.run.localhost/' } } });
    await until(async () => (await dispatched()).some((e) => e.attrs.task === bare.name), 'the first attempt');
    await vsim.control('POST', 'clock', { advance: '5s' });
    const attempts = await until(async () => { const d = (await dispatched()).filter((e) => e.attrs.task === bare.name); return d.length === 2 && d; }, 'the retry');
    assert.deepEqual(attempts.map((e) => [e.attrs.status, e.attrs.outcome]), [[403, 'retry'], [403, 'gave_up']]);
  });
});
