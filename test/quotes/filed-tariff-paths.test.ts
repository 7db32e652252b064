// Nothing off-tariff reaches a quote on any path (#29): an underwriter's approval and a bulk row
// with a coefficient outside the filed range are refused, a deductible that is not a filed choice
// is refused listing the choices, and a blanket quote is priced on its eligible units only.
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { QuoteModel } from '../../src/quotes/quote-model.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

const [firstSet] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const [patents] = shippedVectors('ip-patent-enforcement.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

describe('Filed tariffs on every path: approve, bulk, blanket quotes', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);

  before(async function () {
    this.timeout(120_000);
    await publishShippedProducts();
  });

  const body = (productCode: string, inputs: Record<string, unknown>) => ({ productCode, enterpriseId: t.organisations.HZZZ, inputs, startDate: today() });

  it('refuses an approval whose coefficient is outside the filed range, and keeps the quote referred', async () => {
    const inputs = { ...structuredClone(firstSet!.inputs), aggregateLimit: 500 };
    const created = await t.http.post('/v1/quotes').set(as('broker')).send(body('FIRST-SET-EQUIPMENT', inputs));
    expect(created.body.status, JSON.stringify(created.body)).to.equal('referred');
    // Contract 1000万 is in (500,1000]: filed 1.50–2.00.
    const approve = await t.http.post(`/v1/quotes/${created.body.id}/approve`).set(as('underwriter')).send({ picks: { transactionAmount: '2.01' } });
    expect(approve.status).to.equal(400);
    expect(approve.body.error.details).to.deep.equal([{ path: 'body.picks.transactionAmount', message: 'table transactionAmount: "2.01" is outside the filed range [1.5, 2] of band b2 ((500,1000] (10k CNY))' }]);
    expect((await QuoteModel.findById(created.body.id).lean())!.status).to.equal('referred');
    const inside = await t.http.post(`/v1/quotes/${created.body.id}/approve`).set(as('underwriter')).send({ picks: { transactionAmount: '2' } });
    expect(inside.status, JSON.stringify(inside.body)).to.equal(200);
  });

  it('refuses bulk rows with a coefficient outside the filed range or a deductible that is not a filed choice', async () => {
    const scalar = Object.entries(patents!.inputs).filter(([k]) => k !== 'patents');
    const header = ['reference', 'productCode', 'enterpriseCode', 'startDate', ...scalar.map(([k]) => k), 'patents', 'pick.patentManagement'];
    const row = (reference: string, changes: Record<string, string>) => {
      const values: Record<string, string> = { reference, productCode: 'IP-PATENT-ENFORCEMENT', enterpriseCode: 'HZZZ', startDate: today(), ...Object.fromEntries(scalar.map(([k, v]) => [k, String(v)])), patents: JSON.stringify(patents!.inputs.patents), 'pick.patentManagement': '', ...changes };
      return header.map((h) => `"${(values[h] ?? '').replaceAll('"', '""')}"`).join(',');
    };
    const csv = [header.join(','), row('good', {}), row('pick', { 'pick.patentManagement': '1.2' }), row('seven', { deductibleRate: '7' }), row('twelve-half', { deductibleRate: '12.5' })].join('\r\n') + '\r\n';
    const res = await t.http.post('/v1/pricing/bulk').set(as('underwriter')).set('Content-Type', 'text/csv').send(csv);
    expect(res.status, res.text).to.equal(200);
    const rows = parse(res.text, { columns: true, bom: true }) as { reference: string; status: string; errors: string }[];
    expect(rows.map((r) => [r.reference, r.status])).to.deep.equal([['good', 'priced'], ['pick', 'error'], ['seven', 'error'], ['twelve-half', 'error']]);
    // "basic" patent management is filed at 0.9–1.1.
    expect(rows[1]!.errors).to.contain('pick.patentManagement').and.contain('outside the filed range [0.9, 1.1]');
    expect(rows[2]!.errors).to.equal('row 4, column deductibleRate: must be one of the filed choices 0%, 5%, 10%, 15%, 20% or above 20%');
    expect(rows[3]!.errors).to.equal('row 5, column deductibleRate: must be one of the filed choices 0%, 5%, 10%, 15%, 20% or above 20%');
  });

  it('quotes a blanket 首台（套） policy on the units that qualify and lists the one that does not', async () => {
    const equipment = [
      { name: '盾构机 A', model: 'ZTE6250', contractAmount: 400, userOrder: 1 },
      { name: '盾构机 B', model: 'ZTE6250', contractAmount: 350, userOrder: 2 },
      { name: '盾构机 C', model: 'ZTE6250', contractAmount: 250, userOrder: 4 },
    ];
    const res = await t.http.post('/v1/quotes').set(as('broker')).send(body('FIRST-SET-EQUIPMENT', { ...structuredClone(firstSet!.inputs), equipment }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.status).to.equal('quoted');
    expect(res.body.result.excludedItems).to.deep.equal([{ list: 'equipment', index: 2, rule: 'first-three-users', reason: { zh: '购买方不在前三家用户之列，不属于首台（套）保险范围', en: 'The buyer is not among the first three users of the equipment' } }]);
    // 750万 × 2.1% × 1.4 × 1.75 × 0.85 × 0.65 × 1.35 × 0.85 × 0.6 × 0.85 = 124,767.5925234375 元
    expect(res.body.result.grossPremiumFen).to.equal(12_476_759);
  });
});
