// The regulator's filing recorded on a version (备案号, 备案日期) prints on the quotes and policy
// schedules priced on that version, in both languages (issue #28); none is printed before one is recorded.
import { expect } from 'chai';
import type { Response } from 'supertest';
import { resolveApiKey } from '../../src/auth/auth-service.ts';
import { recordFiling } from '../../src/catalogue/filing-record.ts';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const REFERENCE = '科创财险〔2025〕主险 0123 号';

function binary(res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('documents: the version\'s filing on quotes and policy schedules', function () {
  this.timeout(120_000);
  const t = useTestApp();
  const pdfText = async (path: string): Promise<string> => {
    const res = await (t.http.get(path).set(bearer(t.keys.broker)).buffer(true).parse(binary as never) as unknown as Promise<Response>);
    expect(res.status, path).to.equal(200);
    return (await extractPdfText(res.body as Buffer)).replace(/\s+/g, ' ');
  };
  async function quote(): Promise<{ id: string; productVersion: string }> {
    const res = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: structuredClone(baseVector!.inputs), startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; productVersion: string };
  }

  before(async () => publishShippedProducts());

  it('prints no filing line while none is recorded', async () => {
    const { id } = await quote();
    expect(await pdfText(`/v1/quotes/${id}/pdf`)).not.to.contain('监管备案');
    expect(await pdfText(`/v1/quotes/${id}/pdf?lang=en`)).not.to.contain('Regulatory filing');
  });

  it('prints the reference and the date on the quote and the policy schedule, in Chinese and English', async () => {
    const { id, productVersion } = await quote();
    await recordFiling(await resolveApiKey(t.keys.insurerAdmin), PRODUCT, productVersion, { filingReference: REFERENCE, filedOn: '2025-01-15' });
    const zh = await pdfText(`/v1/quotes/${id}/pdf`);
    expect(zh).to.contain('监管备案').and.contain(`备案号 ${REFERENCE}，备案日期 2025-01-15`);
    const en = await pdfText(`/v1/quotes/${id}/pdf?lang=en`);
    expect(en).to.contain(`Regulatory filing Reference ${REFERENCE}; Filed on 2025-01-15`);
    const bound = await t.http.post(`/v1/quotes/${id}/bind`).set(bearer(t.keys.broker));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    expect(await pdfText(`/v1/policies/${bound.body.id as string}/pdf`)).to.contain(`备案号 ${REFERENCE}，备案日期 2025-01-15`);
    expect(await pdfText(`/v1/policies/${bound.body.id as string}/pdf?lang=en`)).to.contain(`Reference ${REFERENCE}; Filed on 2025-01-15`);
  });

  it('prints the date alone when only the date is recorded', async () => {
    const { id, productVersion } = await quote();
    await recordFiling(await resolveApiKey(t.keys.insurerAdmin), PRODUCT, productVersion, { filedOn: '2025-02-01' });
    const zh = await pdfText(`/v1/quotes/${id}/pdf`);
    expect(zh).to.contain('备案日期 2025-02-01').and.not.contain('备案号');
  });
});
