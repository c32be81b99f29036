// Backing servers under `gcpsim up`: a real Cloud Run service (tests/scenarios/stacks/backing/
// app.js) reads and writes Redis, Postgres and Firestore through gcpsim's fault proxies; a
// crashed server is restarted; `gcpsim env` prints the endpoints; after SIGTERM or SIGKILL of
// gcpsim no redis-server, postgres or java process is left. Firestore parts skip when the
// Google Cloud CLI (gcloud) is not installed.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startGcpsim, BIN } = require('./lib/gcpsim');

const APP = path.resolve(__dirname, '../scenarios/stacks/backing');
const hasGcloud = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v gcloud'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function writeStack({ firestore, seed }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-backing-test-'));
  const file = path.join(dir, 'gcpsim.yaml');
  fs.writeFileSync(file, [
    'project: backing-test',
    'run:',
    '  app:',
    '    command: [node, app.js]',
    `    cwd: ${APP}`,
    '    max_instances: 1',
    'secrets:',
    '  db-password: {value: "s3cret:/@"}',
    'backing:',
    seed ? '  redis: {seed: {greeting: hello, "profile:bob": {name: Bob}}}' : '  redis: {}',
    `  postgres: {database: app, user: app, password_secret: db-password, init: [${APP}/sql/schema.sql]}`,
    ...(firestore ? [seed ? '  firestore: {seed: {users/alice: {name: Alice, age: 30}}}' : '  firestore: {}'] : []),
    '',
  ].join('\n'));
  return { dir, file };
}

async function appUrl(g) {
  const { body } = await g.control('GET', 'run');
  return body.services.find((s) => s.name === 'app').url;
}

// Polls a condition (no fixed sleeps): resolves once `fn` returns a truthy value.
async function until(fn, what, limitMs = 60000) {
  const deadline = Date.now() + limitMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, wait));
  }
}

