// Bytes on disk per stored quote, by collection (issue #25, "Smaller documents").
//
// Starts the whole service in this process (startService: the embedded FerretDB in a temporary
// DATA_DIR, the demo seed), stores quotes through bulk quoting (POST /v1/pricing/bulk?save=true,
// the rows bench:book writes: 70% 首台（套） risks, 30% other products' test vectors) for the demo
// enterprise, binds a few of them (a policy and its PDF schedules each), stops the service (which
// checkpoints SQLite's WAL into the database file) and reports, per collection, the documents'
// JSON bytes as the driver reads them and the SQLite pages their table and indexes take (dbstat),
// then the folder's size (du) over the quotes stored.
//
//   npx tsx bench/quote-bytes.ts [--quotes 500] [--binds 10] [--json file]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { startService } from '../src/service.ts';
import { chinaDate, RowMaker, singleQuoteInputs } from './book/book-builder.ts';
import { percentile } from './book/book-measure.ts';
import { diskBytes } from './book/book-service.ts';

interface CollectionBytes { collection: string; documents: number; jsonBytes: number; sqliteBytes: number }

const options = new Command()
  .option('--quotes <n>', 'quotes to store', '500')
  .option('--binds <n>', 'quotes to bind (a policy and its schedules each)', '10')
  .option('--creates <n>', 'then time this many sequential single quotes (POST /v1/quotes) and reads (GET /v1/quotes/{id})', '0')
  .option('--json <file>', 'also write the figures as JSON')
  .option('--keep', 'keep the data folder (its path is printed)')
  .parse()
  .opts<{ quotes: string; binds: string; creates: string; json?: string; keep?: boolean }>();

/** JSON bytes of every document per collection, as the driver reads them (Buffers as their length). */
async function jsonBytes(): Promise<Map<string, { documents: number; jsonBytes: number }>> {
  const db = mongoose.connection.db!;
  const sizes = new Map<string, { documents: number; jsonBytes: number }>();
  for (const { name } of await db.listCollections().toArray()) {
    let documents = 0;
    let bytes = 0;
    for await (const doc of db.collection(name).find({})) {
      documents++;
      bytes += JSON.stringify(doc, (_k, v: unknown) => (v && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'Binary' ? `<${(v as { length: () => number }).length()} bytes>` : v)).length;
    }
    sizes.set(name, { documents, jsonBytes: bytes });
  }
  return sizes;
}

/** SQLite pages per collection (its table and its indexes), from dbstat, once the service stopped. */
function sqliteBytes(dbDir: string, file: string): Map<string, number> {
  const sql = `select c.name, sum(s.pgsize) from dbstat s join _ferretdb_collections c
    on s.name = c.table_name or s.name like c.table_name || '\\_%' escape '\\' group by 1`;
  try {
    const out = execFileSync('sqlite3', ['-separator', '\t', path.join(dbDir, file), sql], { encoding: 'utf8' });
    return new Map(out.trim().split('\n').filter(Boolean).map((l) => l.split('\t')).map(([name, bytes]) => [name!, Number(bytes)]));
  } catch (err) {
    console.error(`sqlite3 dbstat unavailable: ${(err as Error).message.split('\n')[0]}`);
    return new Map();
  }
}

