// One record per capability (#24): a stored quote and a policy leave their services as plain,
// frozen records made by one mapper each; the rating read model of both is built once, and their
// views share what they have in common.
import { expect } from 'chai';
import mongoose from 'mongoose';
import type { Caller } from '../../src/auth/caller.ts';
import { loadVisiblePolicy, policyRatingRecord, policyRatingRecords, toPolicyView, type PolicyRecord } from '../../src/policies/policy-service.ts';
import { loadVisibleQuote, quoteRatingRecords, ratedViewFields, storedQuoteEvent, toQuoteView, type QuoteRecord, type RatedRecord } from '../../src/quotes/quote-service.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

/** The fields a quote's and a policy's records share (RatedRecord), but their own id. */
const SHARED: readonly (keyof RatedRecord)[] = ['quoteNumber', 'productCode', 'productVersion', 'line', 'enterpriseOrganisationId', 'enterpriseName', 'brokerOrganisationId', 'insurerOrganisationId', 'startDate', 'endDate', 'inputs', 'picks', 'context', 'result'];

function expectPlainAndFrozen(record: object): void {
  expect(record).not.to.be.instanceOf(mongoose.Document);
  expect(Object.getPrototypeOf(record)).to.equal(Object.prototype);
  expect(Object.isFrozen(record)).to.equal(true);
  expect(() => { (record as { quoteNumber: string }).quoteNumber = 'changed'; }).to.throw(TypeError);
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('quotes and policies: one record each', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  let admin: Caller;

  before(async () => {
    await publishShippedProducts();
    admin = { keyId: 'records', userName: 'admin', role: 'platform-admin', organisationId: t.organisations.PLATFORM!, organisationKind: 'platform', organisationCode: 'PLATFORM' };
  });

  async function newQuote(inputs: Record<string, unknown> = structuredClone(baseVector!.inputs)): Promise<string> {
    const res = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs, startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  }

  it('hands out a stored quote as a plain frozen record, decoded, and its view from it', async () => {
    const id = await newQuote();
    const record: QuoteRecord = await loadVisibleQuote(admin, id);
    expectPlainAndFrozen(record);
    expect(record.id).to.equal(id);
    expect(record.result.grossPremiumFen).to.equal(baseVector!.expected.grossPremiumFen);
    expect(record.context.asOf).to.equal(record.startDate);
    expect(record.createdAt).to.be.instanceOf(Date);
    expect(record.createdEntry?.actor.role).to.equal('broker');
    const answered = (await t.http.get(`/v1/quotes/${id}`).set(as('broker'))).body;
    expect(answered).to.deep.include(toQuoteView(record));
    expect(Object.keys(record)).not.to.include('_id');
  });

  it('hands out an approved quote with its decision decoded (the result before it, too)', async () => {
    const inputs = structuredClone(baseVector!.inputs) as Record<string, number>;
    inputs.aggregateLimit = Number(inputs.contractAmount) / 2;
    const id = await newQuote(inputs);
    const approved = await t.http.post(`/v1/quotes/${id}/approve`).set(as('underwriter')).send({ picks: { qualityManagement: '0.9' }, note: 'agreed' });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    const record = await loadVisibleQuote(admin, id);
    expect(record.status).to.equal('approved');
    expect(record.underwriting).to.include({ action: 'approve', reason: 'agreed' });
    // Its creation, as the audit trail shows it: referred, at the premium rated before the decision.
    expect(record.createdEntry).to.deep.include({ status: 'referred', grossPremiumFen: record.underwriting!.originalResult!.grossPremiumFen, at: record.createdAt });
    expect(record.createdEntry!.actor).to.deep.equal({ keyId: record.createdEntry!.actor.keyId, userName: '张经纪', role: 'broker', organisationId: record.brokerOrganisationId });
    expect(record.underwriting!.originalResult!.grossPremiumFen).not.to.equal(record.result.grossPremiumFen);
    expect(record.underwriting?.at).to.be.instanceOf(Date);
    expect(record.underwriting?.originalResult?.decision.outcome).to.equal('referred');
    expect(record.picks).to.deep.equal({ qualityManagement: '0.9' });
    expect(toQuoteView(record)).to.deep.include({ underwriting: approved.body.underwriting });
  });

  it('hands out a policy as a plain frozen record sharing its quote\'s fields, and views that share theirs', async () => {
    const quoteId = await newQuote();
    const bound = await t.http.post(`/v1/quotes/${quoteId}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    const policy: PolicyRecord = await loadVisiblePolicy(admin, bound.body.id);
    const quote = await loadVisibleQuote(admin, quoteId);
    expectPlainAndFrozen(policy);
    expect(policy.issuedAt).to.be.instanceOf(Date);
    expect(policy.quoteId).to.equal(quote.id);
    expect(quote.policyId).to.equal(policy.id);
    for (const field of SHARED) expect(policy[field], field).to.deep.equal(quote[field]);
    const shared = ratedViewFields(quote);
    expect(toPolicyView(policy)).to.deep.include({ ...shared, id: policy.id });
    expect(toQuoteView(quote)).to.deep.include(shared);
    const { poolShares, ...view } = toPolicyView(policy); // the answer names the pool's members besides
    expect(bound.body).to.deep.include(view);
    expect(poolShares?.map((s) => s.insurer)).to.deep.equal(bound.body.poolShares?.map((s: { insurer: string }) => s.insurer));
  });

  it('builds the rating read model of a quote and of a policy the same way (one builder)', async () => {
    const quoteId = await newQuote();
    const bound = await t.http.post(`/v1/quotes/${quoteId}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    const quote = await loadVisibleQuote(admin, quoteId);
    const fromRecord = storedQuoteEvent(quote, 0);
    const scanned = (await all(quoteRatingRecords(quote.productCode, quote.productVersion))).find((r) => r.id === quoteId);
    expect(scanned).to.deep.equal({ ...fromRecord, status: 'bound' });
    const issued = await policyRatingRecord(bound.body.id);
    const { id: _quoteId, status: _status, ...sameAsQuote } = fromRecord;
    expect(issued).to.deep.equal({ ...sameAsQuote, id: bound.body.id, status: 'issued' });
    const streamed = (await all(policyRatingRecords(quote.productCode, quote.productVersion))).find((r) => r.id === bound.body.id);
    expect(streamed).to.deep.equal(issued);
  });
});