// Every process below `pid` (children of children), with its command name.
function descendants(pid) {
  const out = [];
  const walk = (p) => {
    let kids = [];
    try {
      for (const t of fs.readdirSync(`/proc/${p}/task`)) {
        kids.push(...fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
      }
    } catch { return; }
    for (const k of kids) {
      let comm = '';
      try { comm = fs.readFileSync(`/proc/${k}/comm`, 'utf8').trim(); } catch { continue; }
      out.push({ pid: k, comm });
      walk(k);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);  // a zombie is gone for our purposes
  } catch {
    return false;
  }
};

test('a Run service reads and writes Redis and Postgres; the harness-visible state matches', async () => {
  const { file } = writeStack({ firestore: false });
  const g = await startGcpsim(['--stack', file]);
  try {
    const { body: backing } = await g.control('GET', 'backing');
    assert.equal(backing.servers.redis.state, 'READY');
    assert.equal(backing.servers.postgres.state, 'READY');
    assert.match(backing.env.DATABASE_URL, /^postgresql:\/\/app:s3cret%3A%2F%40@127\.0\.0\.1:\d+\/app$/);
    assert.equal(backing.env.INSTANCE_CONNECTION_NAME, 'backing-test:us-central1:postgres');
    assert.ok(fs.existsSync(`${backing.env.INSTANCE_UNIX_SOCKET}/.s.PGSQL.5432`));
    const url = await appUrl(g);
    for (const n of [1, 2]) {
      const res = await fetch(`${url}/visit?user=carol`, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { user: 'carol', count: n });
    }
    const sock = await (await fetch(`${url}/sql-socket`)).json();
    assert.equal(sock.now, '2');
    // What the service wrote, read back by a client of our own through the proxies.
    const direct = execFileSync('psql', [backing.env.DATABASE_URL, '-At', '-c', 'SELECT string_agg(n::text, \',\' ORDER BY id) FROM visits']);
    assert.equal(direct.toString().trim(), '1,2');
    const key = execFileSync('redis-cli', ['-p', backing.env.REDIS_PORT, 'GET', 'visits:carol']);
    assert.equal(key.toString().trim(), '2');

    // `gcpsim env` asks the running instance for the endpoints.
    const env = execFileSync(BIN, ['env', '--port', String(g.port), '--stack', file]).toString();
    assert.match(env, new RegExp(`^export REDIS_PORT=${backing.env.REDIS_PORT}$`, 'm'));
    assert.match(env, /^export DATABASE_URL=/m);
    assert.match(env, /^export INSTANCE_UNIX_SOCKET=/m);
  } finally {
    await g.stop();
  }
});

test('a crashed redis-server is restarted and logged; the service recovers', async () => {
  const { file } = writeStack({ firestore: false });
  const g = await startGcpsim(['--stack', file]);
  try {
    const url = await appUrl(g);
    assert.equal((await fetch(`${url}/ping`)).status, 200);
    assert.equal((await g.control('POST', 'backing/redis:kill', {})).status, 200);
    await until(async () => {
      const { body } = await g.control('GET', 'events?kind=backing.ready&service=redis');
      return body.events.length >= 2;
    }, 'redis to come back');
    const { body } = await g.control('GET', 'events?kind=backing.*&service=redis');
    const kinds = body.events.map((e) => e.kind);
    assert.deepEqual(kinds, ['backing.start', 'backing.ready', 'backing.exit', 'backing.start', 'backing.ready']);
    assert.equal(body.events[2].attrs.signal, 9);
    // The service's old connection died with the server; its next call reconnects.
    let res = await fetch(`${url}/ping`);
    if (res.status !== 200) res = await fetch(`${url}/ping`);
    assert.equal(res.status, 200);
  } finally {
    await g.stop();
  }
});

test('a Run service reads and writes all three: Redis, Postgres and Firestore', { skip: !hasGcloud && 'gcloud is not installed' }, async () => {
  const { file } = writeStack({ firestore: true });
  const g = await startGcpsim(['--stack', file]);
  try {
    const { body: backing } = await g.control('GET', 'backing');
    assert.equal(backing.servers.firestore.state, 'READY');
    assert.match(backing.env.FIRESTORE_EMULATOR_HOST, /^127\.0\.0\.1:\d+$/);
    const res = await fetch(`${await appUrl(g)}/all?key=k1`, { method: 'POST' });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(body, {
      redis: 'redis-ok', sql: '1', firestorePut: 200,
      firestore: { source: { stringValue: 'run' }, n: { integerValue: '7' } },
    });
  } finally {
    await g.stop();
  }
});

test('a reset returns Redis, Postgres and Firestore to the seed data and init SQL, servers kept running', async () => {
  const { file } = writeStack({ firestore: hasGcloud, seed: true });
  const g = await startGcpsim(['--stack', file]);
  try {
    const { body: before } = await g.control('GET', 'backing');
    const redis = (...args) => execFileSync('redis-cli', ['-p', before.env.REDIS_PORT, ...args]).toString().trim();
    const psql = (q) => execFileSync('psql', [before.env.DATABASE_URL, '-At', '-c', q]).toString().trim();
    const docs = `http://${before.env.FIRESTORE_EMULATOR_HOST}/v1/projects/backing-test/databases/(default)/documents`;
    const firestore = (method, doc, fields) => fetch(`${docs}/${doc}`, {
      method, headers: { 'content-type': 'application/json' }, body: fields && JSON.stringify({ fields }),
    });
    assert.equal(redis('GET', 'greeting'), 'hello');
    assert.equal(redis('HGET', 'profile:bob', 'name'), 'Bob');
    redis('SET', 'greeting', 'changed');
    redis('SET', 'extra', '1');
    psql("INSERT INTO visits (user_name, n) VALUES ('x', 1)");
    assert.equal(psql('SELECT count(*) FROM visits'), '1');
    if (hasGcloud) {
      const seeded = await (await firestore('GET', 'users/alice')).json();
      assert.deepEqual(seeded.fields, { name: { stringValue: 'Alice' }, age: { integerValue: '30' } });
      assert.equal((await firestore('PATCH', 'users/carol', { name: { stringValue: 'Carol' } })).status, 200);
    }
    // Each server's main process: the first of its name below gcpsim (postgres's sessions are its children).
    const pids = descendants(g.proc.pid).filter((p, i, all) =>
      ['redis-server', 'postgres', 'java'].includes(p.comm) && all.findIndex((q) => q.comm === p.comm) === i);

    const reset = await g.control('POST', 'reset', {});
    assert.equal(reset.status, 200);
    // The reset answered once every server was back to the stack's initial state.
    assert.equal(redis('GET', 'greeting'), 'hello');
    assert.equal(redis('EXISTS', 'extra'), '0');
    assert.equal(psql('SELECT count(*) FROM visits'), '0');
    if (hasGcloud) {
      assert.equal((await firestore('GET', 'users/carol')).status, 404);
      assert.equal((await (await firestore('GET', 'users/alice')).json()).fields.name.stringValue, 'Alice');
    }
    // In place: the same processes on the same ports.
    const { body: after } = await g.control('GET', 'backing');
    assert.deepEqual(after.env, before.env);
    assert.ok(pids.length >= 2);
    for (const p of pids) assert.ok(alive(p.pid), `${p.comm} ${p.pid} was restarted`);
    const { body: ready } = await g.control('GET', 'events?kind=backing.*');
    assert.deepEqual(ready.events.map((e) => `${e.kind} ${e.service}`),
      [...(hasGcloud ? ['backing.ready firestore'] : []), 'backing.ready postgres', 'backing.ready redis']);
  } finally {
    await g.stop();
  }
});

for (const signal of ['SIGTERM', 'SIGKILL']) {
  test(`no backing server process is left after ${signal} of gcpsim`, async () => {
    const { file } = writeStack({ firestore: hasGcloud });
    const g = await startGcpsim(['--stack', file]);
    const procs = descendants(g.proc.pid);
    const names = new Set(procs.map((p) => p.comm));
    assert.ok(names.has('redis-server'), [...names].join(' '));
    assert.ok(names.has('postgres'), [...names].join(' '));
    if (hasGcloud) assert.ok(names.has('java'), [...names].join(' '));
    await g.stop(signal);
    const left = await until(() => procs.every((p) => !alive(p.pid)), 'every backing process to exit', 30000)
      .then(() => [], () => procs.filter((p) => alive(p.pid)));
    assert.deepEqual(left, []);
  });
}
