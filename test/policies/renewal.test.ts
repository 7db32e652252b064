// #26 renewal: a renewal quote through the quotes capability, the support year from the chain of
// continuous policies (1 → 2 → 3 → no central subsidy at 4; a one-day gap: 1), the experience loss
// ratio from recorded claims, the version in force on the new start date, exactly once.
// Multi-year chains cannot wait for the clock: their steps call the composed services (the same
// operations the routes call) with the instant they happen at.
import { expect } from 'chai';
import mongoose from 'mongoose';
import type { Caller } from '../../src/auth/caller.ts';
import { PolicyModel } from '../../src/policies/policy-model.ts';
import { addDays, chinaDate } from '../../src/rating/calendar.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { publishAs } from '../support/publish-as.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const POOL = 'FIRST-SET-EQUIPMENT';
const SOLO = 'FIRST-VERSION-SOFTWARE';
const vectorOf = (file: string) => shippedVectors(file).filter((v) => v.expected.decision === 'quoted' && !v.picks)[0]!;
const inputsOf: Record<string, Record<string, unknown>> = { [POOL]: vectorOf('first-set-equipment.json').inputs, [SOLO]: vectorOf('first-version-software.json').inputs };
const DAY = 86_400_000;
/** The instant `days` after now: a later day of the chain's life. */
const later = (days: number) => new Date(Date.now() + days * DAY);

interface Derived { input: string; value: number; why: { zh: string; en: string } }
interface Quote { id: string; quoteNumber: string; status: string; startDate: string; endDate: string; productVersion: string; renewalOf?: string; derived?: Derived[]; inputs: Record<string, unknown>; result: { grossPremiumFen: number; subsidies: { layers: { programme: string; level: string; amountFen: number }[]; ineligible: { programme: string; kind?: string; reason: string; detail?: string[] }[] } } }

