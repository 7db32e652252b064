// Benchmark of the portfolio tools on a real database: an embedded FerretDB in a temp folder
// (or MONGODB_URI), the shipped products, BENCH_QUOTES quotes (default 100,000) saved through
// bulk quoting's save path (as POST /v1/pricing/bulk?save=true) plus 3 through createQuote, then
//   - impact analysis of a draft that raises the base rate 10% over all of them (the first
//     analysis after storing them is the measured one), and
//   - bulk preview of a generated CSV of BENCH_BULK_ROWS rows (default 2,000).
// Details go to stderr; the last line on stdout is the summary the docs quote.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { seedDemoOrganisations } from '../src/cli/demo-seed.ts';
import { findEffectiveVersion } from '../src/catalogue/rating-lookups.ts';
import { syncProducts } from '../src/catalogue/product-sync.ts';
import { connectDatabase, disconnectDatabase } from '../src/db/connect-database.ts';
import { startEmbeddedFerretDb, type EmbeddedFerretDb } from '../src/db/embedded-ferretdb.ts';
import { workerThreadsFor } from '../src/portfolio/impact-rating.ts';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/service.ts';
import type { ProductDefinition } from '../src/rating/index.ts';

const QUOTES = Number(process.env.BENCH_QUOTES ?? 100_000);
const BULK_ROWS = Number(process.env.BENCH_BULK_ROWS ?? 2_000);
const PRODUCT = 'FIRST-SET-EQUIPMENT';
const log = (line: string) => process.stderr.write(`${line}\n`);

let seed = 20250701;
const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
const TYPES = ['power-generation', 'metallurgy', 'petrochemical', 'coal-mining', 'rail-transit', 'civil-aviation', 'other'] as const;

function riskInputs(): Record<string, unknown> {
  const contract = Math.round((100 + random() * 20_000) * 100) / 100;
  return {
    equipmentType: pick(TYPES), contractAmount: contract, aggregateLimit: Math.round(contract * (0.8 + random() * 0.6) * 100) / 100,
    perEventEquipmentLimit: Math.round(contract * 50) / 100, perEventThirdPartyLimit: pick([100, 500, 1000, 5000]), deductibleAmount: pick([0, 5, 10, 50]),
    qualityManagement: pick(['complete', 'partial', 'none']), lossRatio: pick([0, 10, 30, 50, 70, 90]), channel: pick(['direct', 'other']),
    userOrder: 1 + Math.floor(random() * 3), catalogueEntry: '3.1.2 盾构机', equipment: [{ name: '盾构机', model: 'ZTE6250', units: 1 + Math.floor(random() * 3) }],
  };
}

