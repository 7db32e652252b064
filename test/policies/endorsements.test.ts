// Issue #26, endorsements (批改): the worked reading of policy-life.md through the API, a refund,
// a change that does not touch the premium, the refusals, exactly-once per Idempotency-Key, and
// what follows a change: the subsidy year, the ledger the next quote's annual cap counts, book:verify.
import { expect } from 'chai';
import { parseDay } from '../../src/rating/period.ts';
import { writeFile } from 'node:fs/promises';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { PolicyEndorsementModel } from '../../src/policies/endorsement-model.ts';
import { subsidiesRecorded } from '../../src/subsidies/subsidy-ledger.ts';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, inTestService, useTestApp } from '../support/test-app.ts';

const PRODUCT = 'RD-EQUIPMENT-PROPERTY';
/** 0.4% of the replacement value in 万元: 900 万元 → 3.6 万元 = 3,600,000 fen. */
const premiumOf = (replacementValue: number) => replacementValue * 10_000 * 100 * 4 / 1000;
/** Half-up of a non-negative a × b ÷ c, in BigInt: the reading's arithmetic done independently. */
const halfUp = (a: number, b: number, c: number) => Number((BigInt(a) * BigInt(b) * 2n + BigInt(c)) / (2n * BigInt(c)));
const netOf = (gross: number) => halfUp(gross, 100, 106);

/** Next 1 January (today when it is one): a calendar year of cover that can still be quoted. */
function coverYear(): { start: string; end: string; year: string } {
  const now = today();
  const year = now.endsWith('-01-01') ? Number(now.slice(0, 4)) : Number(now.slice(0, 4)) + 1;
  return { start: `${year}-01-01`, end: `${year}-12-31`, year: String(year) };
}
const daysBetween = (from: string, to: string) => parseDay(to) - parseDay(from) + 1;

const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};
/** 302466 → "3,024.66": how the documents print yuan. */
const yuan = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100).toLocaleString('en-US')}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

