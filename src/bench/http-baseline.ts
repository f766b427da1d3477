// The HTTP benchmark's baseline server, run as its own process: plain fastify with no plugins, schemas or
// logging. GET /static answers a fixed JSON document (the size of a village balance); POST /insert parses
// the JSON body and does one better-sqlite3 INSERT, with the same pragmas as the embedded store.
// Usage: node http-baseline.js <sqlite file> <json file to serve>; prints one line {"address":"http://…"}.
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

async function main(): Promise<void> {
  const [dbPath, staticPath] = process.argv.slice(2);
  if (!dbPath || !staticPath) throw new Error('usage: http-baseline.js <sqlite file> <json file>');
  const document = JSON.parse(readFileSync(staticPath, 'utf8')) as unknown;
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${process.env.FUNDTRAIL_SYNC === 'full' ? 'FULL' : 'NORMAL'}`);
  db.exec('CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, recorded_at INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO events (id, stream, type, data, recorded_at) VALUES (?, ?, ?, ?, ?)');
  const app = Fastify();
  app.get('/static', async () => document);
  app.post('/insert', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const info = insert.run(typeof key === 'string' ? key : String(Math.random()), 'baseline', 'PaymentMade', JSON.stringify(request.body), Date.now());
    return reply.code(201).send({ position: Number(info.lastInsertRowid) });
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ address })}\n`);
  const stop = (): void => {
    void app.close().then(() => {
      db.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`http-baseline: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
