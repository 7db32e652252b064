import { expect } from 'chai';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
// Contract amounts (万元) of the small book; limits follow the contract so every quote is 'quoted'.
const CONTRACTS = [500, 800, 1500, 3000, 6000];

type Definition = Record<string, unknown> & {
  version: string;
  plan: { sections: { ratePercent: string }[] };
  underwriting: Record<string, unknown>[];
  form: { fields: { key: string; max?: string }[] };
};

describe('Rate-change impact analysis', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  const stored: { quoteNumber: string; gross: number; contract: number }[] = [];

  /** A draft cloned from 2025.1 under `version`, edited by `edit`. */
  async function draft(version: string, edit: (d: Definition) => void) {
    const created = await t.http.post(`/v1/products/${PRODUCT}/versions`).set(as('insurerAdmin')).send({ cloneFrom: '2025.1', version });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const definition = created.body.definition as Definition;
    edit(definition);
    const updated = await t.http.put(`/v1/products/${PRODUCT}/versions/${version}`).set(as('insurerAdmin')).send({ definition });
    expect(updated.status, JSON.stringify(updated.body)).to.equal(200);
  }

  async function impact(version: string, query = '', key: keyof typeof t.keys = 'underwriter') {
    return t.http.post(`/v1/products/${PRODUCT}/versions/${version}/impact${query}`).set(as(key));
  }

  before(async function () {
    this.timeout(120_000);
    await publishShippedProducts();
    for (const contract of CONTRACTS) {
      const inputs = { ...structuredClone(baseVector!.inputs), contractAmount: contract, aggregateLimit: contract, perEventEquipmentLimit: contract };
      const res = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs, startDate: today() });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.status).to.equal('quoted');
      stored.push({ quoteNumber: res.body.quoteNumber, gross: res.body.result.grossPremiumFen, contract });
    }
    const quoteId = (await t.http.get('/v1/quotes').set(as('broker'))).body.items.find((q: { quoteNumber: string }) => q.quoteNumber === stored[0]!.quoteNumber).id;
    expect((await t.http.post(`/v1/quotes/${quoteId}/bind`).set(as('broker'))).status).to.equal(201);

    // Base rate 2.1% → 2.31%: exactly +10% on every quote before rounding.
    await draft('2025.2', (d) => {
      d.plan.sections[0]!.ratePercent = '2.31';
    });
    // A new rule refers contracts above 2000万.
    await draft('2025.3', (d) => {
      d.underwriting.push({ key: 'large-contract', action: 'refer', authority: 'head-office-underwriting', reason: { zh: '合同金额超过2000万元', en: 'Contract above 20 million CNY' }, all: [{ quantity: 'contractAmount', op: '>', value: '2000', unit: '万元' }] });
    });
    // The form now stops at 5000万: the largest stored quote no longer rates.
    await draft('2025.4', (d) => {
      d.form.fields.find((f) => f.key === 'contractAmount')!.max = '5000';
    });
  });

  it('raises every quote by 10% (to the rounding) when the base rate goes up 10%', async () => {
    const res = await impact('2025.2');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const q = res.body.quotes;
    expect(res.body).to.include({ productCode: PRODUCT, version: '2025.2', versionStatus: 'draft', baseline: '2025.1' });
    expect(q).to.include({ count: 5, rated: 5, increased: 5, decreased: 0, unchanged: 0 });
    expect(res.body.book).to.include({ refreshed: false, pages: 0, tailRecords: 6 }); // 5 quotes and a policy, recorded as they were stored
    const storedTotal = stored.reduce((s, x) => s + x.gross, 0);
    expect(q.storedPremiumFen).to.equal(storedTotal);
    expect(Math.abs(q.newPremiumFen - storedTotal * 1.1)).to.be.at.most(5 * 100); // ≤ 1 元 per quote of rounding
    expect(q.changePercent).to.be.closeTo(10, 0.01);
    for (const stat of ['mean', 'median', 'p90', 'min', 'max']) expect(q.perQuoteChangePercent[stat], stat).to.be.closeTo(10, 0.01);
    // Hand-computed in fen: the change of each quote is 10% of its stored premium.
    const changes = stored.map((s) => s.gross * 0.1).sort((a, b) => a - b);
    expect(q.perQuoteChangeFen.median).to.be.closeTo(changes[2]!, 100);
    expect(q.perQuoteChangeFen.min).to.be.closeTo(changes[0]!, 100);
    expect(q.perQuoteChangeFen.max).to.be.closeTo(changes[4]!, 100);
    expect(q.perQuoteChangeFen.p90).to.be.closeTo(changes[4]!, 100); // nearest rank: ceil(0.9 × 5) = 5th
    expect(q.perQuoteChangeFen.mean).to.be.closeTo(changes.reduce((a, b) => a + b, 0) / 5, 100);
    expect(q.decisionChanges.total).to.equal(0);
    expect(q.inputErrors.count).to.equal(0);
    const largest = [...stored].sort((a, b) => b.gross - a.gross);
    expect(q.largestMovers.map((m: { number: string }) => m.number)).to.deep.equal(largest.map((s) => s.quoteNumber));
    expect(res.body.policies).to.include({ count: 1, rated: 1, increased: 1 });
    expect(res.body.policies.changePercent).to.be.closeTo(10, 0.01);
  });

  it('counts decisions that change when a new rule refers some quotes, with the premium unchanged', async () => {
    const res = await impact('2025.3', '?top=2&policies=false');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const q = res.body.quotes;
    expect(q).to.include({ count: 5, rated: 5, unchanged: 5, changeFen: 0 });
    expect(q.decisionChanges).to.deep.equal({ total: 2, transitions: [{ from: 'quoted', to: 'referred', count: 2 }] });
    expect(q.largestMovers).to.have.length(2);
    expect(res.body.policies).to.equal(null);
  });

  it('reports quotes the new version no longer rates, by path and quote number', async () => {
    const res = await impact('2025.4');
    const q = res.body.quotes;
    expect(q).to.include({ count: 5, rated: 4 });
    expect(q.inputErrors.count).to.equal(1);
    expect(q.inputErrors.byPath).to.have.length(1);
    expect(q.inputErrors.byPath[0]).to.include({ path: '/inputs/contractAmount', count: 1 });
    expect(q.inputErrors.byPath[0].message).to.match(/^must be between .+ and 5000$/);
    expect(q.inputErrors.examples[0].number).to.equal(stored.find((s) => s.contract === 6000)!.quoteNumber);
  });

  it('takes another baseline, and refuses the version itself as its baseline', async () => {
    const res = await impact('2025.3', '?baseline=2025.2');
    expect(res.status).to.equal(200);
    expect(res.body.quotes.count).to.equal(0);
    expect(res.body.quotes.perQuoteChangeFen).to.equal(null);
    expect((await impact('2025.2', '?baseline=2025.2')).status).to.equal(400);
  });

  it('is the product insurer\'s business only: another insurer gets 404, a broker 403', async () => {
    expect((await impact('2025.2', '', 'otherInsurerAdmin')).status).to.equal(404);
    expect((await impact('2025.2', '', 'broker')).status).to.equal(403);
    expect((await impact('9.9')).status).to.equal(404);
  });

  it('counts a quote created since the last analysis at once, and a refresh (reading every stored quote into the book) counts nothing twice', async () => {
    const inputs = { ...structuredClone(baseVector!.inputs), contractAmount: 700, aggregateLimit: 700, perEventEquipmentLimit: 700 };
    expect((await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs, startDate: today() })).status).to.equal(201);
    const next = await impact('2025.2');
    expect(next.body.quotes.count).to.equal(6);
    const refreshed = await impact('2025.2', '?refresh=true');
    expect(refreshed.status, JSON.stringify(refreshed.body)).to.equal(200);
    expect(refreshed.body.book.refreshed).to.equal(true);
    expect(refreshed.body.quotes.count).to.equal(6);
    expect(refreshed.body.policies.count).to.equal(1);
    expect(refreshed.body.quotes.changePercent).to.be.closeTo(10, 0.01);
  });
});
