// Benchmark of the rating engine against json-rules-engine, @gorules/zen-engine and a
// hand-written TypeScript tariff, all pricing the 首台（套） tariff on the same 1,000 inputs.
// All four must agree to the fen (exit 1 otherwise). Last line: the summary the README quotes.
import { readFileSync } from 'node:fs';
import { Engine } from 'json-rules-engine';
import { ZenEngine } from '@gorules/zen-engine';
import { compileProduct, evaluateQuote } from '../src/rating/index.ts';

const QUOTES = 1000;
const MEASURE_MS = Number(process.env.BENCH_MS ?? 2000);

// ---------- deterministic inputs ----------
let seed = 20250101;
function random(): number {
  // Park–Miller LCG: the same inputs on every run.
  seed = (seed * 48271) % 2147483647;
  return seed / 2147483647;
}
function pick<T>(xs: readonly T[]): T {
  return xs[Math.floor(random() * xs.length)] as T;
}
const BOUNDS = [0, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 150000];
function amountWan(): number {
  // Often exactly on a band bound, otherwise anywhere up to 150000万 with 2 decimals.
  if (random() < 0.2) return pick(BOUNDS.slice(1, 8));
  return Math.round(random() * pick([800, 3000, 12000, 60000, 150000]) * 100 + 1) / 100;
}
const TYPES = ['power-generation', 'metallurgy', 'petrochemical', 'coal-mining', 'rail-transit', 'civil-aviation', 'other'] as const;
interface BenchInput {
  equipmentType: string; contractAmount: number; aggregateLimit: number; perEventEquipmentLimit: number; perEventThirdPartyLimit: number;
  deductibleAmount?: number; deductibleRate?: number; qualityManagement: string; lossRatio: number; channel: string; userOrder: number;
  catalogueEntry: string; equipment: { name: string; model: string; units: number }[];
}
const inputs: { inputs: BenchInput; months: number }[] = [];
for (let i = 0; i < QUOTES; i++) {
  const contract = amountWan();
  const input: BenchInput = {
    equipmentType: pick(TYPES), contractAmount: contract, aggregateLimit: Math.round(contract * (1 + random()) * 100) / 100,
    perEventEquipmentLimit: amountWan(), perEventThirdPartyLimit: amountWan(),
    qualityManagement: pick(['complete', 'partial', 'none']), lossRatio: pick([0, 10, 30, 30.5, 50, 69.99, 70, 90, 120]),
    channel: pick(['direct', 'other']), userOrder: 1 + Math.floor(random() * 3), catalogueEntry: '3.1', equipment: [{ name: 'unit', model: 'M1', units: 1 }],
  };
  const which = random();
  if (which < 0.7) input.deductibleAmount = pick([0, 5, 7.5, 10, 20, 30, 50, 100, 120]);
  if (which > 0.3) input.deductibleRate = pick([0, 5, 8, 10, 15, 20, 25, 30, 40]);
  inputs.push({ inputs: input, months: 1 + Math.floor(random() * 12) });
}

// ---------- the tariff as plain data shared by the three challengers ----------
// [lower, lowerInclusive, upper, upperInclusive, default pick ×10^4]
type Band = readonly [number, boolean, number, boolean, number];
const AMOUNT: Band[] = [[0, true, 500, true, 25000], [500, false, 1000, true, 17500], [1000, false, 2000, true, 13750], [2000, false, 5000, true, 11250], [5000, false, 10000, true, 9250], [10000, false, 20000, true, 7750], [20000, false, 50000, true, 6500], [50000, false, Infinity, true, 5500]];
const LIMIT: Band[] = [[0, true, 500, true, 6500], [500, false, 1000, true, 8500], [1000, false, 2000, true, 9500], [2000, false, 5000, true, 10500], [5000, false, 10000, true, 11500], [10000, false, 20000, true, 12500], [20000, false, 50000, true, 13500], [50000, false, 100000, true, 14500], [100000, false, Infinity, true, 22500]];
const DED_AMOUNT: Band[] = [[0, true, 5, true, 13500], [5, false, 10, true, 11000], [10, false, 20, true, 9500], [20, false, 30, true, 8750], [30, false, 50, true, 8250], [50, false, 100, true, 7750], [100, false, Infinity, true, 6750]];
const DED_RATE: Band[] = [[0, true, 5, true, 13500], [5, false, 10, true, 11000], [10, false, 15, true, 9500], [15, false, 20, true, 8750], [20, false, 25, true, 8250], [25, false, 30, true, 7750], [30, false, Infinity, true, 6750]];
const LOSS: Band[] = [[-Infinity, true, 30, true, 6000], [30, false, 50, true, 8500], [50, false, 70, true, 12000], [70, false, 90, true, 16000], [90, false, Infinity, true, 24000]];
const TYPE: Record<string, number> = { 'power-generation': 9000, metallurgy: 9000, petrochemical: 11500, 'coal-mining': 11500, 'rail-transit': 14000, 'civil-aviation': 14000, other: 14000 };
const QM: Record<string, number> = { complete: 6000, partial: 8500, none: 15000 };
const CHANNEL: Record<string, number> = { direct: 8500, other: 11500 };
const SCALE = [0, 10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95, 100];

