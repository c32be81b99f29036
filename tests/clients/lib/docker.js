// What the Docker suites share: the Debian CLI, why a suite must skip here, and the gcpsim
// image built around this build's binary (docker/Dockerfile's runtime stage, unchanged).
'use strict';
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { BIN } = require('./gcpsim');

const ROOT = path.resolve(__dirname, '../../..');
const DOCKER = '/usr/bin/docker';

// The reason to skip, or false. `tools` are further [path, what] the suite needs. Starts an
// engine when none runs (docker/base.sh), which also makes the local base images.
function whyNot(tools = []) {
  for (const [file, what] of [[DOCKER, 'Docker (Debian\'s docker.io)'], ...tools]) {
    if (!fs.existsSync(file)) return `${what} is not installed`;
  }
  const base = spawnSync('bash', [path.join(ROOT, 'docker/base.sh')], { encoding: 'utf8' });
  if (base.status !== 0) return `no Docker engine could run here: ${(base.stderr || base.stdout).trim().split('\n').pop()}`;
  return false;
}

// BuildKit builds only the stages the target needs (the prebuilt binary, not the compile).
const docker = (...args) => execFileSync(DOCKER, args,
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_BUILDKIT: '1' } }).trim();

function buildImage(tag) {
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-image-'));
  try {
    execFileSync('strip', ['-o', path.join(ctx, 'gcpsim'), BIN]);
    docker('build', '--network', 'host', '-f', path.join(ROOT, 'docker/Dockerfile'), '--build-arg', 'GCPSIM_BINARY_FROM=prebuilt',
      '-t', tag, ctx);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
}

// Resolves once container `name` is destroyed (removed), from Docker's own event stream:
// `--since` replays a removal that already happened, so there is no race and no polling.
function removed(name, since, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    const ev = spawn(DOCKER, ['events', '--since', String(since), '--filter', `container=${name}`,
      '--filter', 'event=destroy', '--format', '{{.Actor.Attributes.name}}'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => { ev.kill(); reject(new Error(`container ${name} was not removed within ${timeoutMs} ms`)); }, timeoutMs);
    ev.stdout.once('data', () => { clearTimeout(timer); ev.kill(); resolve(); });
    ev.on('exit', (code) => { clearTimeout(timer); reject(new Error(`docker events exited (${code})`)); });
  });
}

// Docker's clock in the form `docker events --since` takes (seconds since the epoch), a
// second early so nothing on the boundary is missed.
const dockerNow = () => Math.floor(Date.now() / 1000) - 1;

module.exports = { ROOT, DOCKER, whyNot, docker, buildImage, removed, dockerNow };
