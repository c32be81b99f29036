// A Cloud Run service that uses all three backing servers the way a real one would, with no
// npm packages: Redis over RESP on one persistent connection (REDIS_HOST/REDIS_PORT), Postgres
// through psql with DATABASE_URL or the Cloud SQL unix socket (INSTANCE_UNIX_SOCKET), and
// Firestore over the emulator's REST API (FIRESTORE_EMULATOR_HOST).
'use strict';
const http = require('node:http');
const net = require('node:net');
const { execFile } = require('node:child_process');

const port = Number(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));

// ---- a minimal Redis client: one connection, replies in order, reconnect after errors ----
let conn = null;
let pending = [];
let buffer = Buffer.alloc(0);

function parse(buf, at) {  // → [value, next] or null when incomplete
  const nl = buf.indexOf('\r\n', at);
  if (nl < 0) return null;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, nl);
  if (type === '+') return [line, nl + 2];
  if (type === '-') return [new Error(line), nl + 2];
  if (type === ':') return [Number(line), nl + 2];
  if (type === '$') {
    const n = Number(line);
    if (n < 0) return [null, nl + 2];
    if (buf.length < nl + 2 + n + 2) return null;
    return [buf.toString('utf8', nl + 2, nl + 2 + n), nl + 2 + n + 2];
  }
  if (type === '*') {
    const n = Number(line);
    const out = [];
    let next = nl + 2;
    for (let i = 0; i < n; i++) {
      const r = parse(buf, next);
      if (!r) return null;
      out.push(r[0]);
      next = r[1];
    }
    return [out, next];
  }
  throw new Error('bad RESP type ' + type);
}

function fail(err) {
  const waiting = pending;
  pending = [];
  conn = null;
  buffer = Buffer.alloc(0);
  for (const p of waiting) p.reject(err);
}

function connection() {
  if (conn) return conn;
  conn = net.connect(Number(process.env.REDIS_PORT), process.env.REDIS_HOST);
  conn.setNoDelay(true);
  conn.on('data', (d) => {
    buffer = Buffer.concat([buffer, d]);
    for (;;) {
      const r = parse(buffer, 0);
      if (!r) break;
      buffer = buffer.subarray(r[1]);
      const p = pending.shift();
      if (p) (r[0] instanceof Error ? p.reject(r[0]) : p.resolve(r[0]));
    }
  });
  const c = conn;
  c.on('error', (e) => { if (conn === c) fail(e); });
  c.on('close', () => { if (conn === c) fail(new Error('connection closed')); });
  return conn;
}

function redis(...args) {
  return new Promise((resolve, reject) => {
    const c = connection();
    let cmd = `*${args.length}\r\n`;
    for (const a of args.map(String)) cmd += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
    pending.push({ resolve, reject });
    c.write(cmd);
  });
}

// ---- Postgres through psql (libpq) ----
function sql(query, viaSocket) {
  const target = viaSocket
    ? `host=${process.env.INSTANCE_UNIX_SOCKET} dbname=app user=app`
    : process.env.DATABASE_URL;
  const env = { ...process.env };
  if (viaSocket) env.PGPASSWORD = decodeURIComponent(new URL(process.env.DATABASE_URL).password);
  return new Promise((resolve, reject) => {
    execFile('psql', [target, '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-c', query], { env }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr || err.message)) : resolve(stdout.trim()));
  });
}

// ---- Firestore REST ----
const docs = () =>
  `http://${process.env.FIRESTORE_EMULATOR_HOST}/v1/projects/${process.env.GOOGLE_CLOUD_PROJECT}/databases/(default)/documents`;

async function firestore(method, path, fields) {
  const res = await fetch(`${docs()}/${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
    body: fields ? JSON.stringify({ fields }) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const routes = {
  // Counts a user's visits in Redis (with a session key that expires) and logs each in SQL.
  'POST /visit': async (q) => {
    const user = q.get('user');
    const count = await redis('INCR', `visits:${user}`);
    await redis('SET', `session:${user}`, 'active', 'EX', 60);
    await sql(`INSERT INTO visits (user_name, n) VALUES ('${user.replace(/'/g, "''")}', ${count})`);
    return [200, { user, count }];
  },
  'GET /ping': async () => {
    const started = process.hrtime.bigint();
    const reply = await redis('PING');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // The proxy guarantees at least the injected latency; `slow` reports whether it was seen.
    return [200, { reply, slow: ms >= Number(process.env.SLOW_MS || 150) }];
  },
  'GET /sql-socket': async () => [200, { now: await sql('SELECT count(*) FROM visits', true) }],
  'POST /all': async (q) => {
    const key = q.get('key');
    await redis('SET', `all:${key}`, 'redis-ok');
    await sql(`INSERT INTO visits (user_name, n) VALUES ('all-${key}', 1)`);
    const put = await firestore('PATCH', `things/${key}`, { source: { stringValue: 'run' }, n: { integerValue: '7' } });
    const got = await firestore('GET', `things/${key}`);
    return [200, {
      redis: await redis('GET', `all:${key}`),
      sql: await sql(`SELECT n FROM visits WHERE user_name = 'all-${key}'`),
      firestorePut: put.status,
      firestore: got.body.fields,
    }];
  },
};

http.createServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    const url = new URL(req.url, 'http://x');
    const route = routes[`${req.method} ${url.pathname}`];
    if (!route) return send(res, 404, { error: 'no route' });
    try {
      const [status, body] = await route(url.searchParams);
      send(res, status, body);
    } catch (e) {
      console.log(JSON.stringify({ severity: 'ERROR', message: `backing call failed: ${e.message}` }));
      send(res, 503, { error: e.message });
    }
  });
}).listen(port, '127.0.0.1');
