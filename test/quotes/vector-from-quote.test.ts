import { expect } from 'chai';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

describe('Catalogue: test vectors from stored quotes', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  let quote: { id: string; quoteNumber: string; insurerOrganisationId: string; productCode: string; inputs: Record<string, unknown>; picks: Record<string, unknown>; result: { grossPremiumFen: number; decision: { outcome: string } } };
  let published: string;
  let draft: { version: string; definition: Record<string, unknown> & { testVectors: unknown[]; plan: { sections: { ratePercent: string }[] } } };
  const add = (body: Record<string, unknown>, key: keyof typeof t.keys = 'insurerAdmin', version = draft.version) =>
    t.http.post(`/v1/products/${PRODUCT}/versions/${version}/vectors-from-quote`).set(as(key)).send(body);

  before(async () => {
    await publishShippedProducts();
    const res = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: baseVector!.inputs, picks: { channel: '0.9' }, startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    quote = res.body;
    published = res.body.productVersion;
    const clone = await t.http.post(`/v1/products/${PRODUCT}/versions`).set(as('insurerAdmin')).send({ cloneFrom: published });
    expect(clone.status).to.equal(201);
    draft = clone.body;
  });

  it('stores the quote\'s inputs, picks and period with the draft\'s outcome as expected, and the vector passes', async () => {
    const res = await add({ quoteId: quote.id });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.vector).to.deep.include({ name: `报价 ${quote.quoteNumber}`, inputs: quote.inputs, picks: quote.picks, period: { months: 12 } });
    // The draft is an unchanged clone of the quote's version: it gives the quote's own outcome.
    expect(res.body.vector.expected).to.deep.include({ decision: quote.result.decision.outcome, grossPremiumFen: quote.result.grossPremiumFen });
    expect(res.body.quote).to.deep.include({ id: quote.id, quoteNumber: quote.quoteNumber, productVersion: published, grossPremiumFen: quote.result.grossPremiumFen });
    expect(res.body.vectorCount).to.equal(draft.definition.testVectors.length + 1);
    const stored = await t.http.get(`/v1/products/${PRODUCT}/versions/${draft.version}`).set(as('underwriter'));
    expect(stored.body.definition.testVectors.at(-1)).to.deep.equal(res.body.vector);
    const run = await t.http.post(`/v1/products/${PRODUCT}/versions/${draft.version}/test`).set(as('insurerAdmin'));
    expect(run.body.passed, JSON.stringify(run.body.vectors.filter((v: { passed: boolean }) => !v.passed))).to.equal(true);
  });

  it('expects what the draft gives once its rates change', async () => {
    const current = (await t.http.get(`/v1/products/${PRODUCT}/versions/${draft.version}`).set(as('insurerAdmin'))).body.definition;
    current.plan.sections[0].ratePercent = '4.2';
    current.testVectors = current.testVectors.filter((v: { name: string }) => v.name.startsWith('报价'));
    expect((await t.http.put(`/v1/products/${PRODUCT}/versions/${draft.version}`).set(as('insurerAdmin')).send({ definition: current })).status).to.equal(200);
    const res = await add({ quoteId: quote.id, name: 'doubled base rate' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.vector.expected.grossPremiumFen).to.be.closeTo(quote.result.grossPremiumFen * 2, 2);
    expect(res.body.quote.grossPremiumFen).to.equal(quote.result.grossPremiumFen);
  });

  it('offers a quote\'s drafts to exactly the callers the API lets keep it (vectorDraftsFor: the rule it refuses by)', async () => {
    const offered: Record<string, boolean> = {};
    for (const key of ['insurerAdmin', 'platformAdmin', 'poolInsurerAdmin', 'otherInsurerAdmin', 'underwriter', 'broker'] as const) {
      const drafts = await t.services.quotes.vectorDraftsFor(await t.services.auth.resolveApiKey(t.keys[key]), quote);
      offered[key] = drafts.includes(draft.version);
      expect(drafts, `${key}: drafts only`).to.not.include(published);
      const res = await add({ quoteId: quote.id, name: `kept by ${key}` }, key);
      expect(res.status === 201, `${key}: offered ${offered[key]}, API ${res.status}`).to.equal(offered[key]);
    }
    // The lead insurer's admins and platform admins; a pool follower's admin reads the quote, but the product is the lead's.
    expect(offered).to.deep.equal({ insurerAdmin: true, platformAdmin: true, poolInsurerAdmin: false, otherInsurerAdmin: false, underwriter: false, broker: false });
  });

  it('refuses a taken name (409), a published version (409), another insurer (404) and brokers (403)', async () => {
    expect((await add({ quoteId: quote.id, name: 'doubled base rate' })).status).to.equal(409);
    expect((await add({ quoteId: quote.id }, 'insurerAdmin', published)).status).to.equal(409);
    expect((await add({ quoteId: quote.id }, 'otherInsurerAdmin')).status).to.equal(404);
    expect((await add({ quoteId: quote.id }, 'broker')).status).to.equal(403);
    expect((await add({ quoteId: '0123456789abcdef01234567' })).status).to.equal(404);
  });
});
