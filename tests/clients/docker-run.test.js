// Cloud Run services from containers, as Cloud Run runs them: `build: DIR` builds the
// service's Dockerfile (tests/docker/runapp) before its first instance; each instance has /tmp
// in memory, the service's memory and CPU limits in its cgroup, SIGTERM on a stop (and SIGKILL
// after the grace period when it ignores it); and the containers of a gcpsim killed together
// with its keepers are removed when the next gcpsim starts, never those of one still running.
// Skips, saying why, where no Docker engine can run (docker/base.sh starts one).
'use strict';
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startGcpsim } = require('./lib/gcpsim');

const { ROOT, whyNot, docker, removed, dockerNow } = require('./lib/docker');

const APP = path.join(ROOT, 'tests/docker/runapp');

const skip = whyNot();
const dirs = [];
const sims = [];

function stackFile(lines) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-docker-run-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'gcpsim.yaml'), ['project: docker-run', ...lines].join('\n'));
  return path.join(dir, 'gcpsim.yaml');
}

async function start(file) {
  const sim = await startGcpsim(['--stack', file]);
  sims.push(sim);
  return sim;
}

// The containers gcpsim `sim` owns (its pid is in the owner label), as "NAME IMAGE".
function containersOf(pid) {
  const rows = docker('ps', '--all', '--filter', 'label=gcpsim.owner', '--format', '{{.Names}} {{.Image}} {{.Label "gcpsim.owner"}}');
  return rows.split('\n').filter((r) => r.split(' ')[2]?.split('/')[2] === String(pid)).map((r) => r.split(' ').slice(0, 2).join(' '));
}

const events = async (sim, q) => (await sim.control('GET', `events?${q}`)).body.events;
// The exit of instance 1 of service app.
const firstExit = (e) => e.kind === 'process.exit' && e.service === 'app' && (e.attrs?.instance ?? e.instance) === 1;

after(async () => {
  for (const sim of sims) await sim.stop('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

test('build: DIR builds the Dockerfile, and the instance gets tmpfs /tmp, the memory and CPU limits, SIGTERM on a stop', { skip, timeout: 280000 }, async () => {
  const file = stackFile(['run:', `  app: {build: ${JSON.stringify(APP)}, memory: 256Mi, cpu: "0.5", min_instances: 1}`]);
  const sim = await start(file);
  const url = (await sim.control('GET', 'run')).body.services.find((s) => s.name === 'app').url;
  const seen = await (await fetch(`${url}/`)).json();
  assert.equal(seen.service, 'app');
  assert.equal(seen.tmp, 'tmpfs');
  assert.equal(seen.memory, 256 * 1024 * 1024);
  assert.equal(seen.cpu, 0.5);
  assert.equal(seen.uid, 10001);
  const [row] = containersOf(sim.proc.pid);
  assert.match(row, /^gcpsim-\d+-app-1-\d+ gcpsim-build\/app:[0-9a-f]{12}$/);
  assert.match(sim.stderr(), /run\.app: docker build --network host --force-rm -t gcpsim-build\/app:[0-9a-f]{12} /);

  // A restart replaces the instance: the old one gets SIGTERM through the CLI and --init.
  const since = dockerNow();
  assert.equal((await sim.control('POST', 'run/app:restart')).status, 200);
  const exit = await sim.event(firstExit);
  const logs = (await events(sim, 'kind=log&service=app')).map((e) => JSON.stringify(e));
  assert.ok(logs.some((l) => l.includes('SIGTERM received: exiting')), logs.join('\n'));
  assert.equal(exit.attrs?.exitCode ?? exit.exitCode, 0, JSON.stringify(exit));
  await removed(row.split(' ')[0], since);
});

test('an instance that ignores SIGTERM is killed after the grace period, and its container removed', { skip, timeout: 120000 }, async () => {
  const file = stackFile(['run:', `  app: {build: ${JSON.stringify(APP)}, env: {IGNORE_SIGTERM: "1"}, min_instances: 1}`]);
  const sim = await start(file);
  const url = (await sim.control('GET', 'run')).body.services.find((s) => s.name === 'app').url;
  assert.equal((await fetch(`${url}/`)).status, 200);
  const [name] = containersOf(sim.proc.pid).map((r) => r.split(' ')[0]);
  const since = dockerNow();
  assert.equal((await sim.control('POST', 'run/app:restart')).status, 200);
  const exit = await sim.event(firstExit);
  const logs = (await events(sim, 'kind=log&service=app')).map((e) => JSON.stringify(e));
  assert.ok(logs.some((l) => l.includes('SIGTERM ignored')), logs.join('\n'));
  assert.notEqual(exit.attrs?.exitCode ?? exit.exitCode, 0, JSON.stringify(exit));
  await removed(name, since);
});

test('a build that fails stops gcpsim with the stack file line and Docker\'s reason', { skip, timeout: 60000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-bad-build-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM debian:bookworm-slim\nRUN echo broken-step && exit 3\n');
  const file = stackFile(['run:', '  bad:', `    build: ${JSON.stringify(dir)}`]);
  await assert.rejects(startGcpsim(['--stack', file]), (err) => {
    assert.match(err.message, /gcpsim\.yaml:4: run\.bad\.build: docker build of .* failed \(exit \d+\):/);
    assert.match(err.message, /exit 3|returned a non-zero code: 3/);
    return true;
  });
  // Nothing left of the failed step (the legacy builder keeps it without --force-rm).
  assert.equal(docker('ps', '--all', '--no-trunc', '--filter', 'status=exited', '--format', '{{.Command}}').split('\n')
    .filter((c) => c.includes('broken-step')).length, 0);
});

test('containers of a gcpsim killed with its keepers go when the next gcpsim starts; a running gcpsim\'s stay', { skip, timeout: 120000 }, async () => {
  const file = stackFile(['run:', `  app: {build: ${JSON.stringify(APP)}, min_instances: 1}`]);
  const killed = await start(file);
  const url = (await killed.control('GET', 'run')).body.services.find((s) => s.name === 'app').url;
  assert.equal((await fetch(`${url}/`)).status, 200);
  const [left] = containersOf(killed.proc.pid).map((r) => r.split(' ')[0]);
  assert.ok(left);
  const alive = await start(file);  // a second gcpsim beside it, running
  const aliveUrl = (await alive.control('GET', 'run')).body.services.find((s) => s.name === 'app').url;
  assert.equal((await fetch(`${aliveUrl}/`)).status, 200);
  const [kept] = containersOf(alive.proc.pid).map((r) => r.split(' ')[0]);

  // kill -9 of gcpsim and its keepers at once (a killed process group, the OOM killer): no
  // keeper is left to remove the container, so it outlives them.
  const pid = killed.proc.pid;
  const keepers = fs.readdirSync(`/proc/${pid}/task`)
    .flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean)).map(Number);
  process.kill(pid, 'SIGSTOP');
  for (const k of keepers) process.kill(k, 'SIGKILL');
  process.kill(pid, 'SIGKILL');
  await killed.exited;
  assert.equal(docker('inspect', '--format', '{{.State.Running}}', left), 'true');

  const next = await start(file);
  assert.match(next.stderr(), new RegExp(`removed 1 container\\(s\\) left by a gcpsim that is gone: ${left}`));
  assert.ok(!docker('ps', '--all', '--format', '{{.Names}}').split('\n').includes(left), 'the leftover is removed');
  assert.equal(docker('inspect', '--format', '{{.State.Running}}', kept), 'true', 'the running gcpsim keeps its container');
});
