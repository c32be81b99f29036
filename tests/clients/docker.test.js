// gcpsim as a container (docker/Dockerfile): the image built around the gcpsim this build
// made, run with a data volume until its HEALTHCHECK passes, used by the official Pub/Sub and
// Storage clients, restarted with its data kept, stopped cleanly by SIGTERM, as a non-root
// user; then the official-client Pub/Sub suite runs unchanged against the image. Skips,
// saying why, where no Docker engine can run (docker/base.sh starts one and makes the bases).
'use strict';
const { freePort, startGcpsim } = require('./lib/gcpsim');
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PubSub } = require('@google-cloud/pubsub');
const { Storage } = require('@google-cloud/storage');

const { ROOT, DOCKER, whyNot, docker, buildImage } = require('./lib/docker');

const IMAGE = 'gcpsim:test';
const LABEL = 'gcpsim-test=1';

const skip = whyNot();

// Docker runs the health check on its own (wall) clock: ask until it has judged.
async function health(name) {
  for (let i = 0; i < 600; ++i) {
    const s = docker('inspect', '--format', '{{.State.Health.Status}}', name);
    if (s !== 'starting') return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'starting';
}

function removeLabelled() {
  const ids = docker('ps', '-aq', '--filter', `label=${LABEL}`);
  if (ids) docker('rm', '-f', ...ids.split('\n'));
}

let port;
const name = `gcpsim-test-${process.pid}`;
const volume = `gcpsim-test-data-${process.pid}`;

before(async () => {
  if (skip) return;
  removeLabelled();
  buildImage(IMAGE);
  port = await freePort();
});

after(() => {
  if (skip) return;
  removeLabelled();
  spawnSync(DOCKER, ['volume', 'rm', '-f', volume]);
});

function run() {
  docker('run', '-d', '--name', name, '--label', LABEL, '--network', 'host', '-e', `GCPSIM_PORT=${port}`,
    '-e', 'GCPSIM_PROJECT=docker-project', '-v', `${volume}:/data`, IMAGE);
}

test('the image is small, runs as a non-root user and reports healthy', { skip }, async () => {
  const bytes = Number(docker('image', 'inspect', '--format', '{{.Size}}', IMAGE));
  console.log(`image ${IMAGE}: ${(bytes / 1e6).toFixed(1)} MB`);
  assert.ok(bytes < 250e6, `image is ${bytes} bytes`);
  run();
  assert.equal(await health(name), 'healthy', docker('logs', name));
  assert.equal(docker('exec', name, 'id', '-u'), '10001');
  const env = docker('exec', name, 'gcpsim', 'env', '--host', 'gcpsim', '--format', 'dotenv');
  assert.match(env, new RegExp(`^PUBSUB_EMULATOR_HOST=gcpsim:${port}$`, 'm'));
});

test('official clients use the container, and its data survives a restart in the volume', { skip }, async () => {
  const pubsub = new PubSub({ projectId: 'docker-project', apiEndpoint: `127.0.0.1:${port}`, emulatorMode: true });
  const gcs = new Storage({ apiEndpoint: `http://127.0.0.1:${port}`, projectId: 'docker-project' });
  try {
    const [topic] = await pubsub.createTopic('kept');
    const [sub] = await topic.createSubscription('kept-sub');
    await topic.publishMessage({ data: Buffer.from('before restart') });
    await gcs.createBucket('kept-bucket');
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await gcs.bucket('kept-bucket').file('big.bin').save(big, { resumable: true });
    await gcs.bucket('kept-bucket').file('small.txt').save('small', { resumable: false });

    docker('restart', '-t', '10', name);
    assert.equal(await health(name), 'healthy');
    assert.match(docker('logs', name), /gcpsim stopped \(Terminated\)/);  // SIGTERM, a clean stop

    const [meta] = await gcs.bucket('kept-bucket').file('big.bin').getMetadata();
    assert.equal(Number(meta.size), big.length);
    assert.equal((await gcs.bucket('kept-bucket').file('small.txt').download())[0].toString(), 'small');
    const [exists] = await sub.exists();
    assert.ok(exists, 'the subscription is kept');
  } finally {
    await pubsub.close();
  }
  docker('stop', '-t', '10', name);
  assert.equal(docker('inspect', '--format', '{{.State.ExitCode}}', name), '0');
});

test('the official-client Pub/Sub suite passes against the image', { skip, timeout: 240000 }, () => {
  const env = { ...process.env, GCPSIM_BIN: path.join(ROOT, 'tests/docker/gcpsim-in-docker.sh'), GCPSIM_IMAGE: IMAGE };
  delete env.NODE_TEST_CONTEXT;  // a suite of its own, not a child reporting to this runner
  const res = spawnSync(process.execPath, ['--test', '--test-reporter=dot', path.join(__dirname, 'pubsub.test.js')], {
    env,
    encoding: 'utf8',
    timeout: 230000,
  });
  assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`.slice(-4000));
});

// docker/compose.yaml's topology with compose.host.yaml's host network (no bridges here):
// taskapp's API in its own image publishes to the gcpsim container it is pointed at.
test('a team\'s own container (taskapp\'s API) reaches the gcpsim container as compose wires them', { skip, timeout: 240000 }, async () => {
  docker('build', '--network', 'host', '-t', 'taskapp-api:test', '-f', path.join(ROOT, 'docker/taskapp-api.Dockerfile'),
    path.join(ROOT, 'fixtures/taskapp/services/api'));
  const [simPort, apiPort] = [await freePort(), await freePort()];
  docker('run', '-d', '--name', `${name}-sim`, '--label', LABEL, '--network', 'host', '-e', `GCPSIM_PORT=${simPort}`,
    '-e', 'GCPSIM_STACK=/stack/taskapp.yaml', '-v', `${path.join(ROOT, 'docker/taskapp.yaml')}:/stack/taskapp.yaml:ro`, IMAGE);
  assert.equal(await health(`${name}-sim`), 'healthy');
  docker('run', '-d', '--name', `${name}-api`, '--label', LABEL, '--network', 'host', '-e', `PORT=${apiPort}`,
    '-e', `PUBSUB_EMULATOR_HOST=127.0.0.1:${simPort}`, '-e', `GCE_METADATA_HOST=127.0.0.1:${simPort}`,
    '-e', 'GOOGLE_CLOUD_PROJECT=taskapp-demo', 'taskapp-api:test');
  let created;
  for (let i = 0; i < 300 && !created; ++i) {
    created = await fetch(`http://127.0.0.1:${apiPort}/tasks`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'From a container' }),
    }).catch(() => null);
    if (!created) await new Promise((r) => setTimeout(r, 100));  // uvicorn still starting
  }
  assert.equal(created?.status, 201);
  const task = await created.json();
  const pulled = await (await fetch(`http://127.0.0.1:${simPort}/v1/projects/taskapp-demo/subscriptions/task-events-audit:pull`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxMessages: 5, returnImmediately: true }),
  })).json();
  const events = (pulled.receivedMessages || []).map((m) => JSON.parse(Buffer.from(m.message.data, 'base64').toString()));
  assert.deepEqual(events.map((e) => [e.type, e.task.id]), [['task.created', task.id]]);
});

