// Issue #26: subsidy applications follow the policy's changes. An application submitted after an
// endorsement applies for the layer of the new terms, one after a cancellation for the layer on the
// premium kept (the amounts worked here independently: 25% of the premium, GENERIC-TECH-25 on
// RD-EQUIPMENT-PROPERTY); the application PDF prints them; an application submitted before a
// cancellation that leaves nothing stays listed, expecting nothing; a cancelled policy is not endorsed.
import { expect } from 'chai';
import { yuanDigits } from '../../src/documents/document-format.ts';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { payInFull } from '../support/premium.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const PRODUCT = 'RD-EQUIPMENT-PROPERTY';
const PROGRAMME = 'GENERIC-TECH-25';
/** 0.4% of the replacement value in 万元: 900 万元 → 3,600,000 fen. */
const premiumOf = (replacementValue: number) => replacementValue * 10_000 * 100 * 4 / 1000;
/** 25% of a premium, half-up (the programme's share). */
const quarterOf = (fen: number) => Math.floor((fen * 25 + 50) / 100);
const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** Next 1 January (today when it is one): a calendar year of cover that can still be quoted. */
function coverYear(): { start: string; end: string; year: string } {
  const now = today();
  const year = now.endsWith('-01-01') ? Number(now.slice(0, 4)) : Number(now.slice(0, 4)) + 1;
  return { start: `${year}-01-01`, end: `${year}-12-31`, year: String(year) };
}

interface Application { programme: string; expectedFen: number; countedFen: number; status: string }

