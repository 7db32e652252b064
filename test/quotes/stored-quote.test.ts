// A quote's insert skips mongoose's casting (src/db/insert-batcher.ts insertStored): the document
// createQuote writes must be exactly what casting would have written.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { castDocument } from '../../src/db/insert-batcher.ts';
import { DICTIONARY_PACKED, fromJsonText } from '../../src/db/json-text.ts';
import { createServiceScope } from '../../src/db/service-scope.ts';
import { policyRatingRecord } from '../../src/policies/policy-service.ts';
import { QuoteModel } from '../../src/quotes/quote-model.ts';
import { findQuoteRecord } from '../../src/quotes/quote-service.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, inTestService, useTestApp } from '../support/test-app.ts';
import { expandedQuote } from '../support/stored-quotes.ts';

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
        expect(doc, file).to.have.all.keys('_id', 'quoteNumber', 'idempotencyScope', 'status', 'productCode', 'productVersion', 'grossPremiumFen', 'z', 'createdAt', 'updatedAt');
        // The creation's audit entry is the quote's own fields (createdBy with role and organisation).
        expect((await expandedQuote<{ createdBy: object }>(res.body.id as string))!.createdBy, file).to.include({ role: 'broker', organisationId: t.organisations.MXB });
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
      expect(doc, r.quoteId).to.have.all.keys('_id', 'quoteNumber', 'idempotencyScope', 'status', 'productCode', 'productVersion', 'grossPremiumFen', 'z', 'createdAt', 'updatedAt');
      expect((await expandedQuote<{ createdBy: object }>(r.quoteId))!.createdBy, r.quoteId).to.include({ role: 'broker', organisationId: t.organisations.MXB });
      expect(recast(doc), r.quoteId).to.deep.equal(doc);
    }
  });
});