function bandIndex(bands: readonly Band[], x: number): number {
  for (let i = 0; i < bands.length; i++) {
    const [lo, loInc, hi, hiInc] = bands[i] as Band;
    if ((x > lo || (loInc && x === lo)) && (x < hi || (hiInc && x === hi))) return i;
  }
  return -1;
}

/** Exact premium in fen from coefficients ×10^4: contract(fen) × 2.1% × Π coef × scale%. */
function premiumFen(contractFen: number, coefs: readonly number[], scalePercent: number): number {
  let n = BigInt(contractFen) * 21n * BigInt(scalePercent);
  for (const c of coefs) n *= BigInt(c);
  const d = 10n ** BigInt(3 + 2 + 4 * coefs.length);
  return Number((n * 2n + d) / (2n * d));
}
const toFen = (wan: number) => Math.round(wan * 1_000_000);

// ---------- hand-written ----------
function rateByHand(q: { inputs: BenchInput; months: number }): number {
  const x = q.inputs;
  const dA = x.deductibleAmount === undefined ? -1 : bandIndex(DED_AMOUNT, x.deductibleAmount);
  const dR = x.deductibleRate === undefined ? -1 : bandIndex(DED_RATE, x.deductibleRate);
  const coefs = [
    TYPE[x.equipmentType] as number,
    (AMOUNT[bandIndex(AMOUNT, x.contractAmount)] as Band)[4],
    (LIMIT[bandIndex(LIMIT, x.perEventEquipmentLimit)] as Band)[4],
    (LIMIT[bandIndex(LIMIT, x.perEventThirdPartyLimit)] as Band)[4],
    (DED_AMOUNT[Math.max(dA, dR)] as Band)[4],
    QM[x.qualityManagement] as number,
    (LOSS[bandIndex(LOSS, x.lossRatio)] as Band)[4],
    CHANNEL[x.channel] as number,
  ];
  return premiumFen(toFen(x.contractAmount), coefs, SCALE[q.months] as number);
}

// ---------- json-rules-engine: one rule per table row, the event carries the coefficient ----------
const jre = new Engine([], { allowUndefinedFacts: true });
let priority = 1000;
function addBandRules(table: string, fact: string, bands: readonly Band[], index = false) {
  bands.forEach((b, i) => {
    const [lo, loInc, hi, hiInc, coef] = b;
    const all: { fact: string; operator: string; value: number }[] = [];
    if (Number.isFinite(lo)) all.push({ fact, operator: loInc ? 'greaterThanInclusive' : 'greaterThan', value: lo });
    else all.push({ fact, operator: 'greaterThanInclusive', value: -1e15 });
    if (Number.isFinite(hi)) all.push({ fact, operator: hiInc ? 'lessThanInclusive' : 'lessThan', value: hi });
    jre.addRule({ conditions: { all }, event: { type: 'coef', params: { table, value: index ? i : coef } }, priority: priority-- });
  });
}
function addCategoryRules(table: string, fact: string, map: Record<string, number>) {
  for (const [k, v] of Object.entries(map)) jre.addRule({ conditions: { all: [{ fact, operator: 'equal', value: k }] }, event: { type: 'coef', params: { table, value: v } }, priority: priority-- });
}
addCategoryRules('type', 'equipmentType', TYPE);
addBandRules('amount', 'contractAmount', AMOUNT);
addBandRules('equipmentLimit', 'perEventEquipmentLimit', LIMIT);
addBandRules('thirdPartyLimit', 'perEventThirdPartyLimit', LIMIT);
addBandRules('dedAmount', 'deductibleAmount', DED_AMOUNT, true);
addBandRules('dedRate', 'deductibleRate', DED_RATE, true);
addCategoryRules('qm', 'qualityManagement', QM);
addBandRules('loss', 'lossRatio', LOSS);
addCategoryRules('channel', 'channel', CHANNEL);
async function rateWithJre(q: { inputs: BenchInput; months: number }): Promise<number> {
  const { events } = await jre.run(q.inputs as unknown as Record<string, unknown>);
  const c: Record<string, number> = {};
  for (const e of events) {
    const p = e.params as { table: string; value: number };
    if (!(p.table in c)) c[p.table] = p.value;
  }
  const ded = Math.max(c.dedAmount ?? -1, c.dedRate ?? -1);
  const coefs = [c.type, c.amount, c.equipmentLimit, c.thirdPartyLimit, (DED_AMOUNT[ded] as Band)[4], c.qm, c.loss, c.channel] as number[];
  return premiumFen(toFen(q.inputs.contractAmount), coefs, SCALE[q.months] as number);
}

