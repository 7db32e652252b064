// The quote form offers a filing's discrete rows as its choices and says, in the page's
// language, why a value outside the filed choices or bands is refused; a blanket quote's page
// lists the unit that is not insured (#29).
import { expect } from 'chai';
import supertest from 'supertest';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const unescape = (s: string) => s.replaceAll('&#x3D;', '=').replaceAll('&quot;', '"').replaceAll('&amp;', '&');
const fieldErrors = (html: string) => Object.fromEntries([...html.matchAll(/<p class="field-error" id="f-([^"]+)-error">([^<]+)<\/p>/g)].map((m) => [m[1]!, unescape(m[2]!)]));

/** A vector's inputs as the page form posts them: `inputs.key`, `inputs.list[i].key`. */
function formOf(inputs: Record<string, unknown>): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (Array.isArray(v)) v.forEach((item: Record<string, unknown>, i) => { for (const [ik, iv] of Object.entries(item)) form[`inputs.${k}[${i}].${ik}`] = String(iv); });
    else form[`inputs.${k}`] = String(v);
  }
  return form;
}

describe('Web pages: filed choices and bands on the quote form', () => {
  const t = useTestApp();
  before(async function () {
    this.timeout(120_000);
    await publishShippedProducts();
  });

  async function signIn(key: string = t.keys.broker) {
    const agent = supertest.agent(t.app);
    expect((await agent.post('/sign-in').type('form').send({ apiKey: key })).status).to.equal(303);
    return agent;
  }

  it('suggests the filed deductible rows and lists them in the field help', async () => {
    const agent = await signIn();
    const zh = await agent.get('/catalogue/IP-PATENT-ENFORCEMENT/quote?lang=zh-CN');
    expect(zh.text).to.contain('list="f-inputs-deductibleRate-choices"');
    const options = [...zh.text.matchAll(/<datalist id="f-inputs-deductibleRate-choices">(.*?)<\/datalist>/g)][0]![1]!;
    expect([...options.matchAll(/value="([^"]+)"/g)].map((m) => m[1])).to.deep.equal(['0', '5', '10', '15', '20']);
    expect(zh.text).to.contain('备案选项：0%、5%、10%、15%、20%或高于20%');
    const en = await agent.get('/catalogue/IP-PATENT-ENFORCEMENT/quote?lang=en');
    expect(en.text).to.contain('Filed choices: 0%, 5%, 10%, 15%, 20% or above 20%');
  });

  it('refuses a deductible between filed rows and a ratio in an unbanded gap, in the page language, keeping the input', async () => {
    const agent = await signIn();
    const token = csrfOf((await agent.get('/catalogue/IP-PATENT-ENFORCEMENT/quote').query({ lang: 'zh-CN' })).text);
    const [patents] = shippedVectors('ip-patent-enforcement.json');
    const seven = await agent.post('/catalogue/IP-PATENT-ENFORCEMENT/quote?lang=zh-CN').type('form').send({ _csrf: token, enterpriseId: t.organisations.HZZZ, ...formOf({ ...patents!.inputs, deductibleRate: 7 }) });
    expect(seven.status).to.equal(400);
    expect(fieldErrors(seven.text)['inputs-deductibleRate']).to.equal('须为备案选项之一：0%、5%、10%、15%、20%或高于20%');
    expect(seven.text).to.match(/name="inputs.deductibleRate" type="number" value="7"/);

    const [loss] = shippedVectors('ip-enforcement-infringed-loss.json');
    const en = await agent.post('/catalogue/IP-ENFORCEMENT-INFRINGED-LOSS/quote?lang=en').type('form').send({ _csrf: token, enterpriseId: t.organisations.HZZZ, ...formOf({ ...loss!.inputs, annualAggregateLimit: 300, perEventLimit: 200 }) });
    expect(en.status).to.equal(400);
    expect(fieldErrors(en.text)['inputs-perEventLimit']).to.match(/^1\.5 falls in no filed band of “.+” \(filed: =1, \[2,3\), \[3,4\), \[4,7\), \[7,10\), ≥10\)$/);
  });

  it('shows a blanket quote with the unit that is not insured and why', async () => {
    const [vector] = shippedVectors('first-set-equipment.json');
    const equipment = [
      { name: '盾构机甲', model: 'ZTE6250', contractAmount: 400, userOrder: 1 },
      { name: '盾构机丙', model: 'ZTE6250', contractAmount: 250, userOrder: 4 },
    ];
    const created = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: { ...vector!.inputs, equipment }, startDate: today() });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const agent = await signIn();
    const page = await agent.get(`/quotes/${created.body.id}?lang=zh-CN`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('购买方不在前三家用户之列，不属于首台（套）保险范围');
  });

  it('refuses an approval on the page with a coefficient outside the filed range; the quote stays referred', async () => {
    const [vector] = shippedVectors('first-set-equipment.json');
    const created = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: { ...vector!.inputs, aggregateLimit: 500 }, startDate: today() });
    expect(created.body.status).to.equal('referred');
    const agent = await signIn(t.keys.underwriter);
    const token = csrfOf((await agent.get(`/quotes/${created.body.id}?lang=zh-CN`)).text);
    const res = await agent.post(`/quotes/${created.body.id}/approve?lang=zh-CN`).type('form').send({ _csrf: token, 'picks.transactionAmount': '2.01' });
    expect(res.status).to.equal(400);
    expect((await t.http.get(`/v1/quotes/${created.body.id}`).set(bearer(t.keys.underwriter))).body.status).to.equal('referred');
  });
});