// A stored context names its subsidy programmes by snapshot id (src/quotes/stored-context.ts);
// quotes stored before, with the programmes' full text, still read as they did.
describe('quotes: a stored quote names its subsidy programmes by snapshot and packs its result', () => {
  const t = useTestApp();
  before(() => publishShippedProducts());

  const collection = (name: string) => mongoose.connection.collection(name);
  const byId = async (name: string, id: string) => (await collection(name).findOne({ _id: new mongoose.Types.ObjectId(id) }))!;
  // 首台（套）: a worksheet of a dozen steps, four programmes (one applied, three ineligible).
  const vector = () => shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
  /** A new quote's id; its result as the creation answered it (as rated) in `answered`. */
  const answered = new Map<string, unknown>();
  async function quote(key: string): Promise<string> {
    const res = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).set('Idempotency-Key', key)
      .send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: vector().inputs, startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    answered.set(res.body.id as string, res.body.result);
    return res.body.id as string;
  }
  /** Stores a copy of a quote as the code before stored it: the context with its programmes' full text, the result as JSON text, the inputs as an object. */
  async function storedTheOldWay(id: string, programmes: readonly object[]): Promise<string> {
    const { z: _z, ...doc } = (await expandedQuote<Record<string, unknown>>(id))!;
    const context = fromJsonText<Record<string, unknown>>(doc.context);
    const oldId = new mongoose.Types.ObjectId();
    await collection('quotes').insertOne({ ...doc, _id: oldId, quoteNumber: `${doc.quoteNumber as string}OLD`, idempotencyScope: `old:${id}`, context: JSON.stringify({ ...context, programmes }), result: JSON.stringify(answered.get(id)), inputs: vector().inputs });
    return String(oldId);
  }
  const withoutIds = (record: object) => ({ ...record, id: undefined, quoteNumber: undefined });

  it('stores each programme once, as a snapshot, and the quote its id', async () => {
    const id = await quote('snapshot-ids-1');
    const programmes = await inTestService(() => t.services.subsidies.programmesFor('first-set-equipment'));
    expect(programmes.length, 'the line has programmes').to.be.greaterThan(1);
    const context = fromJsonText<{ programmes: unknown[] }>((await expandedQuote<{ context: unknown }>(id))!.context);
    expect(context.programmes).to.have.length(programmes.length);
    for (const p of context.programmes) expect(p).to.be.a('string').with.length(24);
    const snapshots = await collection('programmeSnapshots').find({}).toArray();
    expect(snapshots.map((s) => s._id).sort()).to.deep.equal([...(context.programmes as string[])].sort());
    expect(snapshots.map((s) => JSON.parse(s.text as string) as unknown)).to.have.deep.members(programmes);
    await quote('snapshot-ids-2');
    expect(await collection('programmeSnapshots').countDocuments({}), 'a second quote stores no snapshot').to.equal(programmes.length);
    // The inputs, context and result are packed with the other cold fields and the product's
    // dictionary (src/quotes/quote-model.ts): all of them in less than a fifth of the result's text.
    const packed = (await byId('quotes', id)).z as mongoose.mongo.Binary;
    expect(packed.sub_type).to.equal(DICTIONARY_PACKED);
    expect((await expandedQuote<{ inputs: unknown }>(id))!.inputs, 'the inputs').to.deep.equal(vector().inputs);
    const record = await inTestService(() => findQuoteRecord(id));
    expect(packed.length()).to.be.lessThan(JSON.stringify(record!.result).length / 5);
  });

  it('reads back the record, view and verification a quote with the programmes\' text reads (stored before)', async () => {
    const id = await quote('snapshot-read-1');
    const oldId = await storedTheOldWay(id, await inTestService(() => t.services.subsidies.programmesFor('first-set-equipment')));
    const [fresh, old] = await inTestService(() => Promise.all([findQuoteRecord(id), findQuoteRecord(oldId)]));
    expect(fresh!.context.programmes!.length).to.be.greaterThan(1);
    expect(withoutIds(fresh!)).to.deep.equal(withoutIds(old!));
    expect(fresh!.result.worksheet.length, 'a rich worksheet').to.be.greaterThan(8);
    const [view, oldView] = await Promise.all([id, oldId].map((q) => t.http.get(`/v1/quotes/${q}?verify=true`).set(bearer(t.keys.broker))));
    expect(view!.status).to.equal(200);
    expect(view!.body.verification).to.include({ matches: true });
    expect(withoutIds(view!.body as object)).to.deep.equal(withoutIds(oldView!.body as object));
    // A quote stored before lists were kept is listed once book:migrate has built them (#25).
    await inTestService(() => t.services.quotes.buildLists());
    const list = await t.http.get('/v1/quotes?limit=100').set(bearer(t.keys.broker));
    const listed = (list.body.items as { id: string }[]).filter((q) => q.id === id || q.id === oldId);
    expect(listed).to.have.length(2);
    expect(withoutIds(listed[0]!)).to.deep.equal(withoutIds(listed[1]!));
  });

  it('reads its programmes by _id in a service that has not met them', async () => {
    const id = await quote('snapshot-cold-1');
    const known = await inTestService(() => findQuoteRecord(id));
    const cold = await createServiceScope().run(() => findQuoteRecord(id));
    expect(cold).to.deep.equal(known);
    const snapshots = await collection('programmeSnapshots').find({}).toArray();
    await collection('programmeSnapshots').deleteMany({});
    const missing = await createServiceScope().run(() => findQuoteRecord(id).then(() => 'read', (err: Error) => err.message));
    await collection('programmeSnapshots').insertMany(snapshots);
    expect(missing).to.match(/subsidy programme snapshot .* is missing/);
  });

  it('a policy names them too and reads back its quote\'s context', async () => {
    const id = await quote('snapshot-policy-1');
    const bind = await t.http.post(`/v1/quotes/${id}/bind`).set(bearer(t.keys.broker));
    expect(bind.status, JSON.stringify(bind.body)).to.equal(201);
    const policy = await byId('policies', bind.body.id as string);
    for (const field of ['inputs', 'context', 'result']) expect((policy[field] as mongoose.mongo.Binary).sub_type, field).to.equal(DICTIONARY_PACKED);
    for (const p of fromJsonText<{ programmes: unknown[] }>(policy.context).programmes) expect(p).to.be.a('string');
    const [record, quoteRecord] = await inTestService(() => Promise.all([policyRatingRecord(bind.body.id as string), findQuoteRecord(id)]));
    expect(record!.context).to.deep.equal(quoteRecord!.context);
    const view = await t.http.get(`/v1/policies/${bind.body.id as string}`).set(bearer(t.keys.broker));
    expect(view.body).to.deep.include(bind.body);
  });
});