let embedded: EmbeddedFerretDb | undefined;
let tempDir: string | undefined;
try {
  tempDir = await mkdtemp(join(tmpdir(), 'techins-bench-portfolio-'));
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    embedded = await startEmbeddedFerretDb({ dataDir: join(tempDir, 'db'), port: 0 });
    uri = embedded.uri;
  }
  await connectDatabase(uri, { dbName: `bench_portfolio_${Date.now()}` });
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  // The service composed as the app composes it (the rating book records what quotes store); the
  // seed and product sync run in its scope, so they warm its caches.
  const services = createServices(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
  const { scope, auth, catalogue, quotes, portfolio } = services;
  log('database ready');
  const seeded = await scope.run(() => seedDemoOrganisations(tempDir!));
  if (!seeded) throw new Error('the bench database was not empty');
  await scope.run(() => syncProducts({ pools: services.pools.membership, dir: 'products', publish: true }));
  log('products published');
  const broker = await auth.resolveApiKey(seeded.keys.broker);
  const underwriter = await auth.resolveApiKey(seeded.keys.underwriter);
  const insurerAdmin = await auth.resolveApiKey(seeded.keys.insurerAdmin);
  const enterpriseId = String((await mongoose.connection.collection('organisations').findOne({ code: 'HZZZ' }))!._id);

  // ---------- seed: BENCH_QUOTES quotes saved through bulk quoting (the API's save path) ----------
  // The same path as POST /v1/pricing/bulk?save=true: each row rated and stored as a quote, its
  // audit entry and its rating-book entry, in batches. No snapshot or earlier run is reused: the
  // database is new.
  const columns = ['reference', 'enterpriseCode', ...Object.keys(riskInputs()).filter((k) => k !== 'equipment'), 'equipment.0.name', 'equipment.0.model', 'equipment.0.units'];
  async function writeCsv(file: string, rows: number): Promise<void> {
    const lines = [columns.join(',')];
    for (let i = 0; i < rows; i++) {
      const r = riskInputs() as Record<string, unknown> & { equipment: Record<string, unknown>[] };
      const item = r.equipment[0]!;
      const values: Record<string, unknown> = { ...r, reference: `R${i}`, enterpriseCode: 'HZZZ', 'equipment.0.name': item.name, 'equipment.0.model': item.model, 'equipment.0.units': item.units };
      lines.push(columns.map((c) => String(values[c] ?? '')).join(','));
    }
    await writeFile(file, `${lines.join('\n')}\n`);
  }
  const seedFile = join(tempDir, 'seed.csv');
  await writeCsv(seedFile, QUOTES);
  let t0 = performance.now();
  const seeding = await portfolio.startBulkQuote(broker, () => createReadStream(seedFile), { productCode: PRODUCT, save: true, batchId: 'bench-seed' });
  for await (const row of seeding.rows) {
    if (row.status === 'error') throw new Error(`seed row ${row.row} failed: ${JSON.stringify(row.errors)}`);
    if (seeding.summary.rows % 10_000 === 0) log(`  ${seeding.summary.rows} saved, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  log(`seeded ${seeding.summary.saved} quotes through bulk save in ${seedSeconds.toFixed(1)} s (${Math.round(seeding.summary.saved / seedSeconds)} quotes/s; ${seeding.summary.decisions.quoted} quoted, ${seeding.summary.decisions.referred} referred, ${seeding.summary.decisions.declined} declined)`);
  // A few quotes through the single-quote path (POST /v1/quotes) too: they reach the book's tail.
  const baselineVersion = (await scope.run(() => findEffectiveVersion(PRODUCT, new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)))).version;
  for (let i = 0; i < 3; i++) await quotes.createQuote(broker, { productCode: PRODUCT, enterpriseId, inputs: riskInputs() }, undefined);
  const storedQuotes = seeding.summary.saved + 3;

  // ---------- impact: a draft with the base rate 2.1% → 2.31% ----------
  const draft = await catalogue.createVersion(insurerAdmin, PRODUCT, { cloneFrom: baselineVersion, version: '2099.1' });
  const definition = structuredClone(draft.definition) as ProductDefinition & { plan: { sections: { ratePercent: string }[] } };
  definition.plan.sections[0]!.ratePercent = '2.31';
  await catalogue.updateDraft(insurerAdmin, PRODUCT, '2099.1', definition);
  // The measured analysis is the first one after the quotes were stored.
  log(`load average ${loadavg().map((x) => x.toFixed(2)).join(', ')} on ${availableParallelism()} cores: ${workerThreadsFor()} worker thread(s) for re-rating`);
  t0 = performance.now();
  const report = await portfolio.analyseRateChange(underwriter, PRODUCT, '2099.1', { includePolicies: true });
  const impactSeconds = (performance.now() - t0) / 1000;
  const impactRate = Math.round(report.quotes.count / impactSeconds);
  if (report.quotes.count !== storedQuotes) throw new Error(`the book has ${report.quotes.count} quotes, ${storedQuotes} were stored`);
  log(`impact, first analysis: ${report.quotes.count} quotes in ${impactSeconds.toFixed(2)} s (book read in ${(report.book.readMs / 1000).toFixed(2)} s: ${report.book.pages} pages, ${report.book.tailRecords} tail records; book ${report.quotes.changePercent}%, median ${report.quotes.perQuoteChangePercent?.median}%, p90 ${report.quotes.perQuoteChangePercent?.p90}%, ${report.quotes.decisionChanges.total} decision changes), heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`);
  t0 = performance.now();
  const again = await portfolio.analyseRateChange(underwriter, PRODUCT, '2099.1', { includePolicies: true });
  log(`impact, second analysis: ${again.quotes.count} quotes in ${((performance.now() - t0) / 1000).toFixed(2)} s`);

  // ---------- bulk preview of a generated CSV ----------
  const csvFile = join(tempDir, 'bulk.csv');
  await writeCsv(csvFile, BULK_ROWS);
  t0 = performance.now();
  const run = await portfolio.startBulkQuote(broker, () => createReadStream(csvFile), { productCode: PRODUCT, concurrency: 8 });
  for await (const row of run.rows) if (row.status === 'error') throw new Error(`bench row ${row.row} failed: ${JSON.stringify(row.errors)}`);
  const bulkSeconds = (performance.now() - t0) / 1000;
  const bulkRate = Math.round(run.summary.rows / bulkSeconds);
  log(`bulk: ${run.summary.rows} rows previewed in ${bulkSeconds.toFixed(2)} s (${run.summary.decisions.quoted} quoted, ${run.summary.decisions.referred} referred, ${run.summary.decisions.declined} declined)`);

  await mongoose.connection.dropDatabase();
  log(`(${storedQuotes} stored quotes, ${BULK_ROWS} CSV rows; impact = the first analysis after storing them, book read included)`);
  console.log(`portfolio: bulk ${bulkRate} rows/s, impact ${impactRate} quotes/s`);
} finally {
  await disconnectDatabase().catch(() => {});
  await embedded?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}