// ---------- zen-engine: a JDM graph of decision tables feeding one expression node ----------
const interval = (b: Band) => {
  const [lo, loInc, hi, hiInc] = b;
  if (!Number.isFinite(hi)) return Number.isFinite(lo) ? `${loInc ? '>=' : '>'} ${lo}` : '';
  if (!Number.isFinite(lo)) return `${hiInc ? '<=' : '<'} ${hi}`;
  return `${loInc ? '[' : '('}${lo}..${hi}${hiInc ? ']' : ')'}`;
};
const dec = (scaled: number) => String(scaled / 10000);
type ZenNode = { id: string; type: string; name: string; position: { x: number; y: number }; content?: unknown };
const nodes: ZenNode[] = [{ id: 'in', type: 'inputNode', name: 'input', position: { x: 0, y: 0 } }];
const edges: { id: string; sourceId: string; targetId: string; type: string }[] = [];
function zenTable(name: string, field: string, out: string, rows: { when: string; value: string }[]) {
  nodes.push({ id: name, type: 'decisionTableNode', name, position: { x: 0, y: 0 }, content: {
    hitPolicy: 'first', inputs: [{ id: 'i', name: field, field }], outputs: [{ id: 'o', name: out, field: out }],
    rules: rows.map((r, i) => ({ _id: `${name}${i}`, i: r.when, o: r.value })),
  } });
  edges.push({ id: `in-${name}`, sourceId: 'in', targetId: name, type: 'edge' }, { id: `${name}-x`, sourceId: name, targetId: 'x', type: 'edge' });
}
zenTable('type', 'equipmentType', 'cType', Object.entries(TYPE).map(([k, v]) => ({ when: `"${k}"`, value: dec(v) })));
zenTable('amount', 'contractAmount', 'cAmount', AMOUNT.map((b) => ({ when: interval(b), value: dec(b[4]) })));
zenTable('equipmentLimit', 'perEventEquipmentLimit', 'cEquipment', LIMIT.map((b) => ({ when: interval(b), value: dec(b[4]) })));
zenTable('thirdPartyLimit', 'perEventThirdPartyLimit', 'cThirdParty', LIMIT.map((b) => ({ when: interval(b), value: dec(b[4]) })));
zenTable('dedAmount', 'deductibleAmount', 'iDedAmount', [...DED_AMOUNT.map((b, i) => ({ when: interval(b), value: String(i) })), { when: '', value: '-1' }]);
zenTable('dedRate', 'deductibleRate', 'iDedRate', [...DED_RATE.map((b, i) => ({ when: interval(b), value: String(i) })), { when: '', value: '-1' }]);
zenTable('qm', 'qualityManagement', 'cQm', Object.entries(QM).map(([k, v]) => ({ when: `"${k}"`, value: dec(v) })));
zenTable('loss', 'lossRatio', 'cLoss', LOSS.map((b) => ({ when: interval(b), value: dec(b[4]) })));
zenTable('channel', 'channel', 'cChannel', Object.entries(CHANNEL).map(([k, v]) => ({ when: `"${k}"`, value: dec(v) })));
nodes.push({ id: 'x', type: 'expressionNode', name: 'premium', position: { x: 0, y: 0 }, content: { expressions: [
  { id: 'p', key: 'premiumFen', value: `round(contractFen * 21 * cType * cAmount * cEquipment * cThirdParty * [${DED_AMOUNT.map((b) => dec(b[4])).join(', ')}][max([iDedAmount, iDedRate])] * cQm * cLoss * cChannel * scale / 100000, 0)` },
] } });
nodes.push({ id: 'out', type: 'outputNode', name: 'output', position: { x: 0, y: 0 } });
edges.push({ id: 'in-x', sourceId: 'in', targetId: 'x', type: 'edge' }, { id: 'x-out', sourceId: 'x', targetId: 'out', type: 'edge' });
const zen = new ZenEngine();
const zenDecision = zen.createDecision({ nodes, edges });
async function rateWithZen(q: { inputs: BenchInput; months: number }): Promise<number> {
  const { result } = await zenDecision.evaluate({ ...q.inputs, contractFen: toFen(q.inputs.contractAmount), scale: SCALE[q.months] });
  return (result as { premiumFen: number }).premiumFen;
}

