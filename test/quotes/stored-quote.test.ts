// A quote's insert skips mongoose's casting (src/db/insert-batcher.ts insertStored): the document
// createQuote writes must be exactly what casting would have written.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { readFileSync } from 'node:fs';
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
});
