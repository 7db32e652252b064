// Benchmark of the portfolio tools on a real database: an embedded FerretDB in a temp folder
// (or MONGODB_URI), the shipped products, BENCH_QUOTES stored quotes (default 100,000) seeded
// with insertMany, then
//   - impact analysis of a draft that raises the base rate 10% over all of them, and
//   - bulk preview of a generated CSV of BENCH_BULK_ROWS rows (default 2,000).
// Details go to stderr; the last line on stdout is the summary the docs quote.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { resolveApiKey } from '../src/auth/auth-service.ts';
import { seedDemoOrganisations } from '../src/auth/demo-seed.ts';
import { createVersion, findPinnedVersion, updateDraft } from '../src/catalogue/catalogue-service.ts';
import { syncProducts } from '../src/catalogue/product-sync.ts';
import { connectDatabase, disconnectDatabase } from '../src/db/connect-database.ts';
import { startEmbeddedFerretDb, type EmbeddedFerretDb } from '../src/db/embedded-ferretdb.ts';
import { startBulkQuote } from '../src/portfolio/bulk-quote-service.ts';
import { analyseRateChange } from '../src/portfolio/impact-service.ts';
import { createQuote, storable } from '../src/quotes/quote-service.ts';
import { QuoteModel } from '../src/quotes/quote-model.ts';
import { evaluateQuote, type QuoteContext, type ProductDefinition } from '../src/rating/index.ts';

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
  log('database ready');
  const seeded = await seedDemoOrganisations(tempDir);
  if (!seeded) throw new Error('the bench database was not empty');
  await syncProducts({ dir: 'products', publish: true });
  log('products published');
  const broker = await resolveApiKey(seeded.keys.broker);
  const underwriter = await resolveApiKey(seeded.keys.underwriter);
  const insurerAdmin = await resolveApiKey(seeded.keys.insurerAdmin);
  const enterpriseId = String((await mongoose.connection.collection('organisations').findOne({ code: 'HZZZ' }))!._id);

  // ---------- seed the book: one real quote as the template, then insertMany ----------
  let t0 = performance.now();
  const { quote } = await createQuote(broker, { productCode: PRODUCT, enterpriseId, inputs: riskInputs() }, undefined);
  const template = (await QuoteModel.findById(quote.id).lean())!;
  const version = await findPinnedVersion(PRODUCT, template.productVersion);
  const context = template.context as QuoteContext;
  const BATCH = Number(process.env.BENCH_INSERT_BATCH ?? 500);
  log(`template quote: ${JSON.stringify(template).length} bytes of JSON (context ${JSON.stringify(template.context).length}, result ${JSON.stringify(template.result).length})`);
  for (let start = 0; start < QUOTES; start += BATCH) {
    const docs = [];
    for (let i = start; i < Math.min(QUOTES, start + BATCH); i++) {
      const inputs = riskInputs();
      const result = evaluateQuote(version.compiled, inputs, undefined, context);
      const id = new mongoose.Types.ObjectId();
      const { _id: _ignored, ...rest } = template;
      docs.push({ ...rest, _id: id, quoteNumber: `QB${String(i).padStart(8, '0')}`, idempotencyScope: `bench:${i}`, status: result.decision.outcome, inputs, result: storable(result), grossPremiumFen: result.grossPremiumFen, decisionReasons: result.decision.reasons.map((r) => r.rule) });
    }
    await QuoteModel.collection.insertMany(docs, { ordered: false });
    if ((start / BATCH) % 20 === 0) log(`  ${start + docs.length} seeded, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  log(`seeded ${QUOTES} stored quotes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // ---------- impact: a draft with the base rate 2.1% → 2.31% ----------
  const draft = await createVersion(insurerAdmin, PRODUCT, { cloneFrom: template.productVersion, version: '2099.1' });
  const definition = structuredClone(draft.definition) as ProductDefinition & { plan: { sections: { ratePercent: string }[] } };
  definition.plan.sections[0]!.ratePercent = '2.31';
  await updateDraft(insurerAdmin, PRODUCT, '2099.1', definition);
  // First analysis: reads the stored book from the database into a packed snapshot, then re-rates it.
  t0 = performance.now();
  const first = await analyseRateChange(underwriter, PRODUCT, '2099.1', { includePolicies: true, refresh: true });
  const firstSeconds = (performance.now() - t0) / 1000;
  log(`impact, first analysis (reads ${first.quotes.count} stored quotes into a snapshot in ${(first.book.snapshotMs / 1000).toFixed(2)} s): ${firstSeconds.toFixed(2)} s, ${Math.round(first.quotes.count / firstSeconds)} quotes/s`);
  // Every later analysis of a draft against the same baseline re-rates the snapshot.
  t0 = performance.now();
  const report = await analyseRateChange(underwriter, PRODUCT, '2099.1', { includePolicies: true });
  const impactSeconds = (performance.now() - t0) / 1000;
  const impactRate = Math.round(report.quotes.count / impactSeconds);
  log(`impact, snapshot reused: ${report.quotes.count} quotes re-rated in ${impactSeconds.toFixed(2)} s (book ${report.quotes.changePercent}%, median ${report.quotes.perQuoteChangePercent?.median}%, p90 ${report.quotes.perQuoteChangePercent?.p90}%, ${report.quotes.decisionChanges.total} decision changes), heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`);

  // ---------- bulk preview of a generated CSV ----------
  const columns = ['reference', 'enterpriseCode', ...Object.keys(riskInputs()).filter((k) => k !== 'equipment'), 'equipment.0.name', 'equipment.0.model', 'equipment.0.units'];
  const lines = [columns.join(',')];
  for (let i = 0; i < BULK_ROWS; i++) {
    const r = riskInputs() as Record<string, unknown> & { equipment: Record<string, unknown>[] };
    const item = r.equipment[0]!;
    const values: Record<string, unknown> = { ...r, reference: `R${i}`, enterpriseCode: 'HZZZ', 'equipment.0.name': item.name, 'equipment.0.model': item.model, 'equipment.0.units': item.units };
    lines.push(columns.map((c) => String(values[c] ?? '')).join(','));
  }
  const csvFile = join(tempDir, 'bulk.csv');
  await writeFile(csvFile, `${lines.join('\n')}\n`);
  t0 = performance.now();
  const run = await startBulkQuote(broker, createReadStream(csvFile), { productCode: PRODUCT, concurrency: 8 });
  for await (const row of run.rows) if (row.status === 'error') throw new Error(`bench row ${row.row} failed: ${JSON.stringify(row.errors)}`);
  const bulkSeconds = (performance.now() - t0) / 1000;
  const bulkRate = Math.round(run.summary.rows / bulkSeconds);
  log(`bulk: ${run.summary.rows} rows previewed in ${bulkSeconds.toFixed(2)} s (${run.summary.decisions.quoted} quoted, ${run.summary.decisions.referred} referred, ${run.summary.decisions.declined} declined)`);

  await mongoose.connection.dropDatabase();
  log(`(${QUOTES} stored quotes, ${BULK_ROWS} CSV rows; first impact analysis incl. reading the book: ${Math.round(first.quotes.count / firstSeconds)} quotes/s)`);
  console.log(`portfolio: bulk ${bulkRate} rows/s, impact ${impactRate} quotes/s`);
} finally {
  await disconnectDatabase().catch(() => {});
  await embedded?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}
