// The illustrative §6 lines end to end: quoted through the API for the demo enterprise and
// printed as a quotation PDF (real database, real Chromium, real poppler), the minimum premium
// of product quality liability in the worksheet appendix.
import { expect } from 'chai';
import type { Response } from 'supertest';
import { yuanDigits } from '../../src/documents/document-view.ts';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

function binary(res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('documents: the illustrative §6 lines', function () {
  this.timeout(60_000);
  const t = useTestApp();
  const broker = () => bearer(t.keys.broker);
  before(publishShippedProducts);

  type Layer = { programme: string; sharePercent: string; amountFen: number };
  async function quotePdfText(productCode: string, inputs: Record<string, unknown>, enterpriseId = t.organisations.HZZZ): Promise<{ text: string; grossPremiumFen: number; layers: Layer[] }> {
    const quote = await t.http.post('/v1/quotes').set(broker()).send({ productCode, enterpriseId, inputs, startDate: today() });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const pdf = await t.http.get(`/v1/quotes/${quote.body.id}/pdf`).set(broker()).buffer(true).parse(binary as never) as unknown as Response;
    expect(pdf.status, String(pdf.body)).to.equal(200);
    return { text: await extractPdfText(pdf.body as Buffer), grossPremiumFen: quote.body.result.grossPremiumFen as number, layers: quote.body.result.subsidies.layers as Layer[] };
  }

  it('prints a product quality liability quote raised to the 5,000 元 minimum premium', async () => {
    const [vector] = shippedVectors('product-quality-liability.json');
    const { text, grossPremiumFen } = await quotePdfText('PRODUCT-QUALITY-LIABILITY', { ...vector!.inputs, annualSales: 100 });
    expect(grossPremiumFen).to.equal(500_000); // 1,000,000 元 × 0.3% = 3,000.00 元 < 5,000.00 元
    expect(text).to.contain('科技企业产品质量责任保险（示意费率）');
    expect(text).to.contain(yuanDigits(500_000));
    // The worksheet appendix: the base premium 3,000.00 元 after 12 months, then the minimum premium step.
    const appendix = text.slice(text.indexOf('附录'));
    expect(appendix).to.contain('3,000.00').and.contain('最低保费');
    expect(appendix.indexOf('3,000.00')).to.be.below(appendix.indexOf('最低保费'));
  });

  it('prints a 先用后转 performance bond quote at 1.2% of the guaranteed amount', async () => {
    const [vector] = shippedVectors('use-first-transfer-later-bond.json');
    const { text, grossPremiumFen } = await quotePdfText('UFTL-PERFORMANCE-BOND', vector!.inputs);
    expect(grossPremiumFen).to.equal(vector!.expected.grossPremiumFen); // 500,000 元 × 1.2% = 6,000.00 元
    expect(text).to.contain('专利“先用后转”履约保证保险（示意费率）');
    expect(text).to.contain(yuanDigits(600_000));
  });

  it('gives an enterprise in Pingyang county the 80% PINGYANG-UFTL subsidy on the bond, and one in Hangzhou none', async () => {
    const [vector] = shippedVectors('use-first-transfer-later-bond.json');
    const client = await t.http.post('/v1/clients').set(broker()).send({ unifiedSocialCreditCode: '91330326MA2H8P5K1U', name: '平阳县光伏新材料有限公司', regionCode: '330326' });
    expect(client.status, JSON.stringify(client.body)).to.equal(201);
    const { text, layers } = await quotePdfText('UFTL-PERFORMANCE-BOND', vector!.inputs, client.body.enterprise.id as string);
    // 6,000.00 元 × 80% = 4,800.00 元 expected subsidy; net cost 1,200.00 元
    expect(layers.map((l) => [l.programme, l.sharePercent, l.amountFen])).to.deep.equal([['PINGYANG-UFTL', '80', 480_000]]);
    expect(text).to.contain('平阳县先用后转保险补贴').and.contain(yuanDigits(480_000)).and.contain(yuanDigits(120_000));
    const hangzhou = await t.http.post('/v1/quotes').set(broker()).send({ productCode: 'UFTL-PERFORMANCE-BOND', enterpriseId: t.organisations.HZZZ, inputs: vector!.inputs, startDate: today() });
    expect(hangzhou.body.result.subsidies.layers).to.deep.equal([]);
  });
});
