// Issue #26, cancellation (退保) through the API: both worked readings of policy-life.md to the
// fen, the 5% fee before cover (首版次), a refund never above what was received, exactly once
// under 20 concurrent cancels, a second cancel 409, what follows (status, payments and renewal
// refused, the subsidy year and the next quote's annual cap), and a pool's refund split.
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { changesOf } from '../../src/policies/policy-changes.ts';
import { addDays } from '../../src/rating/calendar.ts';
import { parseDay } from '../../src/rating/period.ts';
import { subsidiesRecorded } from '../../src/subsidies/subsidy-ledger.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, inTestService, useTestApp } from '../support/test-app.ts';

const PRODUCT = 'RD-EQUIPMENT-PROPERTY';
/** 0.4% of the replacement value in 万元: 900 万元 → 3,600,000 fen. */
const premiumOf = (replacementValue: number) => replacementValue * 10_000 * 100 * 4 / 1000;
/** Half-up of a non-negative a × b ÷ c, in BigInt: the reading's arithmetic done independently. */
const halfUp = (a: number, b: number, c: number) => Number((BigInt(a) * BigInt(b) * 2n + BigInt(c)) / (2n * BigInt(c)));
const netOf = (gross: number) => halfUp(gross, 100, 106);
const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};
const vectorOf = (file: string) => shippedVectors(file).filter((v) => v.expected.decision === 'quoted' && !v.picks)[0]!;

/** Next 1 January (today when it is one): a calendar year of cover that can still be quoted. */
function coverYear(): { start: string; end: string; year: string } {
  const now = today();
  const year = now.endsWith('-01-01') ? Number(now.slice(0, 4)) : Number(now.slice(0, 4)) + 1;
  return { start: `${year}-01-01`, end: `${year}-12-31`, year: String(year) };
}

