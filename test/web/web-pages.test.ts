import { expect } from 'chai';
import mongoose from 'mongoose';
import supertest from 'supertest';
import { issueApiKey, revokeApiKey } from '../../src/auth/auth-service.ts';
import { PAGE_CSP } from '../../src/web/page-pipeline.ts';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { useTestApp } from '../support/test-app.ts';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('Web pages: sign-in, sessions, CSP and CSRF (HTTP)', () => {
  const t = useTestApp();

  before(async () => {
    await publishShippedProducts();
  });

  async function signIn(key: string) {
    const agent = supertest.agent(t.app);
    const res = await agent.post('/sign-in').type('form').send({ apiKey: key });
    expect(res.status, res.text).to.equal(303);
    return { agent, res };
  }

  it('serves pages with a strict CSP: no inline script or style, same-origin only', async () => {
    const res = await t.http.get('/sign-in');
    expect(res.status).to.equal(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).to.equal(PAGE_CSP);
    expect(csp).to.include("script-src 'self'").and.include("style-src 'self'").and.include("frame-ancestors 'none'").and.include("form-action 'self'");
    expect(csp).not.to.include('unsafe');
    expect(res.text).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.to.match(/\sstyle="/);
    expect(res.text).not.to.match(/\son[a-z]+="/);
    const js = await t.http.get('/assets/app.js');
    expect(js.status).to.equal(200);
    expect(js.headers['content-type']).to.match(/javascript/);
    expect((await t.http.get('/assets/app.css')).headers['content-type']).to.match(/text\/css/);
  });

  it('signs in with an API key into an httpOnly SameSite=Strict cookie that holds no key', async () => {
    const { agent, res } = await signIn(t.keys.broker);
    expect(res.headers.location).to.equal('/catalogue');
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('tis_session='))!;
    expect(cookie).to.match(/HttpOnly/i).and.match(/SameSite=Strict/i).and.match(/Path=\//);
    expect(cookie).not.to.include(t.keys.broker);
    const sessions = await mongoose.connection.collection('webSessions').find({}).toArray();
    expect(JSON.stringify(sessions)).not.to.include(t.keys.broker);
    expect(JSON.stringify(sessions)).not.to.include(cookie.split(';')[0]!.split('=')[1]!);
    const page = await agent.get('/catalogue');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('FIRST-SET-EQUIPMENT');
    expect(page.headers['content-security-policy']).to.equal(PAGE_CSP);
    expect(page.headers['cache-control']).to.equal('no-store');
  });

  it('refuses a bad key with a message and sends anonymous visitors to sign in', async () => {
    const res = await t.http.post('/sign-in').type('form').send({ apiKey: 'tik_nope' });
    expect(res.status).to.equal(401);
    expect(res.text).to.include('密钥无效');
    expect(res.headers['set-cookie'] ?? []).to.have.length(0);
    const anonymous = await t.http.get('/quotes');
    expect(anonymous.status).to.equal(303);
    expect(anonymous.headers.location).to.equal('/sign-in?next=%2Fquotes');
    const forged = await t.http.get('/quotes').set('Cookie', 'tis_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(forged.status).to.equal(303);
  });

  it('returns to a same-site page after sign-in, never to another site', async () => {
    const inside = await t.http.post('/sign-in').type('form').send({ apiKey: t.keys.enterprise, next: '/policies' });
    expect(inside.headers.location).to.equal('/policies');
    const outside = await t.http.post('/sign-in').type('form').send({ apiKey: t.keys.enterprise, next: '//evil.example/x' });
    expect(outside.headers.location).to.equal('/quotes');
  });

  it('signs out: the session row goes and the old cookie no longer works', async () => {
    const { agent } = await signIn(t.keys.enterprise);
    const page = await agent.get('/quotes');
    const before = await mongoose.connection.collection('webSessions').countDocuments();
    const out = await agent.post('/sign-out').type('form').send({ _csrf: csrfOf(page.text) });
    expect(out.status).to.equal(303);
    expect(out.headers.location).to.equal('/sign-in');
    expect(await mongoose.connection.collection('webSessions').countDocuments()).to.equal(before - 1);
    expect((await agent.get('/quotes')).status).to.equal(303);
  });

  it('refuses a POST without the session CSRF token or from another origin', async () => {
    const { agent } = await signIn(t.keys.broker);
    const form = await agent.get('/catalogue/FIRST-SET-EQUIPMENT/quote');
    expect(form.status).to.equal(200);
    const token = csrfOf(form.text);
    expect(token).to.have.length.greaterThan(20);
    const missing = await agent.post('/catalogue/FIRST-SET-EQUIPMENT/quote').type('form').send({ 'inputs.contractAmount': '1000' });
    expect(missing.status).to.equal(403);
    const crossSite = await agent.post('/catalogue/FIRST-SET-EQUIPMENT/quote').set('Origin', 'https://evil.example').type('form').send({ _csrf: token });
    expect(crossSite.status).to.equal(403);
    const preview = await agent.post('/catalogue/FIRST-SET-EQUIPMENT/preview').type('form').send({ 'inputs.contractAmount': '1000' });
    expect(preview.status).to.equal(403);
    const ok = await agent.post('/catalogue/FIRST-SET-EQUIPMENT/preview').set('X-CSRF-Token', token).type('form').send({ 'inputs.contractAmount': '1000' });
    // A form that cannot be rated yet is an answer, not a failure: pending, with each field's message.
    expect(ok.status).to.equal(200);
    expect(ok.body.pending).to.equal(true);
    expect(ok.body.details.map((d: { path: string }) => d.path)).to.include('inputs.equipmentType');
    expect(ok.body.details.find((d: { path: string }) => d.path === 'inputs.equipmentType').message).to.equal('必填');
  });

  it('shows validation messages in the page language: no English in Chinese, no Infinity in either', async () => {
    const { agent } = await signIn(t.keys.broker);
    const token = csrfOf((await agent.get('/catalogue/FIRST-SET-EQUIPMENT/quote').query({ lang: 'zh-CN' })).text);
    const post = (lang: string) => agent.post(`/catalogue/FIRST-SET-EQUIPMENT/quote?lang=${lang}`).type('form')
      .send({ _csrf: token, 'inputs.contractAmount': '1000.0000001', 'inputs.aggregateLimit': '-5', 'inputs.lossRatio': '30' });
    const zh = await post('zh-CN');
    expect(zh.status).to.equal(400);
    const zhErrors = [...zh.text.matchAll(/<p class="field-error" id="[^"]+">([^<]+)<\/p>/g)].map((m) => m[1]!);
    expect(zhErrors).to.include('须为金额（万元），最多 6 位小数');
    expect(zhErrors).to.include('必填');
    expect(zhErrors.some((m) => /^须不小于 /.test(m))).to.equal(true);
    for (const message of zhErrors) expect(message, message).not.to.match(/[A-Za-z]{3,}|Infinity/);
    const en = await post('en');
    const enErrors = [...en.text.matchAll(/<p class="field-error" id="[^"]+">([^<]+)<\/p>/g)].map((m) => m[1]!);
    expect(enErrors).to.include('is required');
    for (const message of enErrors) expect(message, message).not.to.match(/[\u3400-\u9fff]|Infinity/);
  });

  it('keeps the API Bearer-only: a session cookie does not authenticate /v1', async () => {
    const { agent } = await signIn(t.keys.broker);
    expect((await agent.get('/v1/quotes')).status).to.equal(401);
  });

  it('signs out a session whose key is revoked', async () => {
    const issued = await issueApiKey(null, t.organisations.MXB!, { userName: 'temp broker', role: 'broker' });
    const { agent } = await signIn(issued.apiKey);
    expect((await agent.get('/quotes')).status).to.equal(200);
    const admin = { keyId: 'x', userName: 'admin', role: 'platform-admin' as const, organisationId: t.organisations.PLATFORM!, organisationKind: 'platform' as const, organisationCode: 'PLATFORM' };
    await revokeApiKey(admin, issued.keyId);
    const after = await agent.get('/quotes');
    expect(after.status).to.equal(303);
    expect(after.headers.location).to.match(/^\/sign-in/);
  });

  it('keeps roles to their pages', async () => {
    const { agent } = await signIn(t.keys.enterprise);
    expect((await agent.get('/catalogue/FIRST-SET-EQUIPMENT/quote')).status).to.equal(403);
    expect((await agent.get('/products')).status).to.equal(403);
    expect((await agent.get('/quotes/0123456789abcdef01234567')).status).to.equal(404);
  });

  it('lists the illustrative §6 lines on the catalogue page with their line names in both languages', async () => {
    const { agent } = await signIn(t.keys.broker);
    const zh = await agent.get('/catalogue?lang=zh-CN');
    for (const code of ['RD-EQUIPMENT-PROPERTY', 'PRODUCT-QUALITY-LIABILITY', 'PROOF-OF-CONCEPT-COST', 'STARTUP-PROJECT-FAILURE', 'UFTL-PERFORMANCE-BOND', 'RD-INTERRUPTION']) {
      expect(zh.text).to.include(`href="/catalogue/${code}"`);
    }
    expect(zh.text).to.include('专利“先用后转”履约保证保险（示意费率）').and.include('产品质量责任保险 · ');
    const en = await agent.get('/catalogue?lang=en');
    expect(en.text).to.include('Use-first-transfer-later performance bond · ').and.include('R&amp;D interruption · ');
    expect(en.text.match(/<span class="tag">Illustrative rates<\/span>/g)).to.have.length(7); // 首批次 and the six §6 lines
    const detail = await agent.get('/catalogue/UFTL-PERFORMANCE-BOND?lang=zh-CN');
    expect(detail.status).to.equal(200);
    expect(detail.text).to.include('平阳县先用后转保险补贴');
    const form = await agent.get('/catalogue/PRODUCT-QUALITY-LIABILITY/quote?lang=zh-CN');
    expect(form.status).to.equal(200);
    expect(form.text).to.include('预计年销售额');
  });

  it('switches language with ?lang= and remembers it in a cookie', async () => {
    const { agent } = await signIn(t.keys.broker);
    const zh = await agent.get('/catalogue');
    expect(zh.text).to.include('<html lang="zh-CN">').and.include('产品目录');
    const en = await agent.get('/catalogue?lang=en');
    expect(en.text).to.include('<html lang="en">').and.include('Catalogue');
    const again = await agent.get('/catalogue');
    expect(again.text).to.include('<html lang="en">');
  });

  it('shows draft definition errors at their path and refuses to publish them', async () => {
    const { agent } = await signIn(t.keys.insurerAdmin);
    const versions = await agent.get('/products/FIRST-SET-EQUIPMENT');
    expect(versions.status).to.equal(200);
    const token = csrfOf(versions.text);
    const clone = await agent.post('/products/FIRST-SET-EQUIPMENT/versions').type('form').send({ _csrf: token, cloneFrom: '2025.1' });
    expect(clone.status).to.equal(303);
    const editUrl = clone.headers.location as string;
    const edit = await agent.get(editUrl);
    expect(edit.status).to.equal(200);
    const definition = JSON.parse(/<textarea[^>]*>([\s\S]*?)<\/textarea>/.exec(edit.text)![1]!.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`'));
    definition.vatRatePercent = 'six';
    const bad = await agent.post(editUrl).type('form').send({ _csrf: token, definition: JSON.stringify(definition) });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.match(/<code>definition\.vatRatePercent<\/code>/);
    const notJson = await agent.post(editUrl).type('form').send({ _csrf: token, definition: '{ nope' });
    expect(notJson.status).to.equal(400);
    expect(notJson.text).to.include('不是有效的 JSON：第 1 行第 3 列');
  });
});
