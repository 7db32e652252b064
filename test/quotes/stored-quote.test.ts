// A quote's insert skips mongoose's casting (src/db/insert-batcher.ts insertStored): the document
// createQuote writes must be exactly what casting would have written.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { castDocument } from '../../src/db/insert-batcher.ts';
import { QuoteModel } from '../../src/quotes/quote-model.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

describe('quotes: the stored form of a new quote', () => {
  const t = useTestApp();
  before(() => publishShippedProducts());

  const stored = async (id: string) => (await mongoose.connection.collection('quotes').findOne({ _id: new mongoose.Types.ObjectId(id) })) as Record<string, unknown>;

  /** The document mongoose's casting makes of a stored one (its own timestamps put back). */
  const recast = (doc: Record<string, unknown>) => {
    const { createdAt, updatedAt, ...fields } = doc;
    const { raw } = castDocument(QuoteModel, fields);
    return { ...raw, createdAt, updatedAt };
  };

  for (const [what, vectorOf] of [
    ['quoted, one insurer', (f: string) => shippedVectors(f).find((v) => v.expected.decision === 'quoted' && !v.picks)],
    ['with a broker\'s pick', (f: string) => {
      const v = shippedVectors(f).find((x) => x.expected.decision === 'quoted' && !x.picks);
      return f === 'first-set-equipment.json' && v ? { ...v, picks: { channel: '0.9' } } : undefined;
    }],
    ['referred', (f: string) => shippedVectors(f).find((v) => v.expected.decision === 'referred')],
  ] as const) {
    it(`is what mongoose's casting would store: ${what}`, async () => {
      for (const file of ['first-set-equipment.json', 'ip-patent-enforcement.json', 'rd-project-failure.json']) {
        const vector = vectorOf(file);
        if (!vector) continue;
        const product = JSON.parse(readFileSync(`products/${file}`, 'utf8')) as { code: string };
        const res = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).set('Idempotency-Key', `stored-${what}-${file}`)
          .send({ productCode: product.code, enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, ...(vector.picks ? { picks: vector.picks } : {}), startDate: today() });
        expect(res.status, `${file}: ${JSON.stringify(res.body)}`).to.equal(201);
        const doc = await stored(res.body.id);
        expect(doc.createdEntry, file).to.be.an('object');
        expect(recast(doc), file).to.deep.equal(doc);
        const view = await t.http.get(`/v1/quotes/${res.body.id}`).set(bearer(t.keys.broker));
        // What the creation answered is what a later read answers (which adds the pool's names).
        expect(view.body, file).to.deep.include(res.body);
      }
    });
  }
  // Bulk saving inserts its batches in their stored form too (insertEachStored): the same check
  // for quotes of three products, quoted and referred, saved by one bulk file.
  it('is what mongoose\'s casting would store: a bulk save\'s quotes', async () => {
    const rows = ['first-set-equipment.json', 'ip-patent-enforcement.json', 'rd-project-failure.json'].flatMap((file) => {
      const product = JSON.parse(readFileSync(`products/${file}`, 'utf8')) as { code: string };
      return (['quoted', 'referred'] as const).map((decision) => shippedVectors(file).find((v) => v.expected.decision === decision && !v.picks)).filter((v) => v !== undefined).map((v) => {
        const cells: Record<string, string> = { productCode: product.code, enterpriseId: t.organisations.HZZZ!, startDate: today() };
        for (const [key, value] of Object.entries(v.inputs as Record<string, unknown>)) cells[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
        return cells;
      });
    });
    const body = stringify(rows, { header: true, columns: [...new Set(rows.flatMap((r) => Object.keys(r)))] });
    const res = await t.http.post('/v1/pricing/bulk?save=true&batchId=stored-form').set(bearer(t.keys.broker)).set('Content-Type', 'text/csv').send(body);
    expect(res.status, res.text).to.equal(200);
    const results = parse(res.text, { columns: true, bom: true }) as { status: string; decision: string; quoteId: string; errors: string }[];
    expect(results.map((r) => r.status), JSON.stringify(results.map((r) => r.errors))).to.deep.equal(rows.map(() => 'saved'));
    expect(new Set(results.map((r) => r.decision))).to.deep.equal(new Set(['quoted', 'referred']));
    for (const r of results) {
      const doc = await stored(r.quoteId);
      expect(doc.createdEntry, r.quoteId).to.be.an('object');
      expect(recast(doc), r.quoteId).to.deep.equal(doc);
    }
  });
});