describe('Subsidy applications after an endorsement or a cancellation (#26)', function () {
  this.timeout(180_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  const period = coverYear();

  async function issue(replacementValue: number): Promise<{ id: string; policyNumber: string; grossPremiumFen: number }> {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({
      productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, startDate: period.start, endDate: period.end,
      inputs: { equipmentName: '透射电子显微镜', replacementValue, perEventLimit: 100 }, enterprise: { qualifications: ['provincial-tech-insurance-pilot'] },
    });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    return bound.body;
  }
  const applications = async (policyId: string): Promise<Application[]> => {
    const res = await t.http.get(`/v1/policies/${policyId}/subsidy-applications`).set(as('enterprise'));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.items as Application[];
  };
  const submit = (policyId: string) => t.http.post(`/v1/policies/${policyId}/subsidy-applications/${PROGRAMME}/status`).set(as('enterprise')).send({ status: 'submitted' });
  const cancel = (policyId: string, effectiveDate: string) => t.http.post(`/v1/policies/${policyId}/cancel`).set(as('broker')).send({ effectiveDate, initiatedBy: 'policyholder', reason: '企业停产' });
  async function pdfText(policyId: string): Promise<string> {
    const pdf = await t.http.get(`/v1/policies/${policyId}/subsidy-applications/${PROGRAMME}/pdf`).set(as('enterprise')).buffer(true).parse(binary as never);
    expect(pdf.status).to.equal(200);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    return (await extractPdfText(pdf.body as Buffer)).replace(/\s+/g, ' ');
  }

  before(async () => {
    await publishShippedProducts();
  });

  it('applies for the layer of the endorsed terms: 900 → 1,050 万元 raises it from 900,000 to 1,050,000 fen', async () => {
    const policy = await issue(900);
    expect((await applications(policy.id)).map((a) => [a.programme, a.expectedFen])).to.deep.equal([[PROGRAMME, quarterOf(premiumOf(900))]]);
    const endorsed = await t.http.post(`/v1/policies/${policy.id}/endorsements`).set(as('broker')).send({ effectiveDate: `${period.year}-07-01`, inputs: { replacementValue: 1050 }, reason: '增加设备重置价值' });
    expect(endorsed.status, JSON.stringify(endorsed.body)).to.equal(201);
    const after = quarterOf(premiumOf(1050));
    expect(after).to.equal(1_050_000);
    expect((await applications(policy.id)).map((a) => [a.programme, a.expectedFen])).to.deep.equal([[PROGRAMME, after]]);
    await payInFull(t.http, t.keys.insurerAdmin, policy.id); // the premium due includes the endorsement's charge
    const submitted = await submit(policy.id);
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(200);
    expect(submitted.body).to.include({ programme: PROGRAMME, status: 'submitted', expectedFen: after, countedFen: after });
    // The department's queue holds what was applied for; a smaller grant leaves the year counting exactly the grant.
    const org = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code: 'ZJ-TECH-25', kind: 'authority', name: '浙江省科技厅（测试）', level: 'provincial', regionPrefixes: ['33'], programmes: [PROGRAMME] });
    expect(org.status, JSON.stringify(org.body)).to.equal(201);
    const officer = bearer((await t.http.post(`/v1/organisations/${org.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: '科技厅审核', role: 'authority-officer' })).body.apiKey as string);
    const queued = (await t.http.get('/v1/subsidy-applications').set(officer)).body.items as { id: string; policyId: string; expectedFen: number; appliedFen: number }[];
    expect(queued.find((i) => i.policyId === policy.id)).to.include({ expectedFen: after, appliedFen: after });
    const granted = after - 50_000;
    const decided = await t.http.post(`/v1/subsidy-applications/${policy.id}-${PROGRAMME}/decision`).set(officer).send({ outcome: 'granted', grantedFen: granted });
    expect(decided.status, JSON.stringify(decided.body)).to.equal(201);
    const year = await t.http.get(`/v1/subsidies/years/${period.year}`).set(as('enterprise'));
    expect(year.body.rows.find((r: { programme: string }) => r.programme === PROGRAMME)).to.include({ grantedFen: granted, countedFen: granted });
    const text = await pdfText(policy.id);
    expect(text).to.include(`${yuanDigits(after)} 元`).and.include(`${yuanDigits(premiumOf(1050))} 元`).and.include(`${policy.policyNumber}-E01`);
    expect(text).to.not.include(`${yuanDigits(quarterOf(premiumOf(900)))} 元`);
  });

  it('applies for the layer on the premium kept after a cancellation: 5 months, 50% of 3,600,000 kept → 450,000 fen', async () => {
    const policy = await issue(900);
    await payInFull(t.http, t.keys.insurerAdmin, policy.id);
    const cancelled = await cancel(policy.id, `${period.year}-05-10`);
    expect(cancelled.status, JSON.stringify(cancelled.body)).to.equal(201);
    const kept = premiumOf(900) / 2; // the standard short-period scale: 5 months → 50%
    expect(cancelled.body.kept.grossPremiumFen).to.equal(kept);
    expect((await applications(policy.id)).map((a) => [a.programme, a.expectedFen])).to.deep.equal([[PROGRAMME, quarterOf(kept)]]);
    // A cancelled policy is not endorsed (a later change would re-rate the whole period over the premium kept).
    for (const route of ['endorsements/preview', 'endorsements']) {
      const refused = await t.http.post(`/v1/policies/${policy.id}/${route}`).set(as('broker')).send({ effectiveDate: `${period.year}-06-01`, inputs: { replacementValue: 1050 }, reason: '退保后批改' });
      expect(refused.status, route).to.equal(409);
      expect(refused.body.error.details[0].path).to.equal('policy.status');
    }
    const submitted = await submit(policy.id);
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(200);
    expect(submitted.body).to.include({ expectedFen: 450_000, countedFen: 450_000 });
    const text = await pdfText(policy.id);
    expect(text).to.include(`${yuanDigits(450_000)} 元`).and.include(`${yuanDigits(kept)} 元`).and.include(`${policy.policyNumber}-C`);
  });

  it('keeps an application submitted before a cancellation that leaves nothing (before cover, no fee) listed, expecting nothing', async () => {
    const policy = await issue(900);
    await payInFull(t.http, t.keys.insurerAdmin, policy.id);
    expect((await submit(policy.id)).status).to.equal(200);
    const cancelled = await cancel(policy.id, period.start);
    expect(cancelled.status, JSON.stringify(cancelled.body)).to.equal(201);
    expect(cancelled.body.kept.grossPremiumFen).to.equal(0); // RD-EQUIPMENT-PROPERTY declares no fee before cover
    const listed = await applications(policy.id);
    expect(listed.map((a) => [a.programme, a.status, a.expectedFen])).to.deep.equal([[PROGRAMME, 'submitted', 0]]);
    // A policy cancelled before any application was submitted has none to submit.
    const other = await issue(900);
    await payInFull(t.http, t.keys.insurerAdmin, other.id);
    expect((await cancel(other.id, period.start)).status).to.equal(201);
    expect(await applications(other.id)).to.deep.equal([]);
    expect((await submit(other.id)).status).to.equal(404);
  });
});
