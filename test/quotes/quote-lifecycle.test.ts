import { DICTIONARY_PACKED, fromJsonText } from '../../src/db/json-text.ts';
import { expect } from 'chai';
import type mongoose from 'mongoose';
import { AuditEntryModel } from '../../src/audit/audit-log.ts';
import { PolicyModel } from '../../src/policies/policy-model.ts';
import { QuoteModel } from '../../src/quotes/quote-model.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';
import { expandedQuote } from '../support/stored-quotes.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

describe('Quotes and policies', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  let quoteBody: () => Record<string, unknown>;

  before(async () => {
    await publishShippedProducts();
    quoteBody = () => ({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: structuredClone(baseVector!.inputs), startDate: today() });
  });

  async function createQuote(body: Record<string, unknown> = quoteBody(), headers: Record<string, string> = {}) {
    const res = await t.http.post('/v1/quotes').set(as('broker')).set(headers).send(body);
    expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
    return res.body as { id: string; status: string; quoteNumber: string; result: { grossPremiumFen: number } };
  }

  async function referredQuote() {
    const body = quoteBody();
    (body.inputs as Record<string, unknown>).aggregateLimit = Number((body.inputs as Record<string, number>).contractAmount) / 2;
    const quote = await createQuote(body);
    expect(quote.status).to.equal('referred');
    return quote;
  }

  it('previews the filed premium with its worksheet and stores nothing', async () => {
    const res = await t.http.post('/v1/pricing/preview').set(as('broker')).send({ productCode: PRODUCT, inputs: baseVector!.inputs, startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.grossPremiumFen).to.equal(baseVector!.expected.grossPremiumFen);
    expect(res.body.netPremiumFen + res.body.vatFen).to.equal(res.body.grossPremiumFen);
    expect(res.body.worksheet.length).to.be.at.least(8);
    expect(res.body.worksheet.every((l: { label: { zh: string; en: string } }) => l.label.zh && l.label.en)).to.equal(true);
    const shares = res.body.coInsurance.reduce((sum: number, s: { grossPremiumFen: number }) => sum + s.grossPremiumFen, 0);
    expect(shares).to.equal(res.body.grossPremiumFen);
    expect(await QuoteModel.countDocuments()).to.equal(0);
  });

  it('stores a quote pinned to its version, with a number and a validity date', async () => {
    const quote = await createQuote() as unknown as Record<string, unknown> & { result: Record<string, unknown> };
    expect(quote.status).to.equal('quoted');
    expect(quote.quoteNumber).to.match(/^Q\d{8}[A-Z2-9]{6}$/);
    expect(quote.productVersion).to.equal('2025.1');
    expect(quote.result.grossPremiumFen).to.equal(baseVector!.expected.grossPremiumFen);
    const expectedValidUntil = new Date(Date.parse(`${quote.quoteDate as string}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
    expect(quote.validUntil).to.equal(expectedValidUntil);
    // The inputs, context and worksheet are packed with the other cold fields in `z`, with the
    // product's dictionary (src/quotes/quote-model.ts, src/db/json-text.ts), the context's
    // programmes by snapshot id (src/quotes/stored-context.ts); each read back whole.
    const raw = (await QuoteModel.findById(quote.id).lean<Record<string, unknown>>())!;
    expect((raw.z as mongoose.mongo.Binary).sub_type).to.equal(DICTIONARY_PACKED);
    expect(raw).not.to.have.any.keys('inputs', 'context', 'result', 'enterpriseName');
    const stored = await expandedQuote<{ inputs: unknown; result: unknown; context: unknown }>(quote.id as string);
    expect(fromJsonText(stored!.inputs)).to.deep.equal(baseVector!.inputs);
    expect(fromJsonText<{ worksheet: unknown[] }>(stored!.result).worksheet.length).to.be.at.least(8);
    expect(fromJsonText(stored!.result)).to.deep.equal(quote.result);
    expect(fromJsonText<{ programmes: unknown[] }>(stored!.context).programmes.length).to.be.at.least(1);
    for (const p of fromJsonText<{ programmes: unknown[] }>(stored!.context).programmes) expect(p).to.be.a('string');
  });

  it('returns the same quote for a retried Idempotency-Key, and refuses the key for another request', async () => {
    const before = await QuoteModel.countDocuments();
    const headers = { 'Idempotency-Key': 'retry-me-1' };
    const [first, second] = await Promise.all([
      t.http.post('/v1/quotes').set(as('broker')).set(headers).send(quoteBody()),
      t.http.post('/v1/quotes').set(as('broker')).set(headers).send(quoteBody()),
    ]);
    expect([first.status, second.status].sort()).to.deep.equal([200, 201]);
    expect(first.body.id).to.equal(second.body.id);
    const third = await t.http.post('/v1/quotes').set(as('broker')).set(headers).send(quoteBody());
    expect(third.status).to.equal(200);
    expect(third.headers['idempotent-replayed']).to.equal('true');
    expect(await QuoteModel.countDocuments()).to.equal(before + 1);
    const other = quoteBody();
    (other.inputs as Record<string, unknown>).lossRatio = 80;
    const reused = await t.http.post('/v1/quotes').set(as('broker')).set(headers).send(other);
    expect(reused.status).to.equal(409);
    expect(reused.body.error.details[0].path).to.equal('header.idempotency-key');
  });

  it('refers a quote, lets the insurer\'s underwriter approve it with new picks, re-rated and audited, then binds it', async () => {
    const quote = await referredQuote();
    const queue = await t.http.get('/v1/quotes?status=referred').set(as('underwriter'));
    expect(queue.body.items.map((q: { id: string }) => q.id)).to.include(quote.id);
    // HTIC follows this product's pool: it reads the referral with its share, but cannot decide it.
    const followed = (await t.http.get('/v1/quotes?status=referred').set(as('otherInsurerAdmin'))).body.items.find((q: { id: string }) => q.id === quote.id);
    expect(followed.myShare).to.include({ insurer: 'HTIC', role: 'follower' });
    expect((await t.http.post(`/v1/quotes/${quote.id}/approve`).set(as('otherInsurerAdmin')).send({})).status).to.equal(403);
    const blocked = await t.http.post(`/v1/quotes/${quote.id}/bind`).set(as('broker'));
    expect(blocked.status).to.equal(409);
    expect(blocked.body.error.message).to.contain('referred');

    const outOfRange = await t.http.post(`/v1/quotes/${quote.id}/approve`).set(as('underwriter')).send({ picks: { qualityManagement: '9' } });
    expect(outOfRange.status).to.equal(400);
    expect(outOfRange.body.error.details[0].path).to.equal('body.picks.qualityManagement');
    expect(outOfRange.body.error.details[0].message).to.match(/qualityManagement/);

    const approved = await t.http.post(`/v1/quotes/${quote.id}/approve`).set(as('underwriter')).send({ picks: { qualityManagement: '0.9' }, note: 'limit agreed with head office' });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    expect(approved.body.status).to.equal('approved');
    expect(approved.body.picks).to.deep.equal({ qualityManagement: '0.9' });
    expect(approved.body.result.grossPremiumFen).not.to.equal(quote.result.grossPremiumFen);
    const qm = approved.body.result.worksheet.find((l: { step: string }) => l.step === 'qualityManagement');
    expect(qm).to.include({ value: '0.9', picked: true });
    const audit = await AuditEntryModel.findOne({ action: 'quote.approve', entityId: quote.id }).lean();
    expect(audit!.actor!.role).to.equal('underwriter');
    expect(audit!.changes!.map((c) => c.path)).to.include('grossPremiumFen');
    expect((await t.http.post(`/v1/quotes/${quote.id}/decline`).set(as('underwriter')).send({ reason: 'late' })).status).to.equal(409);

    const policy = await t.http.post(`/v1/quotes/${quote.id}/bind`).set(as('broker'));
    expect(policy.status, JSON.stringify(policy.body)).to.equal(201);
    expect(policy.body.grossPremiumFen).to.equal(approved.body.result.grossPremiumFen);
    expect(policy.body.netPremiumFen + policy.body.vatFen).to.equal(policy.body.grossPremiumFen);
    expect(policy.body.poolShares.reduce((s: number, p: { grossPremiumFen: number }) => s + p.grossPremiumFen, 0)).to.equal(policy.body.grossPremiumFen);
    expect(policy.body.expectedNetCostFen).to.equal(policy.body.grossPremiumFen - policy.body.expectedSubsidyFen);
    expect(policy.body.policyNumber).to.match(/^P\d{4}[A-Z2-9]{10}$/);
  });

  it('declines a referred quote with a reason; a declined quote cannot be bound', async () => {
    const quote = await referredQuote();
    expect((await t.http.post(`/v1/quotes/${quote.id}/decline`).set(as('otherInsurerAdmin')).send({ reason: 'x' })).status).to.equal(403); // a pool follower
    expect((await t.http.post(`/v1/quotes/${quote.id}/decline`).set(as('broker')).send({ reason: 'x' })).status).to.equal(403);
    const empty = await t.http.post(`/v1/quotes/${quote.id}/decline`).set(as('underwriter')).send({});
    expect(empty.body.error.details[0]).to.deep.equal({ path: 'body.reason', message: 'is required (required)' });
    const declined = await t.http.post(`/v1/quotes/${quote.id}/decline`).set(as('underwriter')).send({ reason: '限额不足以覆盖设备价值' });
    expect(declined.body).to.include({ status: 'declined' });
    expect(declined.body.underwriting.reason).to.equal('限额不足以覆盖设备价值');
    const bind = await t.http.post(`/v1/quotes/${quote.id}/bind`).set(as('broker'));
    expect(bind.status).to.equal(409);
    expect(bind.body.error.message).to.contain('declined');
  });

  it('binds exactly once under 20 concurrent binds', async () => {
    const quote = await createQuote();
    const results = await Promise.all(Array.from({ length: 20 }, () => t.http.post(`/v1/quotes/${quote.id}/bind`).set(as('broker'))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).to.have.length(1);
    expect(statuses.filter((s) => s === 409)).to.have.length(19);
    expect(await PolicyModel.countDocuments({ quoteId: quote.id })).to.equal(1);
    const after = await t.http.get(`/v1/quotes/${quote.id}`).set(as('broker'));
    expect(after.body.status).to.equal('bound');
    expect(after.body.policyId).to.equal(results.find((r) => r.status === 201)!.body.id);
  });

  it('counts a bound policy\'s expected subsidy against the enterprise\'s annual caps on its next quote, once', async () => {
    // JNXC is in Shandong (370102): SD-FIRST-SET has a per-enterprise annual cap.
    const body = () => ({ ...quoteBody(), enterpriseId: t.organisations.JNXC, enterprise: { qualifications: ['first-domestic'] } });
    const first = await createQuote(body());
    const sdLayer = (q: { result: unknown }) => (q.result as { subsidies: { layers: { programme: string; amountFen: number }[] } }).subsidies.layers.find((l) => l.programme === 'SD-FIRST-SET');
    const firstSd = sdLayer(first);
    expect(firstSd, JSON.stringify((first.result as unknown as { subsidies: unknown }).subsidies)).to.exist;
    const bound = await t.http.post(`/v1/quotes/${first.id}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    expect((await t.http.post(`/v1/quotes/${first.id}/bind`).set(as('broker'))).status).to.equal(409); // a retried bind records nothing more
    const second = await createQuote(body());
    const stored = await expandedQuote<{ context: unknown }>(second.id);
    const received = (stored!.context as { enterprise: { receivedThisYear: { programme: string; amountFen: number }[] } }).enterprise.receivedThisYear;
    const total = (programme: string) => (bound.body as { subsidies: { programme: string; amountFen: number }[] }).subsidies.filter((s) => s.programme === programme).reduce((a, s) => a + s.amountFen, 0);
    expect(received.find((r) => r.programme === 'SD-FIRST-SET')?.amountFen).to.equal(firstSd!.amountFen);
    for (const r of received) expect(r.amountFen, r.programme).to.equal(total(r.programme));
    // Another enterprise's quote sees none of it (HZZZ has its own policies from earlier tests, none from Shandong).
    const other = await createQuote();
    const otherStored = await expandedQuote<{ context: unknown }>(other.id);
    const otherReceived = (otherStored!.context as { enterprise: { receivedThisYear: { programme: string }[] } }).enterprise.receivedThisYear;
    expect(otherReceived.map((r) => r.programme)).not.to.include('SD-FIRST-SET');
  });

  it('refuses to bind an expired quote', async () => {
    const quote = await createQuote();
    await QuoteModel.updateOne({ _id: quote.id }, { $set: { validUntil: '2020-01-31' } });
    const res = await t.http.post(`/v1/quotes/${quote.id}/bind`).set(as('broker'));
    expect(res.status).to.equal(409);
    expect(res.body.error.message).to.contain('expired on 2020-01-31');
    expect((await t.http.get(`/v1/quotes/${quote.id}`).set(as('broker'))).body.expired).to.equal(true);
  });

  it('re-rates a stored quote to the fen, and notices a tampered amount', async () => {
    const quote = await createQuote();
    const verified = await t.http.get(`/v1/quotes/${quote.id}?verify=true`).set(as('enterprise'));
    expect(verified.status).to.equal(200);
    expect(verified.body.verification.matches).to.equal(true);
    expect(verified.body.verification.checkedAmounts).to.be.at.least(15);
    const tamperedResult = { ...quote.result, grossPremiumFen: quote.result.grossPremiumFen + 1 };
    await QuoteModel.updateOne({ _id: quote.id }, { $set: { result: tamperedResult } });
    const tampered = await t.http.get(`/v1/quotes/${quote.id}?verify=true`).set(as('broker'));
    expect(tampered.body.verification.matches).to.equal(false);
    expect(tampered.body.verification.differences).to.deep.include({ path: 'grossPremiumFen', stored: quote.result.grossPremiumFen + 1, recomputed: quote.result.grossPremiumFen });
  });

  it('compares quotes of one enterprise and product side by side', async () => {
    const a = await createQuote();
    const body = quoteBody();
    body.picks = { channel: '0.8' };
    const b = await createQuote(body);
    const res = await t.http.get(`/v1/quotes/compare?ids=${a.id},${b.id}`).set(as('broker'));
    expect(res.status).to.equal(200);
    expect(res.body.differingPicks).to.deep.equal(['channel']);
    expect(res.body.columns.map((c: { grossPremiumFen: number }) => c.grossPremiumFen)).to.deep.equal([a.result.grossPremiumFen, b.result.grossPremiumFen]);
  });

  it('names the failing field for bad quote input', async () => {
    const negative = quoteBody();
    (negative.inputs as Record<string, unknown>).contractAmount = -5;
    const res = await t.http.post('/v1/quotes').set(as('broker')).send(negative);
    expect(res.status).to.equal(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.include('body.inputs.contractAmount');
    const missing = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, inputs: {} });
    expect(missing.body.error.details).to.deep.include({ path: 'body.enterpriseId', message: 'is required (required)' });
    const unknownProduct = await t.http.post('/v1/quotes').set(as('broker')).send({ ...quoteBody(), productCode: 'NO-SUCH' });
    expect(unknownProduct.status).to.equal(404);
    const brokerPick = await t.http.post('/v1/quotes').set(as('broker')).send({ ...quoteBody(), picks: { lossRatio: '0.6' } });
    expect(brokerPick.status).to.equal(400);
    expect(brokerPick.body.error.details[0].path).to.equal('body.picks.lossRatio');
    const notEnterprise = await t.http.post('/v1/quotes').set(as('broker')).send({ ...quoteBody(), enterpriseId: t.organisations.MXB });
    expect(notEnterprise.body.error.details[0].path).to.equal('body.enterpriseId');
  });

  describe('visibility', () => {
    let quoteId: string;
    let policyId: string;
    before(async () => {
      const quote = await createQuote();
      quoteId = quote.id;
      policyId = (await t.http.post(`/v1/quotes/${quote.id}/bind`).set(as('broker'))).body.id;
    });

    const matrix: [keyof TestKeys, number][] = [
      ['broker', 200], ['enterprise', 200], ['insurerAdmin', 200], ['underwriter', 200], ['platformAdmin', 200],
      // HTIC is a follower of this product's shipped pool (KCIC's own business stays hidden from it: see test/pools).
      ['otherEnterprise', 404], ['otherInsurerAdmin', 200],
    ];
    type TestKeys = { broker: string; enterprise: string; insurerAdmin: string; underwriter: string; platformAdmin: string; otherEnterprise: string; otherInsurerAdmin: string };

    for (const [role, status] of matrix) {
      it(`${role} → ${status} on the quote and the policy, and lists accordingly`, async () => {
        expect((await t.http.get(`/v1/quotes/${quoteId}`).set(as(role))).status).to.equal(status);
        expect((await t.http.get(`/v1/quotes/${quoteId}?verify=true`).set(as(role))).status).to.equal(status);
        expect((await t.http.get(`/v1/policies/${policyId}`).set(as(role))).status).to.equal(status);
        const quotes = (await t.http.get('/v1/quotes?limit=200').set(as(role))).body.items.map((q: { id: string }) => q.id);
        const policies = (await t.http.get('/v1/policies?limit=200').set(as(role))).body.items.map((p: { id: string }) => p.id);
        expect(quotes.includes(quoteId)).to.equal(status === 200);
        expect(policies.includes(policyId)).to.equal(status === 200);
      });
    }

    it('keeps each action to its role', async () => {
      expect((await t.http.post('/v1/quotes').set(as('enterprise')).send(quoteBody())).status).to.equal(403);
      expect((await t.http.post('/v1/quotes').set(as('underwriter')).send(quoteBody())).status).to.equal(403);
      expect((await t.http.post(`/v1/quotes/${quoteId}/bind`).set(as('underwriter'))).status).to.equal(403);
      expect((await t.http.post(`/v1/quotes/${quoteId}/approve`).set(as('broker')).send({})).status).to.equal(403);
      expect((await t.http.get('/v1/quotes/000000000000000000000000').set(as('broker'))).status).to.equal(404);
      expect((await t.http.get('/v1/quotes/not-an-id').set(as('broker'))).status).to.equal(400);
    });
  });
});
