import { expect } from 'chai';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

describe('Lists and pickable steps', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);

  before(publishShippedProducts);

  it('pages every list with items, total, limit and offset', async () => {
    const lists: [string, keyof typeof t.keys][] = [['/v1/organisations', 'platformAdmin'], ['/v1/products', 'insurerAdmin'], [`/v1/products/${PRODUCT}/versions`, 'insurerAdmin'], ['/v1/catalogue', 'broker'], ['/v1/quotes', 'broker'], ['/v1/policies', 'broker'], ['/v1/clients', 'broker']];
    for (const [path, key] of lists) {
      const res = await t.http.get(path).set(as(key));
      expect(res.status, path).to.equal(200);
      expect(Object.keys(res.body).sort(), path).to.deep.equal(['items', 'limit', 'offset', 'total']);
    }
    const all = await t.http.get('/v1/catalogue').set(as('broker'));
    const page = await t.http.get('/v1/catalogue?limit=2&offset=1').set(as('broker'));
    expect(page.body).to.deep.include({ total: all.body.total, limit: 2, offset: 1 });
    expect(page.body.items).to.deep.equal(all.body.items.slice(1, 3));
    const unknown = await t.http.get('/v1/catalogue?colour=blue').set(as('broker'));
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.details[0].path).to.equal('query.colour');
  });

  it('lists the steps each role may pick in, with filed ranges and defaults', async () => {
    const broker = await t.http.get(`/v1/catalogue/${PRODUCT}`).set(as('broker'));
    expect(broker.body.pickable.map((s: { key: string }) => s.key)).to.deep.equal(['channel']);
    const [channel] = broker.body.pickable;
    expect(channel).to.include({ unit: 'coefficient' });
    expect(channel.rows.length).to.be.at.least(1);
    for (const row of channel.rows) expect(Number(row.default)).to.be.within(Number(row.filedRange.min), Number(row.filedRange.max));
    const underwriter = await t.http.get(`/v1/catalogue/${PRODUCT}`).set(as('underwriter'));
    expect(underwriter.body.pickable.map((s: { key: string }) => s.key)).to.include.members(['equipmentType', 'lossRatio', 'channel']);
    const preview = await t.http.post('/v1/pricing/preview').set(as('broker')).send({ productCode: PRODUCT, inputs: baseVector!.inputs, startDate: today() });
    expect(preview.body.pickable).to.deep.equal(broker.body.pickable);
  });

  it('lists the six illustrative §6 lines, the 先用后转 bond with the Pingyang programme, and prices them', async () => {
    const codes = ['PRODUCT-QUALITY-LIABILITY', 'PROOF-OF-CONCEPT-COST', 'RD-EQUIPMENT-PROPERTY', 'RD-INTERRUPTION', 'STARTUP-PROJECT-FAILURE', 'UFTL-PERFORMANCE-BOND'];
    const all = await t.http.get('/v1/catalogue?limit=200').set(as('broker'));
    const listed = (all.body.items as { code: string; illustrative: boolean; insurer: { code: string } }[]).filter((i) => codes.includes(i.code));
    expect(listed.map((i) => [i.code, i.illustrative, i.insurer.code])).to.deep.equal(codes.map((c) => [c, true, 'KCIC']));
    const bond = await t.http.get('/v1/catalogue/UFTL-PERFORMANCE-BOND').set(as('broker'));
    expect(bond.status).to.equal(200);
    expect(bond.body.subsidyProgrammes.map((p: { code: string; sharePercent: string; regionCode?: string }) => [p.code, p.sharePercent, p.regionCode])).to.deep.equal([['PINGYANG-UFTL', '80', '330326']]);
    const [vector] = shippedVectors('use-first-transfer-later-bond.json');
    const preview = await t.http.post('/v1/pricing/preview').set(as('broker')).send({ productCode: 'UFTL-PERFORMANCE-BOND', inputs: vector!.inputs, startDate: today() });
    expect(preview.status, JSON.stringify(preview.body)).to.equal(200);
    expect(preview.body.grossPremiumFen).to.equal(vector!.expected.grossPremiumFen);
    const [pql] = shippedVectors('product-quality-liability.json');
    const minimum = await t.http.post('/v1/pricing/preview').set(as('broker')).send({ productCode: 'PRODUCT-QUALITY-LIABILITY', inputs: { ...pql!.inputs, annualSales: 100 }, startDate: today() });
    expect(minimum.body.grossPremiumFen).to.equal(500_000); // 100万 × 0.3% = 3,000 元, raised to the 5,000 元 minimum
  });

  it('names the valid pick keys when a pick key is wrong', async () => {
    const res = await t.http.post('/v1/pricing/preview').set(as('broker')).send({ productCode: PRODUCT, inputs: baseVector!.inputs, startDate: today(), picks: { salesChannel: '1.0' } });
    expect(res.status).to.equal(400);
    expect(res.body.error.details).to.deep.equal([{ path: 'body.picks.salesChannel', message: 'is not a step of this product; the broker may pick channel' }]);
  });
});
