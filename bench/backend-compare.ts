// npm run bench:backends [-- --sizes 1000,20000 --postgresql-url postgres://postgres@127.0.0.1:5432/
//                           --backends sqlite,postgresql --launcher PATH --repeat 7 --budget 30 --explain]
// Issue #25 (a): the embedded FerretDB 1.24 on SQLite (patched, as the service runs it) against the
// same launcher with `-handler postgresql`, same machine, same documents. For each size it inserts
// N quotes shaped as the service stores them (src/quotes/quote-model.ts: a real rated result and
// context as JSON text, ~33 kB of text), with the indexes the quote model declares, then times the list
// reads the service issues: by `_id`; a broker's first page (sort createdAt desc, limit 10); an
// enterprise's first page (10 matching quotes); a count by broker; a single insert; and bytes on
// disk (du of the SQLite folder; pg_database_size of a fresh PostgreSQL database).
// PostgreSQL is not started here: pass the URL of a running server whose user may CREATE DATABASE
// (`psql` on PATH is used for that and for the size); each size gets its own database, dropped after.
// Without --postgresql-url only SQLite is measured. Prints one Markdown table and the load average.
// --explain (PostgreSQL): prints EXPLAIN ANALYZE of the SQL FerretDB sends for the _id, broker and
// enterprise reads (internal/backends/postgresql/query.go: `WHERE _jsonb->'field' @> 'value'`),
// then again after adding GIN indexes on those expressions by hand (FerretDB never creates them),
// and times the three reads through FerretDB again (its statement is `WHERE _jsonb->$1 @> $2`,
// the key a parameter, so it cannot use them: docs/database.md).
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { ensureLauncherBuilt } from '../tools/ferretdb-launcher/build.mjs';
import { QuoteModel } from '../src/quotes/quote-model.ts';
import { diskBytes } from './book/book-service.ts';
import { sampleQuoteSource } from './fixtures/sample-quote.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,20000' },
    'postgresql-url': { type: 'string' },
    launcher: { type: 'string' },
    repeat: { type: 'string', default: '7' },
    budget: { type: 'string', default: '30' },
    backends: { type: 'string', default: 'sqlite,postgresql' },
    explain: { type: 'boolean', default: false },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const REPEAT = Number(values.repeat);