describe('Renewal (#26)', function () {
  this.timeout(300_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  const callers = {} as Record<'broker' | 'underwriter' | 'poolInsurerAdmin', Caller>;

  before(async () => {
    await publishShippedProducts();
    for (const key of Object.keys({ broker: 1, underwriter: 1, poolInsurerAdmin: 1 }) as (keyof typeof callers)[]) {
      callers[key] = await t.services.auth.authenticateApiKey(`Bearer ${t.keys[key]}`);
    }
  });

  async function issue(productCode: string, extra: Record<string, unknown> = {}) {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode, enterpriseId: t.organisations.HZZZ, inputs: structuredClone(inputsOf[productCode]), startDate: today(), ...extra });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const policy = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'));
    expect(policy.status, JSON.stringify(policy.body)).to.equal(201);
    return policy.body as { id: string; startDate: string; endDate: string; grossPremiumFen: number; result: Quote['result'] };
  }

  const renew = (policyId: string, at: Date, caller: Caller = callers.broker, body = {}) => t.services.renewals.renewPolicy(caller, policyId, body, at) as Promise<Quote>;
  const bind = async (quoteId: string, at: Date) => (await t.services.policies.bindQuote(callers.broker, quoteId, { now: at })).policy;
  const supportYear = (q: Quote) => q.derived!.find((d) => d.input === 'enterprise.supportYear')!;
  const central = (q: Quote) => q.result.subsidies.layers.filter((l) => l.level === 'central').reduce((s, l) => s + l.amountFen, 0);

  it('counts support years 1 → 2 → 3 along bound renewals, and gives no central subsidy at 4', async () => {
    const first = await issue(POOL);
    expect(central({ result: first.result } as Quote), 'year 1 has a central layer').to.be.greaterThan(0);
    let policy: { id: string; endDate: string } = first;
    const years: number[] = [];
    for (const year of [2, 3, 4]) {
      const at = new Date(Date.parse(`${addDays(policy.endDate, -30)}T04:00:00Z`)); // 30 days before it ends
      const quote = await renew(policy.id, at);
      expect(quote.renewalOf).to.equal(policy.id);
      expect(quote.startDate).to.equal(addDays(policy.endDate, 1));
      years.push(supportYear(quote).value);
      if (year < 4) expect(central(quote), `year ${year}`).to.be.greaterThan(0);
      else {
        expect(central(quote), 'year 4: no central layer').to.equal(0);
        expect(quote.result.subsidies.ineligible.find((i) => i.programme === 'CN-FIRST-SET')).to.deep.include({ kind: 'supportYear', reason: 'support is limited to 3 year(s)', detail: ['3'] });
        expect(supportYear(quote).why.en).to.equal(`Year 4 of continuous cover: central support covers at most 3 continuous years, none from year 4`);
      }
      const bound = await bind(quote.id, at);
      expect(bound.renewalOf).to.equal(policy.id);
      policy = bound;
    }
    expect(years).to.deep.equal([2, 3, 4]);
    const stored = await PolicyModel.findById(policy.id).lean();
    expect(stored?.renewalOf).to.be.a('string');
  });

  it('starts a new chain at year 1 after a one-day gap', async () => {
    const policy = await issue(POOL);
    const at = later(200);
    const gap = await renew(policy.id, at, callers.broker, { startDate: addDays(policy.endDate, 2) });
    expect(supportYear(gap).value).to.equal(1);
    expect(supportYear(gap).why.zh).to.equal(`续保起期 ${addDays(policy.endDate, 2)} 与上一张保单止期 ${policy.endDate} 不连续：按新投保项目，第 1 年`);
    const bound = await bind(gap.id, at);
    // The next renewal of the new chain, continuous again: year 2.
    expect(supportYear(await renew(bound.id, new Date(Date.parse(`${addDays(bound.endDate, -10)}T04:00:00Z`)))).value).to.equal(2);
  });

  it('takes the loss ratio from the claims recorded on the policy: claims paid ÷ premium earned, two decimals half-up', async () => {
    const policy = await issue(POOL);
    const at = later(200);
    const asOf = chinaDate(at);
    for (const paidFen of [300_000, 123_457]) {
      const res = await t.services.claims.recordClaim(callers.underwriter, policy.id, { lossDate: addDays(policy.startDate, 10), paidOn: addDays(policy.startDate, 20), paidFen, description: '主轴断裂' }, { now: at });
      expect(res.replayed).to.equal(false);
    }
    const quote = await renew(policy.id, at);
    // Independently: earned = gross × elapsed days / days of the period, half-up; ratio in hundredths of a percent, half-up.
    const days = (Date.parse(policy.endDate) - Date.parse(policy.startDate)) / DAY + 1;
    const elapsed = (Date.parse(asOf) - Date.parse(policy.startDate)) / DAY;
    const earned = Number((BigInt(policy.grossPremiumFen) * BigInt(elapsed) * 2n + BigInt(days)) / (2n * BigInt(days)));
    const hundredths = Number((423_457n * 10_000n * 2n + BigInt(earned)) / (2n * BigInt(earned)));
    const lossRatio = quote.derived!.find((d) => d.input === 'lossRatio')!;
    expect(lossRatio.value).to.equal(hundredths / 100);
    expect(quote.inputs.lossRatio).to.equal(hundredths / 100);
    expect(quote.inputs.lossRatio).to.not.equal(inputsOf[POOL]!.lossRatio);
    expect(lossRatio.why.en).to.include('claims paid ¥4234.57');
    // Every other input is the policy's.
    const { lossRatio: _a, ...rest } = quote.inputs;
    const { lossRatio: _b, ...original } = inputsOf[POOL]!;
    expect(rest).to.deep.equal(original);
  });

  it('earns the premium due after endorsements, not the premium as issued, in the loss ratio', async () => {
    const policy = await issue(POOL);
    const endorsed = await t.http.post(`/v1/policies/${policy.id}/endorsements`).set(as('broker'))
      .send({ effectiveDate: addDays(policy.startDate, 30), inputs: { contractAmount: 1200, aggregateLimit: 1200 }, reason: '合同金额增加' });
    expect(endorsed.status, JSON.stringify(endorsed.body)).to.equal(201);
    const charged = endorsed.body.difference.grossPremiumFen as number;
    expect(charged).to.not.equal(0); // charged or refunded: the premium due is no longer the premium as issued
    const at = later(200);
    const asOf = chinaDate(at);
    await t.services.claims.recordClaim(callers.underwriter, policy.id, { lossDate: addDays(policy.startDate, 40), paidOn: addDays(policy.startDate, 50), paidFen: 500_000, description: '主轴断裂' }, { now: at });
    const quote = await renew(policy.id, at);
    // Independently: earned = (gross as issued + the endorsement's difference) × elapsed days / days of the period, half-up.
    const days = (Date.parse(policy.endDate) - Date.parse(policy.startDate)) / DAY + 1;
    const elapsed = (Date.parse(asOf) - Date.parse(policy.startDate)) / DAY;
    const due = BigInt(policy.grossPremiumFen + charged);
    const earned = Number((due * BigInt(elapsed) * 2n + BigInt(days)) / (2n * BigInt(days)));
    const hundredths = Number((500_000n * 10_000n * 2n + BigInt(earned)) / (2n * BigInt(earned)));
    expect(quote.derived!.find((d) => d.input === 'lossRatio')!.value).to.equal(hundredths / 100);
  });

  it('prices the renewal on the version scheduled for its start date', async () => {
    const policy = await issue(SOLO);
    const start = addDays(policy.endDate, 1);
    const admin = as('insurerAdmin');
    const current = (await t.http.get(`/v1/policies/${policy.id}`).set(admin)).body.productVersion as string;
    const clone = await t.http.post(`/v1/products/${SOLO}/versions`).set(admin).send({ cloneFrom: current });
    expect(clone.status, JSON.stringify(clone.body)).to.equal(201);
    const published = await publishAs(t.http, t.keys, SOLO, clone.body.version, { body: { effectiveFrom: start } });
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    const res = await t.http.post(`/v1/policies/${policy.id}/renewal`).set(as('underwriter'));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ renewalOf: policy.id, startDate: start, productVersion: clone.body.version, brokerOrganisationId: t.organisations.MXB });
    expect(res.headers.location).to.equal(`/v1/quotes/${res.body.id}`);
    // A quote for the day before the new version takes over is still priced on the old one.
    expect((await t.http.post('/v1/pricing/preview').set(as('broker')).send({ productCode: SOLO, enterpriseId: t.organisations.HZZZ, inputs: inputsOf[SOLO], startDate: addDays(start, -1) })).status).to.equal(200);
    // The broker finds it among its quotes and may bind it.
    expect((await t.http.get(`/v1/quotes/${res.body.id}`).set(as('broker'))).body.renewalOf).to.equal(policy.id);
  });

  it('renews once: another request is 409 naming the quote, also under concurrency; after expiry a new one may follow', async () => {
    const policy = await issue(SOLO);
    const answers = await Promise.all(Array.from({ length: 5 }, () => t.http.post(`/v1/policies/${policy.id}/renewal`).set(as('broker'))));
    expect(answers.map((a) => a.status).sort()).to.deep.equal([201, 409, 409, 409, 409]);
    const made = answers.find((a) => a.status === 201)!.body as Quote;
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body.error.details[0]).to.deep.include({ path: 'quoteId', value: made.id });
    }
    // Once it has expired (valid 30 days), a new renewal quote may be made.
    const again = await renew(policy.id, later(45));
    expect(again.id).to.not.equal(made.id);
    await t.services.renewals.renewPolicy(callers.broker, policy.id, {}, later(45)).then(() => expect.fail('a second renewal'), (err: { kind?: string }) => expect(err.kind).to.equal('conflict'));
  });

  it('refuses a cancelled policy (409), a pool follower (403), an enterprise (403) and another broker\'s policy (404)', async () => {
    const policy = await issue(POOL);
    expect((await t.http.post(`/v1/policies/${policy.id}/renewal`).set(as('poolInsurerAdmin'))).status).to.equal(403);
    expect((await t.http.post(`/v1/policies/${policy.id}/renewal`).set(as('enterprise'))).status).to.equal(403);
    const solo = await issue(SOLO);
    expect((await t.http.post(`/v1/policies/${solo.id}/renewal`).set(as('otherInsurerAdmin'))).status).to.equal(404);
    const early = await t.http.post(`/v1/policies/${policy.id}/renewal`).set(as('broker')).send({ startDate: policy.endDate });
    expect(early.status).to.equal(400);
    expect(early.body.error.details[0].path).to.equal('body.startDate');
    await PolicyModel.collection.updateOne({ _id: new mongoose.Types.ObjectId(policy.id) }, { $set: { status: 'cancelled' } });
    const cancelled = await t.http.post(`/v1/policies/${policy.id}/renewal`).set(as('broker'));
    expect(cancelled.status).to.equal(409);
    expect(cancelled.body.error.details[0]).to.include({ path: 'policyId', value: policy.id });
  });
});
