// The quote form names the version that prices the chosen start date (issue #28): a form for a
// start after a scheduled version takes over says so in its header and names that version beside
// the result, in zh-CN and en; the saved quote is pinned to the same version.
import { expect } from 'chai';
import supertest from 'supertest';
import { addDays, chinaDate } from '../../src/rating/index.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { publishAs } from '../support/publish-as.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [vector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const headerOf = (html: string) => /<span id="form-version">([^<]*)<\/span>/.exec(html)?.[1] ?? '';
const pricedOf = (html: string) => /<dd data-preview="version">([^<]*)<\/dd>/.exec(html)?.[1] ?? '';

function formOf(inputs: Record<string, unknown>): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (Array.isArray(v)) v.forEach((item: Record<string, unknown>, i) => { for (const [ik, iv] of Object.entries(item)) form[`inputs.${k}[${i}].${ik}`] = String(iv); });
    else form[`inputs.${k}`] = String(v);
  }
  return form;
}

describe('Web pages: the quote form names the version that prices the start date', function () {
  this.timeout(120_000);
  const t = useTestApp();
  // Taken when the suite starts, not when the file loads: a full run loaded at 23:40 in Shanghai
  // reached this suite after midnight, and the form (rightly) said the next day.
  let today: string;
  let takeOver: string;
  let scheduled: string;

  before(async () => {
    today = chinaDate(new Date());
    takeOver = addDays(today, 30);
    await publishShippedProducts();
    const admin = bearer(t.keys.insurerAdmin);
    const clone = await t.http.post(`/v1/products/${PRODUCT}/versions`).set(admin).send({ cloneFrom: '2025.1' });
    scheduled = clone.body.version as string;
    expect((await publishAs(t.http, t.keys, PRODUCT, scheduled, { body: { effectiveFrom: takeOver } })).status).to.equal(200);
  });

  it('says which version prices today\'s start and which takes over later, then names the version used for a later start', async () => {
    const agent = supertest.agent(t.app);
    expect((await agent.post('/sign-in').type('form').send({ apiKey: t.keys.broker })).status).to.equal(303);
    const form = await agent.get(`/catalogue/${PRODUCT}/quote?lang=zh-CN`);
    expect(headerOf(form.text)).to.equal(`起保日期 ${today} 适用版本 2025.1；${takeOver} 及以后起保的按版本 ${scheduled} 计价`);
    const post = (lang: string, startDate: string) => agent.post(`/catalogue/${PRODUCT}/quote?lang=${lang}`).type('form')
      .send({ _csrf: csrfOf(form.text), enterpriseId: t.organisations.HZZZ, startDate, ...formOf(vector!.inputs) });
    const later = addDays(takeOver, 10);
    const zh = await post('zh-CN', later);
    expect(zh.status).to.equal(200);
    expect(headerOf(zh.text)).to.equal(`起保日期 ${later} 适用版本 ${scheduled}`);
    expect(pricedOf(zh.text)).to.equal(scheduled);
    expect(zh.text).to.include('<dt>计价版本</dt>');
    const en = await post('en', today);
    expect(headerOf(en.text)).to.equal(`Version 2025.1 for a start on ${today}; cover starting on or after ${takeOver} is priced on version ${scheduled}`);
    expect(pricedOf(en.text)).to.equal('2025.1');
    expect(en.text).to.include('<dt>Priced on version</dt>');
  });
});
