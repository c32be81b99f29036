// Cloud SQL instances with pgvector: PGlite (PostgreSQL compiled to WebAssembly, with the
// real pgvector extension) served over the PostgreSQL wire protocol by pglite-socket.
// gcpsim starts it as `node server.mjs --port P [--data-dir D]` and waits for the ready line.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const port = Number(flag('--port'));
const dataDir = flag('--data-dir');
// PGlite runs one query at a time; pglite-socket queues the connections' queries.
const maxConnections = Number(flag('--max-connections') ?? 100);

const db = await PGlite.create(dataDir ? { dataDir, extensions: { vector } } : { extensions: { vector } });
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections });
await server.start();
const { rows } = await db.query('SHOW server_version');
console.log(`pglite ${rows[0].server_version} ready to accept connections on 127.0.0.1:${port}`);

const stop = async () => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
