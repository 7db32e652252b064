// #26 Premium received: a payment is recorded once per insurer and reference by the lead
// insurer's staff; the policy shows received and outstanding premium, its instalments with the
// payments allocated oldest first; a subsidy application waits for the premium in full.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { yuanDigits } from '../../src/documents/document-format.ts';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import type { PaymentReceived } from '../../src/policies/policy-payments.ts';
import { paymentLog, PaymentReferenceModel } from '../../src/policies/payment-model.ts';
import { addDays } from '../../src/rating/index.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { issueSecondAdmin, publishAs } from '../support/publish-as.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const FIRST_SET = 'FIRST-SET-EQUIPMENT';
const INSTALMENTS = 'KCIC-INSTALMENTS';
const HTIC_SOLO = 'HTIC-SOLO';
const shipped = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as Record<string, unknown> & { version: string };
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;

interface Policy { id: string; policyNumber: string; grossPremiumFen: number; startDate: string }
const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('Premium received (#26): payments, instalments and the subsidy gate', function () {
  this.timeout(180_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  const announced: PaymentReceived[] = [];
  let pooled: Policy;
  let hticKey: string;

  async function bind(productCode: string, enterprise: 'HZZZ' | 'JNXC' = 'HZZZ', facts: Record<string, unknown> = {}): Promise<Policy> {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode, enterpriseId: t.organisations[enterprise], inputs: structuredClone(vector.inputs), startDate: today(), enterprise: facts });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    return bound.body as Policy;
  }

  const pay = (policyId: string, body: Record<string, unknown>, key: string = t.keys.insurerAdmin) =>
    t.http.post(`/v1/policies/${policyId}/payments`).set(bearer(key)).send(body);

  before(async () => {
    await publishShippedProducts();
    // A KCIC product of its own (no pool) with an instalment schedule: 40% at the start, 30% after 3 months, the rest after 6.
    const withInstalments = { ...structuredClone(shipped), code: INSTALMENTS, instalments: [{ dueOffsetDays: 0, percent: '40' }, { dueOffsetMonths: 3, percent: '30' }, { dueOffsetMonths: 6, percent: '30' }] };
    delete (withInstalments as Record<string, unknown>).coInsurance;
    expect((await t.http.post('/v1/products').set(as('insurerAdmin')).send({ definition: withInstalments })).status).to.equal(201);
    expect((await publishAs(t.http, t.keys, INSTALMENTS, shipped.version)).status).to.equal(200);
    // An HTIC product (no pool), to show another insurer may use the same reference.
    const htic = { ...structuredClone(shipped), code: HTIC_SOLO, insurer: 'HTIC' };
    delete (htic as Record<string, unknown>).coInsurance;
    expect((await t.http.post('/v1/products').set(as('otherInsurerAdmin')).send({ definition: htic })).status).to.equal(201);
    hticKey = t.keys.otherInsurerAdmin;
    const checker = await issueSecondAdmin(t.http, hticKey, t.organisations.HTIC!);
    expect((await publishAs(t.http, t.keys, HTIC_SOLO, shipped.version, { maker: hticKey, checker })).status).to.equal(200);
    t.events.onPaymentReceived(async (event) => void announced.push(event));
    pooled = await bind(FIRST_SET, 'HZZZ', { qualifications: ['first-domestic'] });
  });

  it('records a payment 201, replays the same payment 200 with the same payment, and shows received and outstanding', async () => {
    const body = { amountFen: 100_000, receivedOn: today(), reference: 'BANK-0001' };
    const first = await pay(pooled.id, body);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.headers.location).to.equal(`/v1/policies/${pooled.id}/payments`);
    expect(first.body).to.deep.include({ policyId: pooled.id, reference: 'BANK-0001', amountFen: 100_000, receivedOn: today(), recordedBy: '王产品' });
    const again = await pay(pooled.id, body, t.keys.underwriter);
    expect(again.status).to.equal(200);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(again.body).to.deep.equal(first.body);

    const policy = await t.http.get(`/v1/policies/${pooled.id}`).set(as('enterprise'));
    expect(policy.status).to.equal(200);
    expect(policy.body).to.deep.include({ premiumReceivedFen: 100_000, premiumOutstandingFen: pooled.grossPremiumFen - 100_000 });
    expect(policy.body.payments).to.deep.equal([first.body]);
    expect(policy.body).not.to.have.property('instalments'); // the shipped product declares none
    // Every party that sees the policy sees its payments; the lead insurer's pool followers too.
    for (const key of ['broker', 'enterprise', 'otherInsurerAdmin', 'poolInsurerAdmin'] as const) {
      const list = await t.http.get(`/v1/policies/${pooled.id}/payments`).set(as(key));
      expect(list.status, key).to.equal(200);
      expect(list.body).to.deep.include({ policyId: pooled.id, grossPremiumFen: pooled.grossPremiumFen, premiumReceivedFen: 100_000 });
    }
  });

  it('answers a different payment under a recorded reference 409 naming body.reference, on this policy or another of the insurer', async () => {
    const other = await bind(FIRST_SET);
    expect((await pay(pooled.id, { amountFen: 5_000, receivedOn: today(), reference: 'BANK-0002' })).status).to.equal(201);
    for (const [policyId, amountFen, receivedOn] of [[pooled.id, 6_000, today()], [pooled.id, 5_000, addDays(today(), -1)], [other.id, 5_000, today()]] as const) {
      const res = await pay(policyId, { amountFen, receivedOn, reference: 'BANK-0002' });
      expect(res.status, JSON.stringify(res.body)).to.equal(409);
      expect(res.body.error.details).to.deep.equal([{ path: 'body.reference', message: 'must be new for a different payment: a reference is recorded once per insurer (unique)' }]);
    }
  });

  it('lets another insurer record a payment under a reference the first insurer used', async () => {
    const hticPolicy = await bind(HTIC_SOLO);
    const res = await pay(hticPolicy.id, { amountFen: 7_000, receivedOn: today(), reference: 'BANK-0001' }, hticKey);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(await PaymentReferenceModel.findById(`${t.organisations.HTIC}:BANK-0001`).lean()).to.include({ policyId: hticPolicy.id });
    expect(await PaymentReferenceModel.findById(`${t.organisations.KCIC}:BANK-0001`).lean()).to.include({ policyId: pooled.id });
  });

  it('records one payment for 20 concurrent identical posts (one 201, nineteen 200), audited and announced once', async () => {
    const policy = await bind(FIRST_SET);
    const before = announced.length;
    const body = { amountFen: 12_345, receivedOn: today(), reference: 'BURST-20' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => pay(policy.id, body)));
    expect(answers.map((a) => a.status).sort()).to.deep.equal([...Array(19).fill(200), 201]);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).to.equal(1);
    expect((await paymentLog.all(policy.id)).map((e) => e.value.reference)).to.deep.equal(['BURST-20']);
    const read = await t.http.get(`/v1/policies/${policy.id}/payments`).set(as('broker'));
    expect(read.body).to.deep.include({ premiumReceivedFen: 12_345, premiumOutstandingFen: policy.grossPremiumFen - 12_345 });
    expect(announced.slice(before).map((e) => [e.policy.id, e.payment.reference, e.premiumReceivedFen])).to.deep.equal([[policy.id, 'BURST-20', 12_345]]);
    const trail = await t.http.get(`/v1/audit?entity=policy&id=${policy.id}`).set(as('insurerAdmin'));
    const payments = (trail.body.items as { action: string; actor: { userName: string } }[]).filter((e) => e.action === 'policy.payment');
    expect(payments.map((e) => e.actor.userName)).to.deep.equal(['王产品']);
  });

  it('never lets received exceed the gross premium: 409 naming body.amountFen, also for payments sent at once', async () => {
    const policy = await bind(FIRST_SET);
    const over = await pay(policy.id, { amountFen: policy.grossPremiumFen + 1, receivedOn: today(), reference: 'OVER-1' });
    expect(over.status).to.equal(409);
    expect(over.body.error.details).to.deep.equal([{ path: 'body.amountFen', message: `must be at most ${policy.grossPremiumFen}, the premium outstanding (outstanding)` }]);
    // Two payments of 60% each, sent at once: one fits, the other is refused and its reference stays free.
    const sixty = Math.round(policy.grossPremiumFen * 0.6);
    const both = await Promise.all(['RACE-A', 'RACE-B'].map((reference) => pay(policy.id, { amountFen: sixty, receivedOn: today(), reference })));
    expect(both.map((a) => a.status).sort()).to.deep.equal([201, 409]);
    const refused = both.find((a) => a.status === 409)!;
    expect(refused.body.error.details[0].path).to.equal('body.amountFen');
    const read = await t.http.get(`/v1/policies/${policy.id}`).set(as('enterprise'));
    expect(read.body).to.deep.include({ premiumReceivedFen: sixty, premiumOutstandingFen: policy.grossPremiumFen - sixty });
    // The rest, in full: outstanding 0; then any further fen is refused.
    const rest = await pay(policy.id, { amountFen: policy.grossPremiumFen - sixty, receivedOn: today(), reference: 'REST-1' });
    expect(rest.status).to.equal(201);
    const full = await t.http.get(`/v1/policies/${policy.id}/payments`).set(as('enterprise'));
    expect(full.body).to.deep.include({ premiumReceivedFen: policy.grossPremiumFen, premiumOutstandingFen: 0 });
    expect((await pay(policy.id, { amountFen: 1, receivedOn: today(), reference: 'ONE-MORE' })).status).to.equal(409);
  });

  it('refuses amounts that are not positive integers and days in the future (400 naming the field)', async () => {
    for (const [body, path] of [
      [{ amountFen: 0, receivedOn: today(), reference: 'BAD-1' }, 'body.amountFen'],
      [{ amountFen: 10.5, receivedOn: today(), reference: 'BAD-2' }, 'body.amountFen'],
      [{ amountFen: 100, receivedOn: addDays(today(), 1), reference: 'BAD-3' }, 'body.receivedOn'],
      [{ amountFen: 100, receivedOn: today(), reference: ' padded ' }, 'body.reference'],
    ] as const) {
      const res = await pay(pooled.id, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).to.include(path);
    }
  });

  it('lets only the lead insurer\'s staff record: 403 for a broker, an enterprise and a pool follower; 404 for another insurer', async () => {
    const body = { amountFen: 100, receivedOn: today(), reference: 'WHO-1' };
    for (const key of ['broker', 'enterprise', 'otherInsurerAdmin', 'poolInsurerAdmin', 'platformAdmin'] as const) {
      const res = await pay(pooled.id, body, t.keys[key]);
      expect(res.status, key).to.equal(403);
    }
    const solo = await bind(INSTALMENTS);
    expect((await pay(solo.id, body, hticKey)).status).to.equal(404);
    expect((await t.http.get(`/v1/policies/${solo.id}/payments`).set(bearer(hticKey))).status).to.equal(404);
    expect((await t.http.get(`/v1/policies/${solo.id}/payments`).set(as('otherEnterprise'))).status).to.equal(404);
  });

  it('shows the instalment schedule to the fen (the last takes the remainder) with payments allocated oldest first', async () => {
    const policy = await bind(INSTALMENTS);
    const gross = policy.grossPremiumFen;
    const first = Math.round(gross * 0.4);
    const second = Math.round(gross * 0.3);
    const schedule = (await t.http.get(`/v1/policies/${policy.id}/payments`).set(as('enterprise'))).body.instalments as { n: number; dueDate: string; amountFen: number }[];
    const start = policy.startDate;
    const plusMonths = (months: number) => { const d = new Date(`${start}T00:00:00Z`); const day = d.getUTCDate(); d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() + months); const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(); d.setUTCDate(Math.min(day, last)); return d.toISOString().slice(0, 10); };
    expect(schedule.map((i) => [i.n, i.dueDate, i.amountFen])).to.deep.equal([[1, start, first], [2, plusMonths(3), second], [3, plusMonths(6), gross - first - second]]);

    // Two payments: the first covers instalment 1 and part of 2; the later one finishes 2.
    const a = first + 1_000;
    expect((await pay(policy.id, { amountFen: a, receivedOn: addDays(today(), -2), reference: 'INST-A' })).status).to.equal(201);
    expect((await pay(policy.id, { amountFen: second - 1_000, receivedOn: today(), reference: 'INST-B' })).status).to.equal(201);
    const view = await t.http.get(`/v1/policies/${policy.id}`).set(as('broker'));
    const inst = view.body.instalments as { n: number; receivedFen: number; outstandingFen: number; status: string; payments: { reference: string; amountFen: number }[] }[];
    expect(inst.map((i) => [i.n, i.receivedFen, i.outstandingFen, i.status])).to.deep.equal([[1, first, 0, 'paid'], [2, second, 0, 'paid'], [3, 0, gross - first - second, 'unpaid']]);
    expect(inst[0]!.payments).to.deep.equal([{ reference: 'INST-A', amountFen: first }]);
    expect(inst[1]!.payments).to.deep.equal([{ reference: 'INST-A', amountFen: 1_000 }, { reference: 'INST-B', amountFen: second - 1_000 }]);
    expect(view.body).to.deep.include({ premiumReceivedFen: first + second, premiumOutstandingFen: gross - first - second });
    // The policy schedule (PDF) states the schedule: each instalment's due date and amount.
    const pdf = await t.http.get(`/v1/policies/${policy.id}/pdf`).set(as('enterprise')).buffer(true).parse(binary as never);
    expect(pdf.status).to.equal(200);
    const text = (await extractPdfText(pdf.body as Buffer)).replace(/\s+/g, ' ');
    for (const expected of ['分期缴费计划', plusMonths(6), yuanDigits(first), yuanDigits(second), yuanDigits(gross - first - second)]) expect(text, expected).to.include(expected);
  });

  it('refuses a subsidy application\'s submission until the premium is received in full (409), then records it', async () => {
    const policy = await bind(FIRST_SET, 'HZZZ', { qualifications: ['first-domestic'] });
    const submit = () => t.http.post(`/v1/policies/${policy.id}/subsidy-applications/CN-FIRST-SET/status`).set(as('enterprise')).send({ status: 'submitted' });
    const none = await submit();
    expect(none.status).to.equal(409);
    expect(none.body.error.message).to.include('received 0.00 yuan of the gross premium');
    expect(none.body.error.details).to.deep.equal([{ path: 'policy.premiumReceivedFen', message: `must equal the gross premium ${policy.grossPremiumFen} before an application is submitted (premium_not_received)`, value: '0' }]);
    expect((await pay(policy.id, { amountFen: policy.grossPremiumFen - 1, receivedOn: today(), reference: 'GATE-1' })).status).to.equal(201);
    const short = await submit();
    expect(short.status).to.equal(409);
    expect(short.body.error.details[0].value).to.equal(String(policy.grossPremiumFen - 1));
    expect((await pay(policy.id, { amountFen: 1, receivedOn: today(), reference: 'GATE-2' })).status).to.equal(201);
    const ok = await submit();
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.status).to.equal('submitted');
  });
});
