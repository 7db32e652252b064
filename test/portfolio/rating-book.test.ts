import { expect } from 'chai';
import { fromJsonText } from '../../src/db/json-text.ts';
import { castDocument } from '../../src/db/insert-batcher.ts';
import { QuoteModel, type StoredQuote } from '../../src/quotes/quote-model.ts';
import { PolicyModel } from '../../src/policies/policy-model.ts';
import { policyRatingRecord, type PolicyRecord } from '../../src/policies/policy-service.ts';
import { appendPage, bookKey, compactBooks, entryOfQuoteEvent, packEntries, RatingBookPageModel, RatingBookTailModel, readBook } from '../../src/portfolio/rating-book.ts';
import type { QuoteContext } from '../../src/rating/index.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';
import { expandedQuote } from '../support/stored-quotes.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const BOOK = bookKey(PRODUCT, '2025.1');
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const base = baseVector!.inputs as Record<string, unknown> & { equipment: Record<string, unknown>[] };

describe('Rating book (kept as quotes and policies are stored)', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);

  before(async function () {
    this.timeout(120_000);
    await publishShippedProducts();
    const created = await t.http.post(`/v1/products/${PRODUCT}/versions`).set(as('insurerAdmin')).send({ cloneFrom: '2025.1', version: '2025.2' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const definition = created.body.definition as { plan: { sections: { ratePercent: string }[] } };
    definition.plan.sections[0]!.ratePercent = '2.31';
    expect((await t.http.put(`/v1/products/${PRODUCT}/versions/2025.2`).set(as('insurerAdmin')).send({ definition })).status).to.equal(200);
  });
  afterEach(async () => {
    await QuoteModel.deleteMany({});
    await PolicyModel.deleteMany({});
    await RatingBookTailModel.deleteMany({});
    await RatingBookPageModel.deleteMany({});
  });

  async function quote(changes: Record<string, unknown> = {}) {
    const res = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: { ...structuredClone(base), ...changes }, startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; quoteNumber: string; status: string; result: { grossPremiumFen: number } };
  }
  async function impact(query = '') {
    const res = await t.http.post(`/v1/products/${PRODUCT}/versions/2025.2/impact${query}`).set(as('underwriter'));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { quotes: { count: number; storedPremiumFen: number; largestMovers: { number: string; storedPremiumFen: number }[] }; policies: { count: number } | null; book: { pages: number; tailRecords: number } };
  }
  /** The book entry of a stored quote, as the quote service's hook saw it. */
  async function entryOf(id: string) {
    const doc = (await expandedQuote<StoredQuote>(id))!;
    return entryOfQuoteEvent({
      id, quoteNumber: doc.quoteNumber, productCode: doc.productCode, productVersion: doc.productVersion, status: doc.status, inputs: fromJsonText(doc.inputs),
      picks: doc.picks as Record<string, string>, context: fromJsonText<QuoteContext>(doc.context), grossPremiumFen: doc.grossPremiumFen,
      decision: fromJsonText<{ decision: { outcome: string } }>(doc.result).decision.outcome, revision: doc.underwriting?.action ? 1 : 0,
    });
  }

  it('counts a quote created through the API in the next analysis, from the tail', async () => {
    const q = await quote();
    const report = await impact();
    expect(report.quotes.count).to.equal(1);
    expect(report.quotes.storedPremiumFen).to.equal(q.result.grossPremiumFen);
    expect(report.book).to.include({ pages: 0, tailRecords: 1 });
    expect(await RatingBookTailModel.countDocuments({ _id: `quote:${q.id}:0` })).to.equal(1);
    // The record was inserted without mongoose's casting: it is what casting would have stored.
    const stored = await RatingBookTailModel.collection.findOne({ _id: `quote:${q.id}:0` as never });
    expect(castDocument(RatingBookTailModel, { ...stored! }).raw).to.deep.equal(stored);
  });

  it('counts an approved quote once, with its new picks and premium', async () => {
    const referred = await quote({ aggregateLimit: Number(base.contractAmount) / 2 });
    expect(referred.status).to.equal('referred');
    const approved = await t.http.post(`/v1/quotes/${referred.id}/approve`).set(as('underwriter')).send({ picks: { qualityManagement: '0.9' } });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    expect(approved.body.result.grossPremiumFen).not.to.equal(referred.result.grossPremiumFen);
    const report = await impact();
    expect(report.quotes.count).to.equal(1);
    expect(report.quotes.storedPremiumFen).to.equal(approved.body.result.grossPremiumFen);
    // …also once packed into a page, the two revisions then side by side in it.
    expect(await compactBooks({ book: BOOK, minRecords: 1 })).to.equal(2);
    const packed = await impact();
    expect(packed.book).to.include({ pages: 1, tailRecords: 0 });
    expect(packed.quotes.count).to.equal(1);
    expect(packed.quotes.storedPremiumFen).to.equal(approved.body.result.grossPremiumFen);
  });

  it('does not count declined quotes in book premium: declined by the engine or by an underwriter', async () => {
    const kept = await quote();
    const engineDeclined = await quote({ userOrder: 4 });
    expect(engineDeclined.status).to.equal('declined');
    const referred = await quote({ aggregateLimit: Number(base.contractAmount) / 2 });
    const declined = await t.http.post(`/v1/quotes/${referred.id}/decline`).set(as('underwriter')).send({ reason: 'Aggregate limit too low.' });
    expect(declined.status, JSON.stringify(declined.body)).to.equal(200);
    const report = await impact();
    expect(report.quotes.count).to.equal(1);
    expect(report.quotes.storedPremiumFen).to.equal(kept.result.grossPremiumFen);
    // …also once packed into a page.
    await compactBooks({ book: BOOK, minRecords: 1 });
    const packed = await impact();
    expect(packed.quotes.storedPremiumFen).to.equal(kept.result.grossPremiumFen);
  });

  it('counts a record once when a crash left it both in a page and in the tail', async () => {
    const q = await quote();
    await appendPage(BOOK, [await entryOf(q.id)]); // compaction wrote its page, then stopped before deleting the tail record
    const report = await impact();
    expect(report.book).to.include({ pages: 1, tailRecords: 1 });
    expect(report.quotes.count).to.equal(1);
    expect(report.quotes.storedPremiumFen).to.equal(q.result.grossPremiumFen);
  });

  it('counts every quote once when two compactions run at the same time', async () => {
    const quotes = [];
    for (let i = 0; i < 4; i++) quotes.push(await quote({ contractAmount: 600 + i * 100, aggregateLimit: 600 + i * 100, perEventEquipmentLimit: 600 + i * 100 }));
    const packed = await Promise.all([compactBooks({ book: BOOK, minRecords: 1 }), compactBooks({ book: BOOK, minRecords: 1 })]);
    expect(packed).to.deep.equal([4, 4]); // both read the four records before either deleted them
    expect(await RatingBookTailModel.countDocuments({})).to.equal(0);
    const { pages, entries } = await readBook(PRODUCT, '2025.1');
    expect(pages).to.equal(2); // two pages (seq 0 and 1), each claimed by one compaction
    expect(entries.quote.map((e) => e.id).sort()).to.deep.equal(quotes.map((q) => q.id).sort());
    const report = await impact();
    expect(report.quotes.count).to.equal(4);
    expect(report.quotes.storedPremiumFen).to.equal(quotes.reduce((s, q) => s + q.result.grossPremiumFen, 0));
  });

  it('records a bound policy from the record its bind announced, as a read of the policy would', async () => {
    const announced: PolicyRecord[] = [];
    t.events.onPolicyIssued(async (policy) => void announced.push(policy));
    const q = await quote();
    const bound = await t.http.post(`/v1/quotes/${q.id}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    // The hub carries the policy's record (not its API view): a frozen record whose times are Dates.
    expect(announced).to.have.length(1);
    const [policy] = announced;
    expect(Object.isFrozen(policy)).to.equal(true);
    expect(policy).to.include({ id: bound.body.id, policyNumber: bound.body.policyNumber, quoteNumber: q.quoteNumber });
    expect(policy!.issuedAt).to.be.instanceOf(Date);
    // The book's entry, made from that record without reading the policy, is the one a read makes.
    const tail = await RatingBookTailModel.collection.findOne({ _id: `policy:${bound.body.id}` } as never);
    expect(tail?.data).to.equal(packEntries([entryOfQuoteEvent((await policyRatingRecord(bound.body.id))!, 'policy')]));
    const report = await impact();
    expect(report.policies?.count, 'the policy is re-rated by the next analysis').to.equal(1);
  });

  it('counts quotes saved by bulk quoting (one page per batch), and a replayed batch adds none', async () => {
    const header = ['reference', 'enterpriseCode', 'startDate', ...Object.keys(base).filter((k) => k !== 'equipment'), 'equipment.0.name', 'equipment.0.model', 'equipment.0.units'];
    const rows = [1000, 1200, 1400].map((contract) => {
      const values: Record<string, unknown> = { ...base, contractAmount: contract, aggregateLimit: contract, perEventEquipmentLimit: contract, reference: `C${contract}`, enterpriseCode: 'HZZZ', startDate: today(), 'equipment.0.name': base.equipment[0]!.name, 'equipment.0.model': base.equipment[0]!.model, 'equipment.0.units': base.equipment[0]!.units };
      return header.map((h) => String(values[h] ?? '')).join(',');
    });
    const csv = `${[header.join(','), ...rows].join('\n')}\n`;
    const save = () => t.http.post(`/v1/pricing/bulk?product=${PRODUCT}&save=true&batchId=book-test&format=json`).set(as('broker')).set('Content-Type', 'text/csv').send(csv);
    const first = await save();
    expect(first.status, first.text).to.equal(200);
    expect(first.body.summary).to.include({ saved: 3, failed: 0 });
    const single = await quote();
    const report = await impact();
    expect(report.book).to.include({ pages: 1, tailRecords: 1 });
    expect(report.quotes.count).to.equal(4);
    const saved = first.body.rows as { quoteId: string; quoteNumber: string; grossPremiumFen: number }[];
    expect(report.quotes.storedPremiumFen).to.equal(saved.reduce((s, r) => s + r.grossPremiumFen, 0) + single.result.grossPremiumFen);

    const again = await save();
    expect(again.body.summary).to.include({ saved: 0, replayed: 3 });
    expect(again.body.rows.map((r: { quoteId: string }) => r.quoteId)).to.deep.equal(saved.map((r) => r.quoteId));
    expect((await impact()).quotes.count).to.equal(4);

    // A bulk-saved quote is a quote like any other: it re-rates to the fen and has its audit entry.
    const verified = await t.http.get(`/v1/quotes/${saved[0]!.quoteId}?verify=true`).set(as('broker'));
    expect(verified.status, JSON.stringify(verified.body)).to.equal(200);
    expect(verified.body.quoteNumber).to.equal(saved[0]!.quoteNumber);
    expect(verified.body.verification.matches, JSON.stringify(verified.body.verification)).to.equal(true);
    const trail = await t.http.get(`/v1/audit?entity=quote&id=${saved[0]!.quoteId}`).set(as('broker'));
    expect(trail.status).to.equal(200);
    expect(trail.body.items.filter((e: { action: string }) => e.action === 'quote.create')).to.have.length(1);
  });
});
