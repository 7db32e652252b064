// Writes the preset dictionaries of packed JSON (src/db/pack-dictionaries.json, #25 "Smaller
// documents"): for each product of products/, the text a stored quote of it repeats — its result's
// keys, worksheet and section labels, subsidy programmes' names and reasons, its inputs' and its
// context's keys — taken from its last quoted test vector, rated with every programme of
// products/subsidies. A value packed with a dictionary names it by number; deflate then refers to
// the dictionary's text instead of repeating it (a quote's result: ~1.9 kB packed alone, ~0.4 kB
// with its product's dictionary).
//
// A dictionary, once shipped, is part of the stored data: values packed with it inflate only with
// the same bytes. So this script only ADDS dictionaries (new numbers) for products that have none,
// and never changes one (test/db/json-text.test.ts pins each by its SHA-256).
//
//   npx tsx scripts/pack-dictionaries.ts   (test/db/json-text.test.ts fails while a product has none)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { compileProduct, evaluateQuote, type SubsidyProgramme } from '../src/rating/index.ts';
import { PACK_DICTIONARY_FILE, type PackDictionaryFile } from '../src/db/json-text.ts';

/** Deflate's window: a preset dictionary's last 32 KiB are all it can refer to. */
const WINDOW = 32 * 1024;

const programmes = readdirSync('products/subsidies').filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(`products/subsidies/${f}`, 'utf8')) as SubsidyProgramme);
const enterprise = { regionCode: '330106', qualifications: ['high-tech', 'specialised-sme'], supportYear: 1, receivedThisYear: [] };

interface Vector { inputs: Record<string, unknown>; picks?: Record<string, string | number>; expected: { decision: string } }

/** A product's dictionary: its context, inputs and result as a stored quote holds them (the result last: deflate's nearest). */
function dictionaryOf(file: string): string {
  const definition = JSON.parse(readFileSync(`products/${file}`, 'utf8')) as { testVectors: Vector[] };
  const product = compileProduct(definition);
  const quoted = definition.testVectors.filter((v) => v.expected.decision === 'quoted');
  const vector = quoted.filter((v) => !v.picks).at(-1) ?? quoted.at(-1) ?? definition.testVectors[0]!;
  const asOf = product.effectiveFrom;
  const result = evaluateQuote(product, vector.inputs, vector.picks, { asOf, role: 'underwriter', enterprise, programmes });
  const storedContext = { asOf, period: { start: asOf, end: asOf }, role: 'broker', enterprise, programmes: programmes.map((p) => p.code) };
  const text = JSON.stringify(storedContext) + JSON.stringify(vector.inputs) + JSON.stringify(result);
  return Buffer.from(text).subarray(-WINDOW).toString('utf8').replace(/^\uFFFD+/, '');
}

const current = JSON.parse(readFileSync(PACK_DICTIONARY_FILE, 'utf8')) as PackDictionaryFile;
const known = new Set(Object.values(current.dictionaries).flatMap((d) => d.products));
let next = Math.max(0, ...Object.keys(current.dictionaries).map(Number)) + 1;
const added: string[] = [];
for (const file of readdirSync('products').filter((f) => f.endsWith('.json')).sort()) {
  const { code } = JSON.parse(readFileSync(`products/${file}`, 'utf8')) as { code: string };
  if (known.has(code)) continue;
  // A packed value names its dictionary in one byte (src/db/json-text.ts).
  if (next > 255) throw new Error(`no room for a dictionary of ${code}: numbers 1–255 are taken (a new format would be needed)`);
  current.dictionaries[String(next++)] = { products: [code], text: dictionaryOf(file) };
  added.push(code);
}
if (added.length) {
  writeFileSync(PACK_DICTIONARY_FILE, `${JSON.stringify(current, null, 1)}\n`);
  process.stdout.write(`added dictionaries for ${added.join(', ')}\n`);
} else {
  process.stdout.write('every product has its dictionary\n');
}