const BUDGET_MS = Number(values.budget) * 1000;
const BROKERS = 5;
const QUOTES_PER_ENTERPRISE = 10;
const log = (line: string) => process.stderr.write(`${line}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

type Backend = 'sqlite' | 'postgresql';
interface Launched { uri: string; pgUrl: string; stop(): Promise<void>; bytes(): number }

/** One stored quote as the service writes it; `i` varies its parties, number and time. */
function quoteFactory(): (i: number, n: number) => Record<string, unknown> {
  const source = sampleQuoteSource();
  const context = JSON.stringify({ asOf: source.quoteDate, period: { start: source.startDate, end: source.endDate }, role: 'broker', definition: source.definition, enterprise: source.enterprise, insurers: source.insurers });
  const result = JSON.stringify(source.result);
  const start = Date.UTC(2026, 0, 1);
  return (i, n) => {
    const at = new Date(start + i * 60_000);
    return {
      _id: new mongoose.Types.ObjectId(), quoteNumber: `Q${String(i).padStart(9, '0')}`, idempotencyScope: `auto:${i}`, requestHash: 'h'.repeat(64),
      status: i % 5 === 0 ? 'referred' : 'quoted', productCode: 'first-set-equipment', productVersion: String(source.productVersion), line: 'equipment',
      insurerOrganisationId: `insurer-${i % 3}`, brokerOrganisationId: `broker-${i % BROKERS}`,
      enterpriseOrganisationId: `enterprise-${i % Math.max(1, Math.floor(n / QUOTES_PER_ENTERPRISE))}`, enterpriseName: source.enterpriseName,
      createdBy: { keyId: 'key-1', userName: 'bench' }, quoteDate: source.quoteDate, startDate: source.startDate, endDate: source.endDate, validUntil: source.validUntil,
      inputs: source.inputs, picks: {}, context, result, grossPremiumFen: 123_456 + i, decisionReasons: [],
      createdEntry: { at, actor: { keyId: 'key-1', userName: 'bench', role: 'broker', organisationId: `broker-${i % BROKERS}` }, status: 'quoted', grossPremiumFen: 123_456 + i },
      createdAt: at, updatedAt: at, __v: 0,
    };
  };
}

async function launch(binary: string, backend: Backend, n: number): Promise<Launched> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `backends-${backend}-`));
  const args = ['-data', dir, '-listen', '127.0.0.1:0', '-log-level', 'warn', '-exit-on-stdin-eof', '-handler', backend];
  let pgDatabase = '';
  let pgUrl = '';
  if (backend === 'postgresql') {
    pgDatabase = `bench_backends_${n}_${process.pid}`;
    pgUrl = new URL(pgDatabase, values['postgresql-url']).href;
    psql(values['postgresql-url']!, `CREATE DATABASE ${pgDatabase}`);
    args.push('-postgresql-url', pgUrl);
  }
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const uri = await firstLine(child).catch((err: Error) => {
    throw new Error(`${err.message}\n${stderr}`);
  });
  return {
    uri,
    pgUrl,
    bytes: () => (backend === 'sqlite' ? diskBytes(dir) : Number(psql(pgUrl, 'SELECT pg_database_size(current_database())'))),
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      if (pgDatabase) psql(values['postgresql-url']!, `DROP DATABASE ${pgDatabase}`);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { uri: string }).uri);
    });
    child.once('exit', (code) => reject(new Error(`launcher exited (${code}) before it listened`)));
  });
}

function psql(url: string, sql: string): string {
  return execFileSync('psql', [url, '-XAtqc', sql], { encoding: 'utf8' }).trim();
}

/** Median ms of `fn`, after one warm-up run unless that alone took over 2 s; stops early past the budget. */
async function median(fn: () => Promise<unknown>): Promise<number> {
  const first = performance.now();
  await fn();
  const times = performance.now() - first > 2000 ? [performance.now() - first] : [];
  const started = performance.now();
  while (times.length < REPEAT && (times.length === 0 || performance.now() - started < BUDGET_MS)) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

type Row = Record<string, string>;

async function measure(binary: string, backend: Backend, n: number): Promise<Row> {
  const db = await launch(binary, backend, n);
  try {
    await mongoose.connect(`${db.uri}bench`, { autoIndex: false, retryWrites: false });
    await QuoteModel.createCollection();
    await QuoteModel.createIndexes();
    const make = quoteFactory();
    const loadStart = performance.now();
    for (let i = 0; i < n; i += 200) {
      await QuoteModel.collection.insertMany(Array.from({ length: Math.min(200, n - i) }, (_, k) => make(i + k, n)), { ordered: false });
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const some = await QuoteModel.findOne({ _id: { $exists: true } }).select({ _id: 1 }).lean();
    log(`${backend} ${n}: loaded in ${loadSeconds.toFixed(1)} s, load ${load()}`);
    const rows: Row = {
      backend, quotes: String(n), 'load (quotes/s)': (n / loadSeconds).toFixed(0),
      'find by _id': ms(await median(() => QuoteModel.findOne({ _id: some!._id }).lean())),
      'broker first page': ms(await median(() => QuoteModel.find({ brokerOrganisationId: 'broker-1' }).sort({ createdAt: -1 }).limit(10).lean())),
      'enterprise first page (10 quotes)': ms(await median(() => QuoteModel.find({ enterpriseOrganisationId: 'enterprise-7' }).sort({ createdAt: -1 }).limit(10).lean())),
      'count by broker': ms(await median(() => QuoteModel.countDocuments({ brokerOrganisationId: 'broker-1' }))),
    };
    let next = n;
    rows['insert one'] = ms(await median(() => QuoteModel.collection.insertOne(make(next++, n))));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rows['bytes on disk per quote'] = (db.bytes() / next).toFixed(0);
    rows['load average'] = load();
    if (values.explain && db.pgUrl) {
      explain(db.pgUrl, String(some!._id));
      const again = [
        ms(await median(() => QuoteModel.findOne({ _id: some!._id }).lean())),
        ms(await median(() => QuoteModel.find({ brokerOrganisationId: 'broker-1' }).sort({ createdAt: -1 }).limit(10).lean())),
        ms(await median(() => QuoteModel.find({ enterpriseOrganisationId: 'enterprise-7' }).sort({ createdAt: -1 }).limit(10).lean())),
      ];
      log(`through FerretDB with the GIN indexes: find by _id ${again[0]} ms, broker first page ${again[1]} ms, enterprise first page ${again[2]} ms`);
    }
    log(JSON.stringify(rows));
    return rows;
  } finally {
    await mongoose.disconnect();
    await db.stop();
  }
}

/** The plans of FerretDB's pushed-down SQL, before and after hand-made GIN indexes on its expressions. */
function explain(pgUrl: string, id: string): void {
  const table = `bench.${psql(pgUrl, "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'bench' AND tablename LIKE 'quotes%'")}`;
  log(psql(pgUrl, `SELECT indexdef FROM pg_indexes WHERE schemaname = 'bench' AND tablename = '${table.slice(6)}'`));
  const reads: [string, string][] = [['_id', JSON.stringify(id)], ['brokerOrganisationId', '"broker-1"'], ['enterpriseOrganisationId', '"enterprise-7"']];
  const plans = () => {
    for (const [field, value] of reads) log(psql(pgUrl, `EXPLAIN ANALYZE SELECT _jsonb FROM ${table} WHERE _jsonb->'${field}' @> '${value}'`));
  };
  plans();
  for (const [field] of reads) psql(pgUrl, `CREATE INDEX ON ${table} USING gin ((_jsonb->'${field}'))`);
  psql(pgUrl, `ANALYZE ${table}`);
  log('after CREATE INDEX … USING gin ((_jsonb->field)) by hand:');
  plans();
}

const ms = (t: number) => (t < 10 ? t.toFixed(1) : t.toFixed(0));

async function main(): Promise<void> {
  const binary = values.launcher ?? (await ensureLauncherBuilt({ log })).path;
  const backends = values.backends.split(',').filter((b): b is Backend => b === 'sqlite' || (b === 'postgresql' && values['postgresql-url'] !== undefined));
  const rows: Row[] = [];
  log(`load average at start: ${load()}`);
  for (const n of SIZES) for (const backend of backends) rows.push(await measure(binary, backend, n));
  const keys = Object.keys(rows[0]!);
  console.log(`| ${keys.join(' | ')} |\n|${keys.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${keys.map((k) => row[k]).join(' | ')} |`);
  console.log(`load average at end: ${load()}`);
}

await main();