describe('Endorsements (批改) through the API', function () {
  this.timeout(120_000);
  const t = useTestApp();
  const broker = () => bearer(t.keys.broker);
  const period = coverYear();
  const periodDays = daysBetween(period.start, period.end);
  let policyId = '';
  let policyNumber = '';

  before(async () => {
    await publishShippedProducts();
    const quote = await t.http.post('/v1/quotes').set(broker()).send({
      productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, startDate: period.start, endDate: period.end,
      inputs: { equipmentName: '透射电子显微镜', replacementValue: 900, perEventLimit: 100 },
      enterprise: { qualifications: ['provincial-tech-insurance-pilot'] },
    });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(broker());
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    expect(bound.body.grossPremiumFen).to.equal(3_600_000);
    policyId = bound.body.id;
    policyNumber = bound.body.policyNumber;
  });

  const endorse = (body: object, key?: string, as = broker()) => {
    const req = t.http.post(`/v1/policies/${policyId}/endorsements`).set(as);
    return (key ? req.set('Idempotency-Key', key) : req).send(body);
  };

  it('charges 3,600,000 → 4,200,000 from 1 July by days remaining, to the fen, with its VAT split (policy-life.md)', async () => {
    const body = { effectiveDate: `${period.year}-07-01`, inputs: { replacementValue: 1050 }, reason: '增加设备重置价值' };
    const preview = await t.http.post(`/v1/policies/${policyId}/endorsements/preview`).set(broker()).send(body);
    expect(preview.status, JSON.stringify(preview.body)).to.equal(200);
    expect(await PolicyEndorsementModel.countDocuments({})).to.equal(0); // a preview stores nothing
    const res = await endorse(body, 'endorse-1');
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    if (process.env.KEEP_EXAMPLES) await writeFile(process.env.KEEP_EXAMPLES, JSON.stringify({ request: body, preview: preview.body, response: res.body }));
    const daysLeft = daysBetween(`${period.year}-07-01`, period.end);
    expect(daysLeft).to.equal(184);
    const gross = halfUp(premiumOf(1050) - premiumOf(900), daysLeft, periodDays); // 302,466 on a 365-day year
    if (periodDays === 365) expect(gross).to.equal(302_466);
    expect(res.body.number).to.equal(`${policyNumber}-E01`);
    expect(res.body.before.grossPremiumFen).to.equal(premiumOf(900));
    expect(res.body.after.grossPremiumFen).to.equal(premiumOf(1050));
    expect(res.body.difference).to.deep.equal({ kind: 'charge', grossPremiumFen: gross, netPremiumFen: netOf(gross), vatFen: gross - netOf(gross) });
    expect({ ...res.body, endorsedAt: undefined, endorsedBy: undefined }).to.deep.equal({ ...preview.body, endorsedAt: undefined, endorsedBy: undefined });
    // Every subsidy layer before and after: 25% of the premium for the period.
    expect(res.body.subsidyLayers.map((l: { programme: string; beforeFen: number; afterFen: number }) => [l.programme, l.beforeFen, l.afterFen])).to.deep.equal([['GENERIC-TECH-25', premiumOf(900) / 4, premiumOf(1050) / 4]]);
  });

  it('replays the same Idempotency-Key with the same endorsement (200), adding nothing', async () => {
    const body = { effectiveDate: `${period.year}-07-01`, inputs: { replacementValue: 1050 }, reason: '增加设备重置价值' };
    const again = await endorse(body, 'endorse-1');
    expect(again.status).to.equal(200);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(again.body.number).to.equal(`${policyNumber}-E01`);
    expect(await PolicyEndorsementModel.countDocuments({ policyId })).to.equal(1);
  });

  it('shows the current terms, every version and the endorsements on the policy', async () => {
    const policy = (await t.http.get(`/v1/policies/${policyId}`).set(bearer(t.keys.enterprise))).body;
    expect(policy.versions.map((v: { version: number; grossPremiumFen: number }) => [v.version, v.grossPremiumFen])).to.deep.equal([[0, premiumOf(900)], [1, premiumOf(1050)]]);
    expect(policy.versions[0].inputs.replacementValue).to.equal(900);
    expect(policy.current.inputs.replacementValue).to.equal(1050);
    expect(policy.current.subsidies).to.deep.equal([{ programme: 'GENERIC-TECH-25', amountFen: premiumOf(1050) / 4 }]);
    expect(policy.endorsements).to.have.length(1);
    expect(policy.endorsements[0]).to.include({ number: `${policyNumber}-E01`, effectiveDate: `${period.year}-07-01`, pdf: `/v1/policies/${policyId}/endorsements/1/pdf` });
    expect(policy.chargedPremiumFen).to.equal(premiumOf(900) + policy.endorsements[0].difference.grossPremiumFen);
    expect(policy.grossPremiumFen).to.equal(premiumOf(900)); // the premium as issued stays
  });

  it('follows the change into the subsidy year and the ledger: the next quote\'s annual cap counts the new amount to the fen', async () => {
    const after = premiumOf(1050) / 4;
    expect(await inTestService(() => subsidiesRecorded(t.organisations.HZZZ!, period.year))).to.deep.equal([{ programme: 'GENERIC-TECH-25', amountFen: after }]);
    const year = await t.http.get(`/v1/subsidies/years/${period.year}`).set(bearer(t.keys.enterprise));
    expect(year.status).to.equal(200);
    const row = year.body.rows.find((r: { programme: string }) => r.programme === 'GENERIC-TECH-25');
    expect(row).to.include({ expectedFen: after, countedFen: after, annualCapFen: 20_000_000, capRemainingFen: 20_000_000 - after });
    // A large risk the same year: 25% of its premium is over what remains of the 200,000 元 cap.
    const next = await t.http.post('/v1/pricing/preview').set(broker()).send({
      productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, startDate: period.start, endDate: period.end,
      inputs: { equipmentName: '冷冻电镜', replacementValue: 25_000, perEventLimit: 100 }, enterprise: { qualifications: ['provincial-tech-insurance-pilot'] },
    });
    expect(next.status, JSON.stringify(next.body)).to.equal(200);
    const layer = next.body.subsidies.layers.find((l: { programme: string }) => l.programme === 'GENERIC-TECH-25');
    expect(layer.amountFen).to.equal(20_000_000 - after);
  });

  it('has no difference for a change that does not touch the premium (the equipment\'s name)', async () => {
    const res = await endorse({ effectiveDate: `${period.year}-08-01`, inputs: { equipmentName: '场发射透射电子显微镜' }, reason: '更正设备名称' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.number).to.equal(`${policyNumber}-E02`);
    expect(res.body.difference).to.deep.equal({ kind: 'none', grossPremiumFen: 0, netPremiumFen: 0, vatFen: 0 });
    expect(res.body.before.grossPremiumFen).to.equal(res.body.after.grossPremiumFen);
  });

  it('refunds a decrease by days remaining, negative, split like a premium', async () => {
    const res = await endorse({ effectiveDate: `${period.year}-10-01`, inputs: { replacementValue: 900 }, reason: '部分设备退出' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const size = halfUp(premiumOf(1050) - premiumOf(900), daysBetween(`${period.year}-10-01`, period.end), periodDays);
    expect(res.body.difference).to.deep.equal({ kind: 'refund', grossPremiumFen: -size, netPremiumFen: -netOf(size), vatFen: -(size - netOf(size)) });
    expect(res.body.number).to.equal(`${policyNumber}-E03`);
    expect(await inTestService(() => subsidiesRecorded(t.organisations.HZZZ!, period.year))).to.deep.equal([{ programme: 'GENERIC-TECH-25', amountFen: premiumOf(900) / 4 }]);
  });

  it('refuses a field the product does not declare endorsable, naming it, and a date outside the period or before the latest', async () => {
    const field = await endorse({ effectiveDate: `${period.year}-11-01`, inputs: { deductibleRate: 10, replacementValue: 950 }, reason: 'x' });
    expect(field.status).to.equal(400);
    expect(field.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['body.inputs.deductibleRate']);
    for (const effectiveDate of [`${Number(period.year) + 1}-01-01`, `${Number(period.year) - 1}-12-31`]) {
      const outside = await endorse({ effectiveDate, inputs: { replacementValue: 950 }, reason: 'x' });
      expect(outside.status, effectiveDate).to.equal(400);
      expect(outside.body.error.details[0].path).to.equal('body.effectiveDate');
    }
    const earlier = await endorse({ effectiveDate: `${period.year}-09-01`, inputs: { replacementValue: 950 }, reason: 'x' });
    expect(earlier.status).to.equal(400);
    expect(earlier.body.error.details[0].message).to.match(/latest endorsement/);
    expect(await PolicyEndorsementModel.countDocuments({ policyId })).to.equal(3);
  });

  it('lets the lead insurer\'s staff endorse, not the enterprise (403) nor another insurer (404)', async () => {
    const body = { effectiveDate: `${period.year}-11-01`, inputs: { perEventLimit: 200 }, reason: '提高每次事故限额' };
    expect((await endorse(body, undefined, bearer(t.keys.enterprise))).status).to.equal(403);
    expect((await endorse(body, undefined, bearer(t.keys.otherInsurerAdmin))).status).to.equal(404);
    const byUnderwriter = await endorse(body, undefined, bearer(t.keys.underwriter));
    expect(byUnderwriter.status, JSON.stringify(byUnderwriter.body)).to.equal(201);
    expect(byUnderwriter.body.number).to.equal(`${policyNumber}-E04`);
    // Each endorsement is audited on the policy's trail: who, when, what.
    const trail = await t.http.get('/v1/audit').query({ entity: 'policy', id: policyId }).set(broker());
    expect(trail.status, JSON.stringify(trail.body)).to.equal(200);
    const entries = (trail.body.items ?? trail.body) as { action: string; actor: { userName: string; role: string }; summary: string; at: string }[];
    const endorsed = entries.filter((e) => e.action === 'policy.endorse');
    expect(endorsed).to.have.length(4);
    expect(endorsed.map((e) => e.actor.role).sort()).to.deep.equal(['broker', 'broker', 'broker', 'underwriter']);
    expect(endorsed.some((e) => e.summary.includes(`${policyNumber}-E01`))).to.equal(true);
  });

  it('prints the 批单 in Chinese and English: its number, what changed by name, the amounts; the others\' 404', async () => {
    const policy = (await t.http.get(`/v1/policies/${policyId}`).set(broker())).body;
    const first = policy.endorsements[0];
    const zh = await t.http.get(`/v1/policies/${policyId}/endorsements/1/pdf`).set(bearer(t.keys.enterprise)).buffer(true).parse(binary as never);
    expect(zh.status).to.equal(200);
    expect(zh.headers['content-type']).to.equal('application/pdf');
    const text = (await extractPdfText(zh.body as Buffer)).replace(/\s+/g, ' ');
    if (process.env.KEEP_PDF) await writeFile(process.env.KEEP_PDF, zh.body as Buffer);
    for (const expected of ['批单', `${policyNumber}-E01`, '保险金额（设备重置价值）', '应加收保险费', yuan(first.difference.grossPremiumFen), yuan(first.difference.netPremiumFen), yuan(first.difference.vatFen), yuan(premiumOf(1050)), '184']) {
      expect(text, expected).to.include(expected);
    }
    const en = await t.http.get(`/v1/policies/${policyId}/endorsements/3/pdf?lang=en`).set(broker()).buffer(true).parse(binary as never);
    expect(en.status).to.equal(200);
    const enText = (await extractPdfText(en.body as Buffer)).replace(/\s+/g, ' ');
    for (const expected of ['Endorsement', `${policyNumber}-E03`, 'Premium refunded', yuan(policy.endorsements[2].difference.grossPremiumFen)]) expect(enText, expected).to.include(expected);
    expect((await t.http.get(`/v1/policies/${policyId}/endorsements/9/pdf`).set(broker())).status).to.equal(404);
    // The schedule reprinted after the endorsements: the current terms (the equipment renamed by E02) and the list.
    const schedule = await t.http.get(`/v1/policies/${policyId}/pdf`).set(bearer(t.keys.enterprise)).buffer(true).parse(binary as never);
    expect(schedule.status).to.equal(200);
    const scheduleText = (await extractPdfText(schedule.body as Buffer)).replace(/\s+/g, ' ');
    for (const expected of ['批改记录', '场发射透射电子显微镜', `${policyNumber}-E01`, `${policyNumber}-E04`, yuan(first.difference.grossPremiumFen)]) expect(scheduleText, expected).to.include(expected);
    // What the enterprise pays is the premium due (as issued plus every difference), not the current terms' annual premium.
    const due = policy.grossPremiumFen + (policy.endorsements as { difference: { grossPremiumFen: number } }[]).reduce((sum, e) => sum + e.difference.grossPremiumFen, 0);
    expect(due).to.equal(policy.chargedPremiumFen);
    expect(scheduleText).to.include(`企业应缴保费（原保费加各批单保费差额） ${yuan(due)}`);
    expect((await t.http.get(`/v1/policies/${policyId}/endorsements/1/pdf`).set(bearer(t.keys.otherEnterprise))).status).to.equal(404);
  });
});
