// docker/compose.host.yaml run for real by Compose, the command README gives: gcpsim's image
// (built around this build's binary) and taskapp's API in its own image, the API waiting for
// gcpsim's health check, then publishing to the gcpsim container as a team's stack would.
// Skips, saying why, without a Docker engine or Debian's docker-compose.
'use strict';
const { freePort } = require('./lib/gcpsim');
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

const { ROOT, whyNot, buildImage } = require('./lib/docker');

const COMPOSE = '/usr/bin/docker-compose';
const IMAGE = 'gcpsim:test';

const skip = whyNot([[COMPOSE, 'Compose (Debian\'s docker-compose)']]);

// One project name (the docker suite runs one test at a time): its built API image stays, the
// next run's build is a cache hit.
const project = 'gcpsim-compose-test';
let env;
const compose = (...args) => execFileSync(COMPOSE, ['-p', project, '-f', path.join(ROOT, 'docker/compose.host.yaml'), ...args],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env, timeout: 240000 });

before(async () => {
  if (skip) return;
  buildImage(IMAGE);
  env = { ...process.env, GCPSIM_IMAGE: IMAGE, GCPSIM_PORT: String(await freePort()), TASK_API_PORT: String(await freePort()) };
  delete env.DOCKER_BUILDKIT;  // Compose v1 builds with the engine's own builder (no buildx here)
});

after(() => {
  if (skip) return;
  spawnSync(COMPOSE, ['-p', project, '-f', path.join(ROOT, 'docker/compose.host.yaml'), 'down', '--volumes'],
    { env, timeout: 60000 });
});

test('docker-compose -f docker/compose.host.yaml up: taskapp\'s API publishes through the gcpsim container', { skip, timeout: 280000 }, async () => {
  spawnSync(COMPOSE, ['-p', project, '-f', path.join(ROOT, 'docker/compose.host.yaml'), 'down', '--volumes'], { env, timeout: 60000 });
  compose('up', '-d');  // returns once gcpsim is healthy and the API has started
  const ps = compose('ps');
  assert.match(ps, new RegExp(`${project}_gcpsim_1 .*Up \\(healthy\\)`), ps);
  const api = `http://127.0.0.1:${env.TASK_API_PORT}`;
  let created;
  for (let i = 0; i < 300 && !created; ++i) {
    created = await fetch(`${api}/tasks`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Through compose' }),
    }).catch(() => null);
    if (!created) await new Promise((r) => setTimeout(r, 100));  // uvicorn still starting
  }
  assert.equal(created?.status, 201);
  const task = await created.json();
  const pulled = await (await fetch(`http://127.0.0.1:${env.GCPSIM_PORT}/v1/projects/taskapp-demo/subscriptions/task-events-audit:pull`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxMessages: 5, returnImmediately: true }),
  })).json();
  const events = (pulled.receivedMessages || []).map((m) => JSON.parse(Buffer.from(m.message.data, 'base64').toString()));
  assert.deepEqual(events.map((e) => [e.type, e.task.id]), [['task.created', task.id]]);
  const logs = compose('logs', '--no-color', 'gcpsim');
  assert.match(logs, /gcpsim ready on 0\.0\.0\.0:\d+ project=taskapp-demo/);
});

// The bridged file cannot run here (no bridges), but Compose must still read it as written.
test('docker/compose.yaml is valid for Compose v1, its services reaching gcpsim by name', { skip, timeout: 30000 }, () => {
  const config = execFileSync(COMPOSE, ['-f', path.join(ROOT, 'docker/compose.yaml'), 'config'], { encoding: 'utf8', env });
  assert.match(config, /PUBSUB_EMULATOR_HOST: gcpsim:8085/);
  assert.match(config, /condition: service_healthy/);
});