// ---------- the engine ----------
const product = compileProduct(JSON.parse(readFileSync(new URL('../products/first-set-equipment.json', import.meta.url), 'utf8')));
const contexts = inputs.map((q) => ({ asOf: '2025-06-01', period: { months: q.months } }));
function rateWithEngine(i: number): number {
  return evaluateQuote(product, (inputs[i] as { inputs: BenchInput }).inputs, undefined, contexts[i] as { asOf: string; period: { months: number } }).grossPremiumFen;
}

// ---------- agreement ----------
let disagreements = 0;
for (let i = 0; i < QUOTES; i++) {
  const q = inputs[i] as { inputs: BenchInput; months: number };
  const a = rateWithEngine(i);
  const b = rateByHand(q);
  const c = await rateWithJre(q);
  const d = await rateWithZen(q);
  if (a !== b || a !== c || a !== d) {
    if (disagreements++ < 5) console.error(`disagreement on quote ${i}: engine ${a}, hand ${b}, json-rules-engine ${c}, zen ${d}`, JSON.stringify(q));
  }
}
if (disagreements > 0) {
  console.error(`${disagreements} of ${QUOTES} quotes disagree`);
  process.exit(1);
}
const sample = evaluateQuote(product, (inputs[0] as { inputs: BenchInput }).inputs, undefined, contexts[0] as { asOf: string });
console.log(`all four agree to the fen on ${QUOTES} quotes (e.g. quote 0: ${sample.grossPremiumFen} fen, worksheet of ${sample.worksheet.length} lines)`);

// ---------- throughput ----------
async function measure(name: string, run: (i: number) => unknown): Promise<number> {
  const warmUntil = performance.now() + MEASURE_MS / 4;
  let i = 0;
  while (performance.now() < warmUntil) await run(i++ % QUOTES);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < MEASURE_MS) {
    for (let k = 0; k < 100; k++) await run(n++ % QUOTES);
    now = performance.now();
  }
  const perSecond = (n * 1000) / (now - start);
  console.log(`  ${name.padEnd(22)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} quotes/s`);
  return perSecond;
}
// Synchronous runners are measured without await so promise overhead does not blur them.
function measureSync(name: string, run: (i: number) => unknown): number {
  const warmUntil = performance.now() + MEASURE_MS / 4;
  let i = 0;
  while (performance.now() < warmUntil) run(i++ % QUOTES);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < MEASURE_MS) {
    for (let k = 0; k < 100; k++) run(n++ % QUOTES);
    now = performance.now();
  }
  const perSecond = (n * 1000) / (now - start);
  console.log(`  ${name.padEnd(22)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} quotes/s`);
  return perSecond;
}
console.log(`measuring ${MEASURE_MS} ms each after warm-up, one quote at a time (node ${process.version}):`);
const engineRate = measureSync('rating engine', rateWithEngine);
const handRate = measureSync('hand-written', (i) => rateByHand(inputs[i] as { inputs: BenchInput; months: number }));
const jreRate = await measure('json-rules-engine', (i) => rateWithJre(inputs[i] as { inputs: BenchInput; months: number }));
const zenRate = await measure('zen-engine', (i) => rateWithZen(inputs[i] as { inputs: BenchInput; months: number }));
console.log(`rating: ${Math.round(engineRate)} quotes/s (worksheet on), ${(engineRate / jreRate).toFixed(1)}x json-rules-engine, ${(engineRate / zenRate).toFixed(1)}x zen-engine, ${Math.round((engineRate / handRate) * 100)}% of hand-written`);