// A Cloud Run service from a container image (`run.SERVICE.image`): gcpsim starts each
// instance with Docker on the host network, passes it the instance's variables (here the
// Pub/Sub emulator host and project the API publishes with), and removes the container even
// when gcpsim itself is killed with SIGKILL (the keeper's cleanup).
test('a Run service runs from its container image, and its container goes when gcpsim is killed', { skip, timeout: 240000 }, async () => {
  docker('build', '--network', 'host', '-t', 'taskapp-api:test', '-f', path.join(ROOT, 'docker/taskapp-api.Dockerfile'),
    path.join(ROOT, 'fixtures/taskapp/services/api'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-image-run-'));
  const apiPort = await freePort();
  fs.writeFileSync(path.join(dir, 'gcpsim.yaml'), [
    'project: taskapp-demo',
    'pubsub:',
    '  topics: {task-events: {}}',
    '  subscriptions: {task-events-audit: {topic: task-events}}',
    'run:',
    `  api: {image: "taskapp-api:test", port: ${apiPort}, min_instances: 1}`,
  ].join('\n'));
  const sim = await startGcpsim(['--stack', path.join(dir, 'gcpsim.yaml')]);
  try {
    const created = await fetch(`http://127.0.0.1:${apiPort}/tasks`, {  // the router holds it until the instance is ready
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'From an image' }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const task = await created.json();
    const pulled = await (await fetch(`${sim.url}/v1/projects/taskapp-demo/subscriptions/task-events-audit:pull`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxMessages: 5, returnImmediately: true }),
    })).json();
    const events = (pulled.receivedMessages || []).map((m) => JSON.parse(Buffer.from(m.message.data, 'base64').toString()));
    assert.deepEqual(events.map((e) => [e.type, e.task.id]), [['task.created', task.id]]);
    const containers = docker('ps', '--format', '{{.Names}} {{.Image}}', '--filter', `name=gcpsim-${sim.port}-api-`);
    assert.match(containers, new RegExp(`^gcpsim-${sim.port}-api-1-\\d+ taskapp-api:test$`));
    const { events: log } = (await sim.control('GET', 'events?kind=process.*&service=api')).body;
    assert.deepEqual(log.map((e) => e.kind), ['process.start', 'process.ready']);
  } finally {
    // The keepers outlive gcpsim just long enough to remove their containers.
    const pid = sim.proc.pid;
    const keepers = fs.readdirSync(`/proc/${pid}/task`)
      .flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean));
    assert.ok(keepers.length > 0);
    await sim.stop('SIGKILL');
    for (let i = 0; i < 300 && keepers.some((p) => fs.existsSync(`/proc/${p}`) && !/\) Z /.test(fs.readFileSync(`/proc/${p}/stat`, 'utf8'))); ++i) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(docker('ps', '-a', '--format', '{{.Names}}', '--filter', `name=gcpsim-${sim.port}-api-`), '');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
