import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import supertest from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit-log.ts';
import { createOrganisation, issueApiKey } from '../../src/auth/auth-service.ts';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { yuanDigits } from '../../src/documents/document-format.ts';
import { subsidiesRecorded } from '../../src/subsidies/subsidy-ledger.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';
import { payInFull } from '../support/premium.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const binary = (res: NodeJS.ReadableStream & { setEncoding(e: string): void }, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

interface Layer { programme: string; amountFen: number; sharePercent: string; countedPremiumFen: number; uncappedFen: number; caps: { kind: string; limitFen: number; bit: boolean }[] }
interface Policy { id: string; policyNumber: string; grossPremiumFen: number; netPremiumFen: number; vatFen: number; subsidies: { programme: string; amountFen: number }[]; result: { subsidies: { layers: Layer[] } } }

describe('Subsidy applications', function () {
  this.timeout(120_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  let zhejiang: Policy;
  let strangerBroker: string;

  async function bindFor(enterprise: 'HZZZ' | 'JNXC', facts: Record<string, unknown> = {}): Promise<Policy> {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations[enterprise], inputs: structuredClone(baseVector!.inputs), startDate: today(), enterprise: facts });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    await payInFull(t.http, t.keys.insurerAdmin, bound.body.id as string); // an application is submitted on premium received in full (#26)
    return bound.body as Policy;
  }

  /** The SD-FIRST-SET annual cap a fresh quote for the Jinan enterprise would be rated with. */
  async function annualCapOnNextQuote(): Promise<number> {
    const res = await t.http.post('/v1/pricing/preview').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.JNXC, inputs: structuredClone(baseVector!.inputs), startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const layer = (res.body.subsidies.layers as Layer[]).find((l) => l.programme === 'SD-FIRST-SET')!;
    return layer.caps.find((c) => c.kind === 'annual')!.limitFen;
  }

  const record = (policyId: string, programme: string, body: Record<string, unknown>, key: keyof typeof t.keys = 'enterprise', headers: Record<string, string> = {}) =>
    t.http.post(`/v1/policies/${policyId}/subsidy-applications/${programme}/status`).set(as(key)).set(headers).send(body);

  before(async () => {
    await publishShippedProducts();
    zhejiang = await bindFor('HZZZ', { qualifications: ['first-domestic'] });
    const org = await createOrganisation({ code: 'OTHERB', kind: 'broker', name: '无关经纪（测试）' });
    strangerBroker = (await issueApiKey(null, org.id, { userName: 'stranger', role: 'broker' })).apiKey;
  });

  it('lists the central and the Zhejiang layers with the amounts on the policy, to the fen', async () => {
    const res = await t.http.get(`/v1/policies/${zhejiang.id}/subsidy-applications`).set(as('enterprise'));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.items.map((i: { programme: string }) => i.programme)).to.deep.equal(['CN-FIRST-SET', 'ZJ-FIRST-SET']);
    const onPolicy = Object.fromEntries(zhejiang.subsidies.map((s) => [s.programme, s.amountFen]));
    for (const item of res.body.items) {
      expect(item.expectedFen).to.equal(onPolicy[item.programme]);
      expect(item.status).to.equal('prepared');
      expect(item.department.zh).to.be.a('string').and.not.equal('');
    }
    // Independently: contract 1000万 = 10^9 fen; central 80% × min(premium, 3% of it), Zhejiang 80% × min(premium, 2%).
    const gross = BigInt(zhejiang.grossPremiumFen);
    const counted = (capPercent: bigint) => (gross < 1_000_000_000n * capPercent / 100n ? gross : 1_000_000_000n * capPercent / 100n);
    const share80 = (fen: bigint) => Number((fen * 80n + 50n) / 100n);
    expect(res.body.items[0].expectedFen).to.equal(share80(counted(3n)));
    // Zhejiang's 80% of its counted premium, but all layers together never exceed the premium paid.
    expect(res.body.items[1].expectedFen).to.equal(Math.min(share80(counted(2n)), zhejiang.grossPremiumFen - res.body.items[0].expectedFen));
    expect(res.body.expectedFen).to.equal(zhejiang.subsidies.reduce((s, l) => s + l.amountFen, 0));
    const byBroker = await t.http.get(`/v1/policies/${zhejiang.id}/subsidy-applications`).set(as('broker'));
    expect(byBroker.status).to.equal(200);
  });

  it('prints each application with the credit code, the policy number, every calculation figure and the amount', async () => {
    const res = await t.http.get(`/v1/policies/${zhejiang.id}/subsidy-applications/CN-FIRST-SET/pdf`).set(as('enterprise')).buffer(true).parse(binary as never);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/pdf');
    const text = (await extractPdfText(res.body as Buffer)).replace(/\s+/g, ' ');
    const layer = zhejiang.result.subsidies.layers.find((l) => l.programme === 'CN-FIRST-SET')!;
    const rate = layer.caps.find((c) => c.kind === 'rate')!;
    for (const expected of [
      '91330106MA2H7K3Q0L', zhejiang.policyNumber, '杭州智造装备有限公司', '330106',
      yuanDigits(zhejiang.grossPremiumFen), yuanDigits(zhejiang.netPremiumFen), yuanDigits(zhejiang.vatFen),
      yuanDigits(1_000_000_000), '3%', `${layer.sharePercent}%`, yuanDigits(rate.limitFen), yuanDigits(layer.countedPremiumFen), yuanDigits(layer.uncappedFen),
      yuanDigits(0), yuanDigits(layer.amountFen), '工业和信息化部', '保险费增值税发票', '保费支付凭证', '首台（套）装备销售合同', '恒泰科技保险',
    ]) expect(text, expected).to.include(expected);
    const zj = await t.http.get(`/v1/policies/${zhejiang.id}/subsidy-applications/ZJ-FIRST-SET/pdf`).set(as('broker')).buffer(true).parse(binary as never);
    const zjText = (await extractPdfText(zj.body as Buffer)).replace(/\s+/g, ' ');
    const zjLayer = zhejiang.result.subsidies.layers.find((l) => l.programme === 'ZJ-FIRST-SET')!;
    for (const expected of ['2%', yuanDigits(zjLayer.countedPremiumFen), yuanDigits(zjLayer.amountFen), '国内首台（套）', '浙江省经济和信息化厅', '浙江省首台（套）产品认定文件']) expect(zjText, expected).to.include(expected);
  });

  it('zips one PDF per programme', async () => {
    const res = await t.http.get(`/v1/policies/${zhejiang.id}/subsidy-applications.zip`).set(as('enterprise')).buffer(true).parse(binary as never);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/zip');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'subsidy-zip-'));
    try {
      writeFileSync(path.join(dir, 'a.zip'), res.body as Buffer);
      const names = execFileSync('zipinfo', ['-1', path.join(dir, 'a.zip')], { encoding: 'utf8' }).trim().split('\n').sort();
      expect(names).to.deep.equal([`补贴申请材料-CN-FIRST-SET-${zhejiang.policyNumber}.pdf`, `补贴申请材料-ZJ-FIRST-SET-${zhejiang.policyNumber}.pdf`]);
      const first = execFileSync('unzip', ['-p', path.join(dir, 'a.zip'), names[0]!]);
      expect(first.subarray(0, 5).toString()).to.equal('%PDF-');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 404 to another enterprise and to an unrelated broker, 403 to insurers', async () => {
    for (const path of ['', '.zip', '/CN-FIRST-SET/pdf']) {
      expect((await t.http.get(`/v1/policies/${zhejiang.id}/subsidy-applications${path}`).set(as('otherEnterprise'))).status, path).to.equal(404);
      expect((await t.http.get(`/v1/policies/${zhejiang.id}/subsidy-applications${path}`).set(bearer(strangerBroker))).status, path).to.equal(404);
    }
    expect((await record(zhejiang.id, 'CN-FIRST-SET', { status: 'submitted' }, 'otherEnterprise')).status).to.equal(404);
    expect((await t.http.post(`/v1/policies/${zhejiang.id}/subsidy-applications/CN-FIRST-SET/status`).set(bearer(strangerBroker)).send({ status: 'submitted' })).status).to.equal(404);
    expect((await t.http.get(`/v1/policies/${zhejiang.id}/subsidy-applications`).set(as('underwriter'))).status).to.equal(403);
    expect((await t.http.get(`/v1/policies/${zhejiang.id}/subsidy-applications/SD-FIRST-SET/pdf`).set(as('enterprise'))).status).to.equal(404);
  });

  const decide = (policyId: string, programme: string, body: Record<string, unknown>, key: keyof typeof t.keys) =>
    t.http.post(`/v1/subsidy-applications/${policyId}-${programme}/decision`).set(as(key)).send(body);

  it('validates transitions: a decision needs a submission, the enterprise records none (403), and a decision is final', async () => {
    // Not yet submitted: the department has no such application (404); the enterprise may not decide at all (403).
    expect((await decide(zhejiang.id, 'ZJ-FIRST-SET', { outcome: 'granted', grantedFen: 100 }, 'provincialAuthority')).status).to.equal(404);
    for (const key of ['enterprise', 'broker'] as const) {
      const own = await record(zhejiang.id, 'ZJ-FIRST-SET', { status: 'granted', grantedFen: 100 }, key);
      expect(own.status, key).to.equal(403);
      expect(own.body.error.message).to.match(/Only the subsidy department records/);
    }
    const submitted = await record(zhejiang.id, 'ZJ-FIRST-SET', { status: 'submitted', on: today(), reference: 'ZJ-2026-001' });
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(200);
    expect(submitted.body.status).to.equal('submitted');
    expect((await record(zhejiang.id, 'ZJ-FIRST-SET', { status: 'refused', reason: '材料不全' }, 'broker')).status).to.equal(403);
    const refused = await decide(zhejiang.id, 'ZJ-FIRST-SET', { outcome: 'refused', reason: '材料不全' }, 'provincialAuthority');
    expect(refused.status, JSON.stringify(refused.body)).to.equal(201);
    expect(refused.body).to.include({ status: 'refused', refusalReason: '材料不全', countedFen: 0, decidedBy: 'authority' });
    const flip = await decide(zhejiang.id, 'ZJ-FIRST-SET', { outcome: 'granted', grantedFen: 100 }, 'provincialAuthority');
    expect(flip.status).to.equal(409);
    expect(flip.body.error.message).to.match(/already refused .*a recorded outcome is final/);
    expect((await record(zhejiang.id, 'ZJ-FIRST-SET', { status: 'submitted' })).status).to.equal(409);
    expect((await record(zhejiang.id, 'ZJ-FIRST-SET', { status: 'withdrawn' })).status).to.equal(409);
    const audit = await AuditEntryModel.find({ entityType: 'policy', entityId: zhejiang.id, action: /^subsidy\./ }).lean();
    expect(audit.map((a) => a.action).sort()).to.deep.equal(['subsidy.refused', 'subsidy.submitted']);
  });

  it('a smaller grant by the department raises the cap left on the next quote by the difference; a second decision is a 409', async () => {
    const jinan = await bindFor('JNXC');
    const expected = jinan.subsidies.find((s) => s.programme === 'SD-FIRST-SET')!.amountFen;
    const capBefore = await annualCapOnNextQuote();
    expect(capBefore).to.equal(500_000_000 - expected);
    expect((await record(jinan.id, 'SD-FIRST-SET', { status: 'submitted' }, 'otherEnterprise')).status).to.equal(200);
    const grant = { outcome: 'granted', grantedFen: expected - 1_234_56, reference: '鲁工信补〔2026〕1号' };
    const first = await decide(jinan.id, 'SD-FIRST-SET', grant, 'otherProvincialAuthority');
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body).to.include({ status: 'granted', grantedFen: expected - 1_234_56, countedFen: expected - 1_234_56, decisionReference: '鲁工信补〔2026〕1号' });
    const capAfter = await annualCapOnNextQuote();
    expect(capAfter - capBefore).to.equal(1_234_56);
    expect((await decide(jinan.id, 'SD-FIRST-SET', grant, 'otherProvincialAuthority')).status).to.equal(409);
    expect(await annualCapOnNextQuote()).to.equal(capAfter);
    expect((await subsidiesRecorded(t.organisations.JNXC!, today().slice(0, 4))).find((s) => s.programme === 'SD-FIRST-SET')!.amountFen).to.equal(expected - 1_234_56);
    expect(await AuditEntryModel.countDocuments({ entityId: jinan.id, action: 'subsidy.granted' })).to.equal(1);
    const seen = await t.http.get(`/v1/policies/${jinan.id}/subsidy-applications`).set(as('otherEnterprise'));
    expect(seen.body.items.find((i: { programme: string }) => i.programme === 'SD-FIRST-SET')).to.include({ status: 'granted', decidedBy: 'authority' });
  });

  it('a refusal frees the whole expected amount', async () => {
    const capBefore = await annualCapOnNextQuote();
    const second = await bindFor('JNXC');
    const expected = second.subsidies.find((s) => s.programme === 'SD-FIRST-SET')!.amountFen;
    expect(await annualCapOnNextQuote()).to.equal(capBefore - expected);
    expect((await record(second.id, 'SD-FIRST-SET', { status: 'submitted' }, 'otherEnterprise')).status).to.equal(200);
    expect((await decide(second.id, 'SD-FIRST-SET', { outcome: 'refused', reason: '超出年度额度' }, 'otherProvincialAuthority')).status).to.equal(201);
    expect(await annualCapOnNextQuote()).to.equal(capBefore);
    expect((await decide(second.id, 'SD-FIRST-SET', { outcome: 'refused', reason: '超出年度额度' }, 'otherProvincialAuthority')).status).to.equal(409);
    expect(await annualCapOnNextQuote()).to.equal(capBefore);
  });

  it('shows the enterprise its year per programme, with CSV and XLSX exports', async () => {
    const year = today().slice(0, 4);
    const res = await t.http.get(`/v1/subsidies/years/${year}`).set(as('otherEnterprise'));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const sd = res.body.rows.find((r: { programme: string }) => r.programme === 'SD-FIRST-SET');
    expect(sd.applications).to.equal(2);
    expect(sd.refusedFen).to.be.greaterThan(0);
    expect(sd.grantedFen).to.be.greaterThan(0);
    expect(sd.pendingFen).to.equal(0);
    expect(sd.countedFen).to.equal(sd.grantedFen);
    expect(sd.capRemainingFen).to.equal(500_000_000 - sd.grantedFen);
    expect(res.body.rows.every((r: { enterpriseName: string }) => r.enterpriseName === '济南新材科技有限公司')).to.equal(true);
    const zj = await t.http.get(`/v1/subsidies/years/${year}`).set(as('enterprise'));
    expect(zj.body.rows.map((r: { programme: string }) => r.programme).sort()).to.deep.equal(['CN-FIRST-SET', 'ZJ-FIRST-SET']);
    const broker = await t.http.get(`/v1/subsidies/years/${year}`).set(as('broker'));
    expect(broker.body.rows.length).to.be.greaterThan(zj.body.rows.length);
    expect((await t.http.get(`/v1/subsidies/years/${year}`).set(bearer(strangerBroker))).body.rows).to.deep.equal([]);
    const csv = await t.http.get(`/v1/subsidies/years/${year}/export?format=csv`).set(as('otherEnterprise'));
    expect(csv.status).to.equal(200);
    expect(csv.text).to.include('SD-FIRST-SET').and.include((sd.grantedFen / 100).toFixed(2));
    const xlsx = await t.http.get(`/v1/subsidies/years/${year}/export?format=xlsx`).set(as('otherEnterprise')).buffer(true).parse(binary as never);
    expect(xlsx.status).to.equal(200);
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).to.equal('PK');
    // Both files are streamed a row at a time (writeSubsidyYear): the workbook holds the year's rows
    // and, on its second sheet, every application; the page's downloads are the same files.
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as never);
    const [rowsSheet, detailSheet] = book.worksheets;
    expect(rowsSheet!.name).to.equal(`补贴 ${year}`);
    expect(rowsSheet!.getRow(1).getCell(1).value).to.equal('企业 Enterprise');
    const sdRow = rowsSheet!.getRows(2, rowsSheet!.rowCount - 1)!.find((r) => r.getCell(2).value === 'SD-FIRST-SET')!;
    expect(sdRow.getCell(8).value, 'granted, a number in yuan').to.equal(sd.grantedFen / 100);
    expect(detailSheet!.name).to.equal('申请 Applications');
    expect(detailSheet!.rowCount - 1).to.equal(res.body.applications.length);
    const web = supertest.agent(t.app);
    expect((await web.post('/sign-in').type('form').send({ apiKey: t.keys.otherEnterprise })).status).to.equal(303);
    const page = await web.get(`/subsidies?year=${year}&format=csv`);
    expect(page.status).to.equal(200);
    expect(page.headers['content-disposition']).to.include(`subsidies-${year}.csv`);
    expect(page.text).to.equal(csv.text);
  });
});
