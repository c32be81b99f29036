// pgvector on a Cloud SQL instance declared with `extensions: [vector]`: PGlite (PostgreSQL in
// WebAssembly with the real pgvector extension) behind gcpsim's fault proxy, reached with
// node-postgres (extended protocol, a pool) and Debian's psycopg2; nearest neighbours by
// <->, <=> and <#> checked against distances computed here, with HNSW and IVFFlat indexes.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Pool } = require('pg');
const { startGcpsim } = require('./lib/gcpsim');

const PY = '/usr/bin/python3';
const hasPsycopg2 = (() => {
  try {
    execFileSync(PY, ['-c', 'import psycopg2'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const ROWS = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0.5, 0.5, 0.5], [3, 1, 2], [-1, 2, 0.5], [2, -1, 1]];
const QUERY = [1, 0.5, 0.25];

const l2 = (a, b) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const cosine = (a, b) => 1 - dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
const DISTANCES = { '<->': l2, '<=>': cosine, '<#>': (a, b) => -dot(a, b) };

// The three nearest rows by hand: [id, distance], ties by id.
function nearest(op) {
  return ROWS.map((v, i) => [i + 1, DISTANCES[op](v, QUERY)])
    .sort((x, y) => (Math.abs(x[1] - y[1]) < 1e-9 ? x[0] - y[0] : x[1] - y[1]))
    .slice(0, 3);
}

function assertNear(actual, expected, what) {
  assert.deepEqual(actual.map((r) => r[0]), expected.map((r) => r[0]), `${what}: ids`);
  actual.forEach((r, i) => assert.ok(Math.abs(r[1] - expected[i][1]) < 1e-5, `${what}: distance ${r[1]} vs ${expected[i][1]}`));
}

function writeStack() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-vector-test-'));
  fs.writeFileSync(path.join(dir, 'schema.sql'),
    'CREATE TABLE items (id int PRIMARY KEY, embedding vector(3));\n');
  const file = path.join(dir, 'gcpsim.yaml');
  fs.writeFileSync(file, [
    'project: vector-test',
    'backing:',
    '  postgres:',
    '    vectors: {extensions: [vector], init: [schema.sql]}',
    '',
  ].join('\n'));
  return file;
}

test('pgvector through node-postgres and psycopg2: distances, HNSW and IVFFlat, a reset back to the init SQL', async () => {
  const g = await startGcpsim(['--stack', writeStack()]);
  const { body: backing } = await g.control('GET', 'backing');
  const url = backing.env.DATABASE_URL_VECTORS;
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    assert.equal(backing.servers['postgres-vectors'].engine, 'pglite');
    assert.equal(backing.env.DATABASE_URL, url, 'the first instance is also the default one');
    assert.equal(backing.env.INSTANCE_CONNECTION_NAME_VECTORS, 'vector-test:us-central1:vectors');
    assert.ok(fs.existsSync(`${backing.env.INSTANCE_UNIX_SOCKET_VECTORS}/.s.PGSQL.5432`));

    // Parameters: the extended protocol (Parse/Bind/Execute), from several pooled connections.
    await Promise.all(ROWS.map((v, i) => pool.query('INSERT INTO items (id, embedding) VALUES ($1, $2)', [i + 1, JSON.stringify(v)])));
    await pool.query('CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_cosine_ops)');
    await pool.query('CREATE INDEX items_ivf ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 2)');
    const { rows: idx } = await pool.query("SELECT indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY indexname");
    assert.deepEqual(idx.map((r) => r.indexname), ['items_hnsw', 'items_ivf', 'items_pkey']);

    const q = JSON.stringify(QUERY);
    for (const op of Object.keys(DISTANCES)) {
      // A transaction on one connection, so the planner settings hold for the query.
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('SET LOCAL enable_seqscan = off');
        if (op === '<->') await c.query('SET LOCAL ivfflat.probes = 2');
        const { rows } = await c.query(`SELECT id, embedding ${op} $1 AS d FROM items ORDER BY embedding ${op} $1, id LIMIT 3`, [q]);
        await c.query('COMMIT');
        assertNear(rows.map((r) => [r.id, Number(r.d)]), nearest(op), `node-postgres ${op}`);
      } finally {
        c.release();
      }
    }
    // With sequential scans off the planner takes the HNSW index for cosine ordering.
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SET LOCAL enable_seqscan = off');
      const { rows: plan } = await c.query(`EXPLAIN SELECT id FROM items ORDER BY embedding <=> '${q}' LIMIT 3`);
      await c.query('COMMIT');
      assert.ok(plan.some((r) => /items_hnsw/.test(r['QUERY PLAN'])), JSON.stringify(plan));
    } finally {
      c.release();
    }

    if (hasPsycopg2) {
      const out = JSON.parse(execFileSync(PY, [path.join(__dirname, 'fixtures/vector/similarity.py'), q],
        { env: { ...process.env, DATABASE_URL_VECTORS: url } }).toString());
      for (const op of Object.keys(DISTANCES)) assertNear(out[op], nearest(op), `psycopg2 ${op}`);
      assert.match(out.extversion, /^\d+\.\d+/);
      if (out.pool) assert.deepEqual(out.pool, Array(8).fill(ROWS.length));
    } else {
      test.diagnostic('python3-psycopg2 is not installed: the psycopg2 half is skipped');
    }

    // A reset returns the instance to its init SQL: the table is there again, empty.
    await pool.end();
    assert.equal((await g.control('POST', 'reset', {})).status, 200);
    const again = new Pool({ connectionString: url, max: 1 });
    const { rows: count } = await again.query('SELECT count(*)::int AS n FROM items');
    assert.equal(count[0].n, 0);
    await again.end();
  } finally {
    await pool.end().catch(() => {});
    await g.stop();
  }
});
