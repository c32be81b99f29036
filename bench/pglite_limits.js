// What a PGlite Cloud SQL instance (pgvector) does for pooled clients, measured with
// node-postgres: concurrent connections, transactions on two connections, the extended
// protocol (parameters, prepared statements), LISTEN/NOTIFY, and query throughput.
// Usage: node bench/pglite_limits.js postgresql://postgres@127.0.0.1:PORT/postgres
// (tests/clients/node_modules provides `pg`). Prints one line per probe; not a test.
'use strict';
const path = require('node:path');
const { Pool, Client } = require(path.join(__dirname, '../tests/clients/node_modules/pg'));

const url = process.argv[2];
if (!url) {
  console.error('usage: node bench/pglite_limits.js DATABASE_URL');
  process.exit(2);
}
const report = (probe, result) => console.log(`${probe.padEnd(34)} ${result}`);

async function connect() {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

async function main() {
  const setup = await connect();
  await setup.query('DROP TABLE IF EXISTS probe; CREATE TABLE probe (id int PRIMARY KEY, v text)');

  // Connections held open at once.
  const held = [];
  let refused = '';
  for (let i = 0; i < 50; i++) {
    try {
      held.push(await connect());
    } catch (e) {
      refused = e.message;
      break;
    }
  }
  report('connections open at once', `${held.length}${refused ? ` (then: ${refused})` : ''}`);
  const t0 = Date.now();
  await Promise.all(held.map((c, i) => c.query('SELECT pg_sleep(0.05), $1::int AS i', [i])));
  report('50 x pg_sleep(0.05) concurrently', `${Date.now() - t0} ms (serial would be ~2500)`);
  await Promise.all(held.map((c) => c.end()));

  // Isolation: while A holds a transaction open, does B's statement run (and what does it see)?
  const a = await connect();
  const b = await connect();
  await a.query('BEGIN');
  await a.query("INSERT INTO probe VALUES (1, 'uncommitted')");
  const t2 = Date.now();
  let bDone = 0;
  const bRead = b.query('SELECT count(*)::int AS n FROM probe').then((r) => { bDone = Date.now() - t2; return r.rows[0].n; });
  await new Promise((r) => setTimeout(r, 500));
  const waited = bDone === 0;
  await a.query('ROLLBACK');
  const seen = await bRead;
  report("B's read during A's transaction", waited
    ? `waited until A ended (${Date.now() - t2} ms), then saw ${seen} rows`
    : `ran at once (${bDone} ms), saw ${seen} rows`);

  // Extended protocol: parameters, named prepared statements, binary-free text results.
  const p = await b.query({ name: 'ins', text: 'INSERT INTO probe VALUES ($1, $2) RETURNING id', values: [3, 'x'] });
  const p2 = await b.query({ name: 'ins', text: 'INSERT INTO probe VALUES ($1, $2) RETURNING id', values: [4, 'y'] });
  report('extended protocol, named statement', `${p.rows[0].id},${p2.rows[0].id} ok`);

  // LISTEN on A, NOTIFY from B.
  let got = null;
  a.on('notification', (n) => { got = n.payload; });
  await a.query('LISTEN chan');
  await b.query("NOTIFY chan, 'hello'");
  await a.query('SELECT 1');
  await new Promise((r) => setTimeout(r, 300));
  report('LISTEN (A) / NOTIFY (B)', got ? `delivered '${got}'` : 'not delivered');
  let self = null;
  b.on('notification', (n) => { self = n.payload; });
  await b.query('LISTEN own');
  await b.query("NOTIFY own, 'me'");
  await new Promise((r) => setTimeout(r, 300));
  report('LISTEN/NOTIFY on one connection', self ? `delivered '${self}'` : 'not delivered');
  await a.end();
  await b.end();

  // Throughput from a pool of 10.
  const pool = new Pool({ connectionString: url, max: 10 });
  const n = 2000;
  const t1 = Date.now();
  await Promise.all(Array.from({ length: n }, (_, i) => pool.query('SELECT $1::int + 1 AS x', [i])));
  const ms = Date.now() - t1;
  report(`${n} parameterized selects, pool 10`, `${ms} ms, ${Math.round(n / (ms / 1000))} queries/s`);
  await pool.end();
  await setup.query('DROP TABLE probe');
  await setup.end();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
