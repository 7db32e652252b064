import { expect } from 'chai';
import supertest from 'supertest';
import { addDays, chinaDate } from '../../src/rating/index.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { publishAs } from '../support/publish-as.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const historyRows = (html: string) => [...html.matchAll(/<tr data-history-at="[^"]+"><td><time datetime="[^"]+">([^<]+)<\/time><\/td><td>([^<]*)<\/td><td title="[^"]*">([^<]+)(?:<ul class="changes">.*?<\/ul>)?<\/td><\/tr>/g)].map((m) => ({ when: m[1]!, who: m[2]!, what: m[3]! }));

describe('Web pages: scheduled versions, withdraw and retire with confirmation, history, filing PDF, vectors from quotes', function () {
  this.timeout(60_000);
  const t = useTestApp();
  const admin = () => bearer(t.keys.insurerAdmin);
  const takeOver = addDays(chinaDate(new Date()), 30);
  let shipped: string;
  let scheduled: string;
  let agent: ReturnType<typeof supertest.agent>;

  before(async () => {
    await publishShippedProducts();
    shipped = (await t.http.get(`/v1/products/${PRODUCT}/versions`).set(admin())).body.items[0].version;
    const clone = await t.http.post(`/v1/products/${PRODUCT}/versions`).set(admin()).send({ cloneFrom: shipped });
    scheduled = clone.body.version;
    expect((await t.http.put(`/v1/products/${PRODUCT}/versions/${scheduled}`).set(admin()).send({ definition: { ...clone.body.definition, effectiveFrom: takeOver } })).status).to.equal(200);
    expect((await publishAs(t.http, t.keys, PRODUCT, scheduled)).status).to.equal(200);
    agent = supertest.agent(t.app);
    expect((await agent.post('/sign-in').type('form').send({ apiKey: t.keys.insurerAdmin })).status).to.equal(303);
  });

  it('lists the version in force with a retire link and the scheduled one with a withdraw link; brokers see it scheduled in the catalogue', async () => {
    const page = await agent.get(`/products/${PRODUCT}?lang=zh-CN`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`data-retire="${shipped}"`).and.include(`data-withdraw="${scheduled}"`);
    expect(page.text).to.include('已发布 · 已排期');
    const broker = supertest.agent(t.app);
    await broker.post('/sign-in').type('form').send({ apiKey: t.keys.broker });
    const catalogue = await broker.get('/catalogue?lang=en');
    expect(catalogue.text).to.include(`data-scheduled="${scheduled}"`).and.include(`Version ${scheduled} takes over on ${takeOver}`);
  });

  it('shows who created, edited, submitted, approved and published a version, and when (Beijing time), with the filing download', async () => {
    const page = await agent.get(`/products/${PRODUCT}/versions/${scheduled}?lang=zh-CN`);
    expect(page.status).to.equal(200);
    const rows = historyRows(page.text);
    expect(rows.map((r) => r.what)).to.deep.equal(['复核批准（第二位管理员）', '发布', '提交审批', '修改草稿', '创建草稿']);
    expect(rows.map((r) => r.who.split(' · ')[1])).to.deep.equal(['周复核', '周复核', '王产品', '王产品', '王产品']);
    for (const row of rows) {
      expect(row.who.split(' · ')[0]).to.equal('科创财产保险股份有限公司（演示）');
      expect(row.when).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    }
    expect(page.text).to.include(`href="/products/${PRODUCT}/versions/${scheduled}/filing.pdf"`);
    const pdf = await agent.get(`/products/${PRODUCT}/versions/${scheduled}/filing.pdf`).buffer(true);
    expect(pdf.status).to.equal(200);
    expect(pdf.headers['content-type']).to.match(/^application\/pdf/);
  });

  it('withdraws the scheduled version after a confirmation page', async () => {
    const confirm = await agent.get(`/products/${PRODUCT}/versions/${scheduled}/withdraw?lang=en`);
    expect(confirm.status).to.equal(200);
    expect(confirm.text).to.include(`Withdraw ${PRODUCT} ${scheduled}?`).and.include(`take over on ${takeOver}`).and.include('id="confirm-withdraw"');
    const done = await agent.post(`/products/${PRODUCT}/versions/${scheduled}/withdraw`).type('form').send({ _csrf: csrfOf(confirm.text) });
    expect(done.status, done.text).to.equal(200);
    expect(done.text).to.include('data-status="withdrawn"');
    expect(historyRows(done.text)[0]!.what).to.equal('Withdrew (before its effective date)');
    const version = await t.http.get(`/v1/products/${PRODUCT}/versions/${scheduled}`).set(admin());
    expect(version.body.status).to.equal('withdrawn');
  });

  it('shows a quote\'s history and lets an insurer admin keep it as a test vector of a draft', async () => {
    const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: baseVector!.inputs, startDate: chinaDate(new Date()) });
    expect(quote.status).to.equal(201);
    const draft = await t.http.post(`/v1/products/${PRODUCT}/versions`).set(admin()).send({ cloneFrom: shipped });
    const page = await agent.get(`/quotes/${quote.body.id}?lang=zh-CN`);
    expect(historyRows(page.text)).to.deep.include({ when: historyRows(page.text)[0]!.when, who: '明信保险经纪有限公司（演示） · 张经纪', what: '报价' });
    expect(page.text).to.include(`data-vector-draft="${draft.body.version}"`);
    const added = await agent.post(`/products/${PRODUCT}/versions/${draft.body.version}/vectors-from-quote`).type('form').send({ _csrf: csrfOf(page.text), quoteId: quote.body.id });
    expect(added.status, added.text).to.equal(200);
    expect(added.text).to.include(`已加入草稿 ${draft.body.version} 的测试用例“报价 ${quote.body.quoteNumber}”`);
    const stored = await t.http.get(`/v1/products/${PRODUCT}/versions/${draft.body.version}`).set(admin());
    expect(stored.body.definition.testVectors.at(-1).expected.grossPremiumFen).to.equal(quote.body.result.grossPremiumFen);
    // Brokers see the history but no vector button.
    const broker = supertest.agent(t.app);
    await broker.post('/sign-in').type('form').send({ apiKey: t.keys.broker });
    const brokerPage = await broker.get(`/quotes/${quote.body.id}`);
    expect(historyRows(brokerPage.text)).to.have.length(1);
    expect(brokerPage.text).not.to.include('data-vector-draft');
  });

  it('retires the version in force after a confirmation page', async () => {
    const confirm = await agent.get(`/products/${PRODUCT}/versions/${shipped}/retire?lang=zh-CN`);
    expect(confirm.text).to.include(`停用 ${PRODUCT} ${shipped}？`).and.include('此操作不可撤销');
    const done = await agent.post(`/products/${PRODUCT}/versions/${shipped}/retire`).type('form').send({ _csrf: csrfOf(confirm.text) });
    expect(done.status).to.equal(200);
    expect(done.text).to.include('data-status="retired"');
    expect(historyRows(done.text)[0]!.what).to.equal('停用');
  });
});
