// #26 pages: the broker's due-for-renewal list with the renew action, the policy page's claims
// (the lead insurer's staff record one through its form) and renew button, in zh-CN and en.
import { expect } from 'chai';
import supertest from 'supertest';
import { addDays } from '../../src/rating/calendar.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const POOL = 'FIRST-SET-EQUIPMENT';
const inputs = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks)[0]!.inputs;
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('Web pages: claims paid and renewal (#26)', function () {
  this.timeout(120_000);
  const t = useTestApp();
  let policy: { id: string; policyNumber: string; startDate: string; endDate: string };

  async function signIn(key: string) {
    const agent = supertest.agent(t.app);
    expect((await agent.post('/sign-in').type('form').send({ apiKey: key })).status).to.equal(303);
    return agent;
  }

  before(async () => {
    await publishShippedProducts();
    const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: POOL, enterpriseId: t.organisations.HZZZ, inputs, startDate: today(), endDate: addDays(today(), 40) });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    policy = (await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker))).body;
  });

  it('lets the lead insurer\'s underwriter record a claim on the policy page, shown to the enterprise with each member\'s part', async () => {
    const underwriter = await signIn(t.keys.underwriter);
    const page = await underwriter.get(`/policies/${policy.id}?lang=zh-CN`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('暂无赔款记录。').and.include('id="claim-form"').and.include('登记赔款');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.text)![1]!;
    const form = { _csrf: csrfOf(page.text), idempotencyKey: key, lossDate: today(), paidOn: today(), paidYuan: '12,345.67', description: '主轴断裂' };
    const posted = await underwriter.post(`/policies/${policy.id}/claims`).type('form').send(form);
    expect(posted.status, posted.text).to.equal(303);
    expect((await underwriter.post(`/policies/${policy.id}/claims`).type('form').send(form)).status).to.equal(303); // a double submit records once
    const bad = await underwriter.post(`/policies/${policy.id}/claims?lang=en`).type('form').send({ ...form, idempotencyKey: 'other', paidYuan: '12.345' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('The amount must be in yuan with at most two decimals.');
    // The refused form comes back in place: the error at its field, the input kept (no error page).
    expect(bad.text).to.include('id="claim-form"').and.include('data-error-for="paidYuan"').and.include('value="12.345"').and.include('value="主轴断裂"');
    const early = await underwriter.post(`/policies/${policy.id}/claims?lang=zh-CN`).type('form').send({ ...form, idempotencyKey: 'early', lossDate: addDays(policy.startDate, -1) });
    expect(early.status).to.equal(400);
    expect(early.text).to.include('data-error-for="lossDate"').and.include(`出险日期须在保险期间内（${policy.startDate} 至 ${policy.endDate}）。`).and.include(`value="${addDays(policy.startDate, -1)}"`);
    const enterprise = await signIn(t.keys.enterprise);
    const seen = await enterprise.get(`/policies/${policy.id}?lang=en`);
    expect(seen.text).to.include('Claims paid').and.include('data-fen="1234567"').and.include('主轴断裂').and.not.include('id="claim-form"').and.not.include('id="renew-policy"');
    expect(seen.text).to.match(/data-amount="claims-paid">[^<]*12,345\.67/);
    const list = await t.http.get(`/v1/policies/${policy.id}/claims`).set(bearer(t.keys.enterprise));
    expect(list.body.total).to.equal(1);
  });

  it('lists the broker\'s policies due for renewal and renews one from the list', async () => {
    const broker = await signIn(t.keys.broker);
    const due = await broker.get('/policies/due?days=60&lang=zh-CN');
    expect(due.status).to.equal(200);
    expect(due.text).to.include('待续保保单').and.include('未来 60 天内到期的保单（含今天）').and.include(`data-policy="${policy.id}"`).and.include('生成续保报价');
    expect((await broker.get('/policies/due?days=30&lang=en')).text).to.include('Policies whose cover ends within the next 30 days').and.not.include(`data-policy="${policy.id}"`);
    const policyPage = await broker.get(`/policies/${policy.id}?lang=en`);
    expect(policyPage.text).to.include('id="renew-policy"').and.include(`The renewal starts on ${addDays(policy.endDate, 1)}`);
    const renewed = await broker.post(`/policies/${policy.id}/renew`).type('form').send({ _csrf: csrfOf(due.text) });
    expect(renewed.status, renewed.text).to.equal(303);
    const quoteId = /\/quotes\/([0-9a-f]{24})$/.exec(renewed.headers.location!)![1]!;
    const quote = await t.http.get(`/v1/quotes/${quoteId}`).set(bearer(t.keys.broker));
    expect(quote.body).to.include({ renewalOf: policy.id, startDate: addDays(policy.endDate, 1) });
    // The quote page names the inputs the record decided, and why, in the reader's language.
    const quotePage = await broker.get(`/quotes/${quoteId}?lang=en`);
    expect(quotePage.text).to.include(`Renews policy <a href="/policies/${policy.id}">${policy.policyNumber}</a>`);
    expect(quotePage.text).to.include('Inputs taken from the record').and.include('<dt>Year of continuous cover</dt>').and.include(`year 2 of continuous cover`).and.include('<dt>Expected or experienced loss ratio</dt>');
    expect((await broker.get(`/quotes/${quoteId}?lang=zh-CN`)).text).to.include('按记录确定的输入').and.include('连续投保第 2 年');
    const again = await broker.post(`/policies/${policy.id}/renew?lang=en`).type('form').send({ _csrf: csrfOf(due.text) });
    expect(again.status).to.equal(409);
    // The enterprise has no due list (the broker renews).
    expect((await (await signIn(t.keys.enterprise)).get('/policies/due')).status).to.equal(403);
  });
});