async function main(): Promise<void> {
  const quotes = Number(options.quotes);
  const binds = Number(options.binds);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'techins-quote-bytes-'));
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATA_DIR: dataDir, PORT: '0', DB_PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '1000000', SEED_DEMO: 'true' });
  const service = await startService(config, pino({ level: 'silent' }));
  try {
    const keys = JSON.parse(await readFile(path.join(dataDir, 'demo-keys.json'), 'utf8')) as { broker: string };
    const enterprise = await mongoose.connection.collection('organisations').findOne({ code: 'HZZZ' });
    const auth = { Authorization: `Bearer ${keys.broker}` };
    const rows = new RowMaker();
    const ids: string[] = [];
    let started = performance.now();
    for (let done = 0; done < quotes;) {
      const size = Math.min(1000, quotes - done);
      const csv = rows.csv(Array.from({ length: size }, () => String(enterprise!._id)), chinaDate(1));
      const res = await fetch(`${service.url}/v1/pricing/bulk?save=true&format=json&batchId=bytes-${done}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/csv' }, body: csv });
      if (res.status !== 200) throw new Error(`bulk: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { rows: { decision?: string; quoteId?: string }[] };
      ids.push(...body.rows.filter((r) => r.decision === 'quoted' && r.quoteId).map((r) => r.quoteId!));
      done += size;
    }
    const bulkSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    for (const id of ids.slice(0, binds)) {
      const res = await fetch(`${service.url}/v1/quotes/${id}/bind`, { method: 'POST', headers: auth });
      if (res.status !== 201) throw new Error(`bind: ${res.status} ${await res.text()}`);
    }
    const bindSeconds = (performance.now() - started) / 1000;
    const creates: number[] = [];
    for (let i = 0; i < Number(options.creates); i++) {
      const t = performance.now();
      const res = await fetch(`${service.url}/v1/quotes`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: String(enterprise!._id), inputs: singleQuoteInputs, startDate: chinaDate(1) }) });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`create: ${res.status}`);
      creates.push(performance.now() - t);
    }
    const reads: number[] = [];
    for (const id of ids.slice(0, Number(options.creates))) {
      const t = performance.now();
      const res = await fetch(`${service.url}/v1/quotes/${id}`, { headers: auth });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`read: ${res.status}`);
      reads.push(performance.now() - t);
    }
    if (reads.length) console.log(`quote read (GET /v1/quotes/{id}, sequential, ${reads.length}): p50 ${percentile(reads, 50).toFixed(2)} ms, mean ${(reads.reduce((a, b) => a + b, 0) / reads.length).toFixed(2)} ms`);
    if (creates.length) console.log(`quote create (sequential, ${creates.length}): p50 ${percentile(creates, 50).toFixed(2)} ms, p95 ${percentile(creates, 95).toFixed(2)} ms, mean ${(creates.reduce((a, b) => a + b, 0) / creates.length).toFixed(2)} ms`);
    const json = await jsonBytes();
    const withWal = diskBytes(path.join(dataDir, 'db'));
    await service.stop();
    const dbDir = path.join(dataDir, 'db');
    const file = (await readdir(dbDir)).find((f) => f.endsWith('.sqlite'))!;
    const pages = sqliteBytes(dbDir, file);
    const collections: CollectionBytes[] = [...json].map(([collection, j]) => ({ collection, ...j, sqliteBytes: pages.get(collection) ?? NaN }))
      .sort((a, b) => b.sqliteBytes - a.sqliteBytes || b.jsonBytes - a.jsonBytes);
    const disk = diskBytes(dbDir);
    report({ quotes: json.get('quotes')?.documents ?? quotes, binds: Math.min(binds, ids.length), collections, disk, withWal, bulkSeconds, bindSeconds });
  } finally {
    await service.stop().catch(() => {});
    if (options.keep) console.log(`data folder kept: ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}

function report(r: { quotes: number; binds: number; collections: CollectionBytes[]; disk: number; withWal: number; bulkSeconds: number; bindSeconds: number }): void {
  const kb = (n: number) => (n / 1000).toFixed(2);
  console.log(`${r.quotes} quotes (${options.quotes} bulk, ${(Number(options.quotes) / r.bulkSeconds).toFixed(0)}/s; ${options.creates} single), ${r.binds} bound (${r.bindSeconds.toFixed(1)} s)`);
  console.log(['collection'.padEnd(26), 'docs'.padStart(6), 'JSON kB'.padStart(10), 'SQLite kB'.padStart(10), 'JSON/quote'.padStart(11), 'SQLite/quote'.padStart(13)].join(''));
  for (const c of r.collections) {
    console.log([c.collection.padEnd(26), String(c.documents).padStart(6), kb(c.jsonBytes).padStart(10), kb(c.sqliteBytes).padStart(10), kb(c.jsonBytes / r.quotes).padStart(11), kb(c.sqliteBytes / r.quotes).padStart(13)].join(''));
  }
  console.log(`disk: ${kb(r.disk)} kB in DATA_DIR/db after checkpoint (${kb(r.withWal)} kB with the WAL while running): ${kb(r.disk / r.quotes)} kB per quote (${kb(r.withWal / r.quotes)} kB with the WAL)`);
  if (options.json) writeFileSync(options.json, JSON.stringify(r, null, 2));
}

await main();
process.exit(0);