describe('Cancellation (退保) through the API', function () {
  this.timeout(180_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  const period = coverYear();
  const periodDays = parseDay(period.end) - parseDay(period.start) + 1;
  const effective = `${period.year}-05-10`;
  const elapsed = parseDay(effective) - parseDay(period.start); // 129

  async function issue(productCode: string, inputs: Record<string, unknown>, dates: { startDate: string; endDate?: string }, extra: Record<string, unknown> = {}) {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode, enterpriseId: t.organisations.HZZZ, inputs, ...dates, ...extra });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    return bound.body as { id: string; policyNumber: string; grossPremiumFen: number; startDate: string; endDate: string; poolShares?: { insurer: string; role: string; sharePercent: string }[] };
  }
  const equipment = (replacementValue: number) => issue(PRODUCT, { equipmentName: '透射电子显微镜', replacementValue, perEventLimit: 100 }, { startDate: period.start, endDate: period.end }, { enterprise: { qualifications: ['provincial-tech-insurance-pilot'] } });
  const pay = (policyId: string, amountFen: number, reference: string) => t.http.post(`/v1/policies/${policyId}/payments`).set(as('insurerAdmin')).send({ amountFen, receivedOn: today(), reference });
  const preview = (policyId: string, body: object, key: keyof typeof t.keys = 'broker') => t.http.post(`/v1/policies/${policyId}/cancellation/preview`).set(as(key)).send(body);
  const cancel = (policyId: string, body: object, key: keyof typeof t.keys = 'broker') => t.http.post(`/v1/policies/${policyId}/cancel`).set(as(key)).send(body);

  before(async () => {
    await publishShippedProducts();
  });

  it('keeps the worked readings to the fen: 5 months on the standard scale (50%) or by day (129/365), refund the rest', async () => {
    const policy = await equipment(900);
    expect(policy.grossPremiumFen).to.equal(3_600_000);
    expect((await pay(policy.id, 3_600_000, 'CXL-FULL-1')).status).to.equal(201);
    const byHolder = await preview(policy.id, { effectiveDate: effective, initiatedBy: 'policyholder', reason: '企业停产' });
    expect(byHolder.status, JSON.stringify(byHolder.body)).to.equal(200);
    expect(byHolder.body).to.include({ basis: 'short-period', percent: '50', monthsElapsed: 5, daysElapsed: elapsed, periodDays, premiumDueFen: 3_600_000, premiumReceivedFen: 3_600_000 });
    expect(byHolder.body.kept).to.deep.equal({ grossPremiumFen: 1_800_000, netPremiumFen: netOf(1_800_000), vatFen: 1_800_000 - netOf(1_800_000) });
    expect(byHolder.body.refund).to.deep.equal({ grossPremiumFen: 1_800_000, netPremiumFen: 1_698_113, vatFen: 101_887 });
    const keptByDay = halfUp(3_600_000, elapsed, periodDays);
    if (periodDays === 365) expect(keptByDay).to.equal(1_272_329);
    const byInsurer = await preview(policy.id, { effectiveDate: effective, initiatedBy: 'insurer', reason: '风险显著增加未通知' }, 'underwriter');
    expect(byInsurer.status, JSON.stringify(byInsurer.body)).to.equal(200);
    expect(byInsurer.body.basis).to.equal('pro-rata-by-day');
    expect(byInsurer.body.kept.grossPremiumFen).to.equal(keptByDay);
    expect(byInsurer.body.refund).to.deep.equal({ grossPremiumFen: 3_600_000 - keptByDay, netPremiumFen: netOf(3_600_000 - keptByDay), vatFen: 3_600_000 - keptByDay - netOf(3_600_000 - keptByDay) });
    // Every layer recomputed on the premium kept: the 25% programme on 1,800,000.
    expect(byHolder.body.subsidyLayers.find((l: { programme: string }) => l.programme === 'GENERIC-TECH-25')).to.include({ beforeFen: 900_000, afterFen: 450_000, grantedFen: 0, toRepayFen: 0 });
    expect(byHolder.body).to.include({ expectedSubsidyBeforeFen: 900_000, expectedSubsidyAfterFen: 450_000, subsidyToRepayFen: 0 });
    expect(byHolder.body.annualCaps).to.deep.include({ programme: 'GENERIC-TECH-25', year: Number(period.year), countedBeforeFen: 900_000, countedAfterFen: 450_000 });

    const done = await cancel(policy.id, { effectiveDate: effective, initiatedBy: 'policyholder', reason: '企业停产' });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    if (process.env.KEEP_EXAMPLES) await writeFile(process.env.KEEP_EXAMPLES, JSON.stringify({ request: { effectiveDate: effective, initiatedBy: 'policyholder', reason: '企业停产' }, preview: byHolder.body, response: done.body }));
    expect(done.body).to.include({ number: `${policy.policyNumber}-C`, effectiveDate: effective });
    expect(done.body.refund.grossPremiumFen).to.equal(1_800_000);

    // The policy is cancelled: its view, a second cancel (409), payments and renewal refused.
    const view = await t.http.get(`/v1/policies/${policy.id}`).set(as('enterprise'));
    expect(view.body.status).to.equal('cancelled');
    expect(view.body.cancellation).to.deep.include({ number: `${policy.policyNumber}-C`, effectiveDate: effective, initiatedBy: 'policyholder' });
    expect(view.body.premiumOutstandingFen).to.equal(0);
    const listed = await t.http.get('/v1/policies').set(as('broker'));
    expect(listed.body.items.find((p: { id: string }) => p.id === policy.id).status).to.equal('cancelled');
    const again = await cancel(policy.id, { effectiveDate: effective, initiatedBy: 'insurer', reason: '再次' }, 'underwriter');
    expect(again.status).to.equal(409);
    expect(again.body.error.details[0].path).to.equal('policy.status');
    expect((await preview(policy.id, { effectiveDate: effective, initiatedBy: 'insurer', reason: '再次' })).status).to.equal(409);
    expect((await pay(policy.id, 100, 'CXL-AFTER')).status).to.equal(409);
    expect((await t.http.post(`/v1/policies/${policy.id}/renewal`).set(as('broker'))).status).to.equal(409);

    // The subsidy year, the ledger and the next quote's annual cap count the new amount.
    expect(await inTestService(() => subsidiesRecorded(t.organisations.HZZZ!, period.year))).to.deep.equal([{ programme: 'GENERIC-TECH-25', amountFen: 450_000 }]);
    const year = await t.http.get(`/v1/subsidies/years/${period.year}`).set(as('enterprise'));
    expect(year.status).to.equal(200);
    const row = year.body.rows.find((r: { programme: string }) => r.programme === 'GENERIC-TECH-25');
    expect(row).to.include({ expectedFen: 450_000, countedFen: 450_000, annualCapFen: 20_000_000, capRemainingFen: 20_000_000 - 450_000 });
    const next = await t.http.post('/v1/pricing/preview').set(as('broker')).send({
      productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, startDate: period.start, endDate: period.end,
      inputs: { equipmentName: '冷冻电镜', replacementValue: 25_000, perEventLimit: 100 }, enterprise: { qualifications: ['provincial-tech-insurance-pilot'] },
    });
    expect(next.status, JSON.stringify(next.body)).to.equal(200);
    expect(next.body.subsidies.layers.find((l: { programme: string }) => l.programme === 'GENERIC-TECH-25').amountFen).to.equal(20_000_000 - 450_000);

    // The change announced: the premium due falls to the premium kept; audited once.
    const changes = await inTestService(() => changesOf(policy.id));
    expect(changes.map((c) => [c.kind, c.ref, c.delta.grossPremiumFen])).to.deep.equal([['cancellation', `${policy.policyNumber}-C`, -1_800_000]]);
    const trail = await t.http.get(`/v1/audit?entity=policy&id=${policy.id}`).set(as('insurerAdmin'));
    expect((trail.body.items as { action: string }[]).filter((e) => e.action === 'policy.cancel')).to.have.length(1);

    // The 退保批单, in Chinese and English, for the enterprise too.
    for (const [lang, words] of [['zh-CN', ['退保批单', `${policy.policyNumber}-C`, '18,000.00', '按短期费率 50%']], ['en', ['Cancellation endorsement', 'Premium refunded', '18,000.00', 'short-period scale 50%']]] as const) {
      const pdf = await t.http.get(`/v1/policies/${policy.id}/cancellation/pdf?lang=${lang}`).set(as('enterprise')).buffer(true).parse(binary as never);
      expect(pdf.status).to.equal(200);
      expect(pdf.headers['content-type']).to.equal('application/pdf');
      const text = (await extractPdfText(pdf.body as Buffer)).replace(/\s+/g, ' ');
      for (const w of words) expect(text, `${lang}: ${w}`).to.include(w);
    }
    expect((await t.http.get(`/v1/policies/${policy.id}/cancellation/pdf`).set(as('otherInsurerAdmin'))).status).to.equal(404);
  });

  it('never refunds more than was received (premium partly paid, or not at all)', async () => {
    const policy = await equipment(300);
    const kept = halfUp(premiumOf(300), elapsed, periodDays);
    const body = { effectiveDate: effective, initiatedBy: 'insurer', reason: '风险增加' };
    const unpaid = await preview(policy.id, body);
    expect(unpaid.body.refund).to.deep.equal({ grossPremiumFen: 0, netPremiumFen: 0, vatFen: 0 });
    expect((await pay(policy.id, 100_000, 'CXL-PART-1')).status).to.equal(201);
    expect(kept).to.be.above(100_000);
    expect((await preview(policy.id, body)).body.refund.grossPremiumFen).to.equal(0);
    expect((await pay(policy.id, 900_000, 'CXL-PART-2')).status).to.equal(201);
    const res = await cancel(policy.id, body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ premiumReceivedFen: 1_000_000 });
    expect(res.body.refund.grossPremiumFen).to.equal(1_000_000 - kept);
  });

  it('keeps the 5% handling fee of the 首版次 product on a cancellation before cover starts', async () => {
    const start = addDays(today(), 30);
    const policy = await issue('FIRST-VERSION-SOFTWARE', structuredClone(vectorOf('first-version-software.json').inputs), { startDate: start });
    expect((await pay(policy.id, policy.grossPremiumFen, 'CXL-FVS-1')).status).to.equal(201);
    const res = await cancel(policy.id, { effectiveDate: today(), initiatedBy: 'policyholder', reason: '项目取消' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const fee = halfUp(policy.grossPremiumFen, 5, 100);
    expect(res.body).to.include({ basis: 'before-start-fee', percent: '5', daysElapsed: 0, monthsElapsed: 0 });
    expect(res.body.kept.grossPremiumFen).to.equal(fee);
    expect(res.body.refund).to.deep.equal({ grossPremiumFen: policy.grossPremiumFen - fee, netPremiumFen: netOf(policy.grossPremiumFen - fee), vatFen: policy.grossPremiumFen - fee - netOf(policy.grossPremiumFen - fee) });
  });

  it('cancels exactly once under 20 concurrent cancels: one 201, nineteen 409, one change', async () => {
    const policy = await equipment(500);
    const body = { effectiveDate: effective, initiatedBy: 'policyholder', reason: '并发退保' };
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => cancel(policy.id, body, i % 2 ? 'broker' : 'underwriter')));
    expect(answers.map((a) => a.status).sort()).to.deep.equal([...Array(19).fill(409), 201].sort());
    expect((await inTestService(() => changesOf(policy.id))).filter((c) => c.kind === 'cancellation')).to.have.length(1);
    const trail = await t.http.get(`/v1/audit?entity=policy&id=${policy.id}`).set(as('insurerAdmin'));
    expect((trail.body.items as { action: string }[]).filter((e) => e.action === 'policy.cancel')).to.have.length(1);
  });

  it('splits a pool\'s refund among its members to the fen, shares rounded down and the lead taking the remainder', async () => {
    const policy = await issue('FIRST-SET-EQUIPMENT', structuredClone(vectorOf('first-set-equipment.json').inputs), { startDate: today() });
    expect(policy.poolShares?.length).to.be.above(1);
    expect((await pay(policy.id, policy.grossPremiumFen, 'CXL-POOL-1')).status).to.equal(201);
    const effectiveDate = addDays(today(), 40);
    const res = await cancel(policy.id, { effectiveDate, initiatedBy: 'insurer', reason: '共保体决定解除' }, 'insurerAdmin');
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const days = parseDay(policy.endDate) - parseDay(policy.startDate) + 1;
    const refund = policy.grossPremiumFen - halfUp(policy.grossPremiumFen, 40, days);
    expect(res.body.refund.grossPremiumFen).to.equal(refund);
    const share = (s: { sharePercent: string }, fen: number) => Math.floor(fen * Number(s.sharePercent) / 100);
    const followers = policy.poolShares!.filter((s) => s.role === 'follower');
    for (const f of followers) {
      const part = res.body.members.find((m: { insurer: string }) => m.insurer === f.insurer);
      expect(part).to.include({ grossPremiumFen: share(f, refund), netPremiumFen: share(f, res.body.refund.netPremiumFen) });
    }
    const lead = res.body.members.find((m: { role: string }) => m.role === 'lead');
    expect(lead.grossPremiumFen).to.equal(refund - followers.reduce((s, f) => s + share(f, refund), 0));
    expect(res.body.members.reduce((s: number, m: { netPremiumFen: number }) => s + m.netPremiumFen, 0)).to.equal(res.body.refund.netPremiumFen);
    // A pool follower reads it but does not cancel; the enterprise asks its broker; another insurer does not see it.
    expect((await preview(policy.id, { effectiveDate, initiatedBy: 'insurer', reason: 'x' }, 'poolInsurerAdmin')).status).to.equal(403);
  });

  it('lets the broker and the lead insurer\'s staff cancel, not the enterprise (403) nor another insurer (404); refuses a date after the period', async () => {
    const policy = await equipment(200);
    const body = { effectiveDate: effective, initiatedBy: 'policyholder', reason: '退保' };
    expect((await preview(policy.id, body, 'enterprise')).status).to.equal(403);
    expect((await preview(policy.id, body, 'otherInsurerAdmin')).status).to.equal(404);
    expect((await preview(policy.id, body, 'platformAdmin')).status).to.equal(403);
    const late = await preview(policy.id, { ...body, effectiveDate: `${Number(period.year) + 1}-01-01` });
    expect(late.status).to.equal(400);
    expect(late.body.error.details[0].path).to.equal('body.effectiveDate');
    expect((await preview(policy.id, { ...body, initiatedBy: 'broker' })).status).to.equal(400);
  });
});
