// Issue #26's browser test, in real Chromium: the broker renews a policy from its page, the lead
// insurer's underwriter records a payment and a claim on the page, the enterprise signs in, sees
// the policy's whole history (payments, endorsements, claims) and downloads the 批单 (a PDF whose
// text carries the endorsement's number). Then the cancellation panel: preview, then confirm, by
// the broker (zh-CN) and by the lead insurer's underwriter (en); the page shows the cancellation
// and its 退保批单, downloaded through the page's link.
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { addDays } from '../../src/rating/calendar.ts';
import { recordCspProblems, useBrowserApp } from '../support/browser-app.ts';
import { today } from '../support/china-date.ts';
import { bearer } from '../support/test-app.ts';

const PRODUCT = 'RD-EQUIPMENT-PROPERTY';
type InputLike = { value: string };
interface Policy { id: string; policyNumber: string; startDate: string; endDate: string; grossPremiumFen: number }

/** Downloads `href` with the page's own session (its cookies), as the link would: status, type and bytes. */
async function download(page: Page, href: string): Promise<{ status: number; type: string; bytes: Buffer }> {
  const got = await page.evaluate(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    const bytes = new Uint8Array(await res.arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return { status: res.status, type: res.headers.get('content-type') ?? '', base64: btoa(binary) };
  }, href);
  return { status: got.status, type: got.type, bytes: Buffer.from(got.base64, 'base64') };
}

const setValue = (page: Page, selector: string, value: string) => page.$eval(selector, (el, v) => { (el as unknown as InputLike).value = v as string; }, value);

describe('A policy\'s life on its page, in real Chromium (#26)', function () {
  this.timeout(240_000);
  const t = useBrowserApp();

  async function issue(endDate?: string): Promise<Policy> {
    const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({
      productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, startDate: today(), ...(endDate ? { endDate } : {}),
      inputs: { equipmentName: '透射电子显微镜', replacementValue: 900, perEventLimit: 100 }, enterprise: { qualifications: ['provincial-tech-insurance-pilot'] },
    });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    return bound.body as Policy;
  }

  async function signedIn(key: string, width = 1366): Promise<{ page: Page; problems: string[] }> {
    const page = await t.newPage(width);
    const problems = recordCspProblems(page);
    await t.signIn(page, key);
    return { page, problems };
  }

  describe('renew, record a payment and a claim, the enterprise reads the history and downloads the 批单', () => {
    let policy: Policy;
    let endorsementNumber = '';

    before(async () => {
      policy = await issue(addDays(today(), 40));
      const endorsed = await t.http.post(`/v1/policies/${policy.id}/endorsements`).set(bearer(t.keys.broker)).send({ effectiveDate: addDays(policy.startDate, 10), inputs: { replacementValue: 1050 }, reason: '增加设备重置价值' });
      expect(endorsed.status, JSON.stringify(endorsed.body)).to.equal(201);
      endorsementNumber = endorsed.body.number as string;
    });

    it('the broker renews the policy from its page: a renewal quote of it, support year 2', async () => {
      const { page, problems } = await signedIn(t.keys.broker);
      await page.goto(`${t.base}/policies/${policy.id}?lang=zh-CN`);
      await Promise.all([page.waitForNavigation(), page.click('#renew-policy')]);
      expect(page.url()).to.match(/\/quotes\/[0-9a-f]{24}$/);
      const derived = await page.$$eval('#renewal-inputs dd', (els) => els.map((el) => el.textContent ?? ''));
      expect(derived.join(' ')).to.include('连续投保第 2 年');
      const quoteId = page.url().split('/').at(-1)!;
      const quote = await t.http.get(`/v1/quotes/${quoteId}`).set(bearer(t.keys.broker));
      expect(quote.body).to.include({ renewalOf: policy.id, startDate: addDays(policy.endDate, 1) });
      await t.shot(page, '26-history-broker-renewal-quote');
      expect(problems).to.deep.equal([]);
    });

    it('the underwriter records the premium and a claim through the page\'s forms', async () => {
      const { page, problems } = await signedIn(t.keys.underwriter);
      await page.goto(`${t.base}/policies/${policy.id}?lang=zh-CN`);
      const outstanding = await page.$eval('#premium [data-amount="outstanding"]', (el) => el.textContent ?? '');
      expect(outstanding).to.not.equal('0.00');
      await setValue(page, '#payment-form input[name="reference"]', 'HISTORY-PAY-1');
      await Promise.all([page.waitForNavigation(), page.click('#payment-form button[type="submit"]')]);
      expect(await page.$eval('#premium tr[data-reference="HISTORY-PAY-1"]', (el) => el.textContent ?? '')).to.include('李核保');
      await setValue(page, 'input[name="lossDate"]', today());
      await setValue(page, 'input[name="paidOn"]', today());
      await page.type('input[name="paidYuan"]', '2345.67');
      await page.type('input[name="description"]', '电子枪故障，更换部件');
      await Promise.all([page.waitForNavigation(), page.click('#claim-form button[type="submit"]')]);
      expect(await page.$eval('[data-amount="claims-paid"]', (el) => el.textContent ?? '')).to.include('2,345.67');
      await t.shot(page, '26-history-underwriter');
      expect(problems).to.deep.equal([]);
    });

    it('the enterprise sees payments, endorsements and claims, and downloads the 批单 (a PDF with its number)', async () => {
      const { page, problems } = await signedIn(t.keys.enterprise);
      await page.goto(`${t.base}/policies/${policy.id}?lang=zh-CN`);
      expect(await page.$eval('#premium tr[data-reference="HISTORY-PAY-1"]', (el) => el.textContent ?? '')).to.include('HISTORY-PAY-1');
      expect(await page.$eval('#premium [data-amount="outstanding"]', (el) => el.getAttribute('data-fen'))).to.equal('0');
      // The premium due is the premium as issued plus the endorsement's difference, not the premium as issued.
      const view = (await t.http.get(`/v1/policies/${policy.id}`).set(bearer(t.keys.enterprise))).body as { chargedPremiumFen: number; grossPremiumFen: number };
      expect(view.chargedPremiumFen).to.be.above(view.grossPremiumFen);
      expect(await page.$eval('#premium [data-amount="gross"]', (el) => el.getAttribute('data-fen'))).to.equal(String(view.chargedPremiumFen));
      expect(await page.$$eval('#endorsements tr[data-number]', (els) => els.map((el) => el.getAttribute('data-number')))).to.deep.equal([endorsementNumber]);
      const claim = await page.$eval('#claims tbody tr', (el) => el.textContent ?? '');
      expect(claim).to.include('2,345.67').and.include('电子枪故障');
      for (const form of ['#payment-form', '#claim-form', '#endorse-form', '#cancel-form', '#renew-policy']) expect(await page.$(form), form).to.equal(null);
      expect(await page.$('#cancellation'), 'no empty cancellation panel for a reader who may not cancel').to.equal(null);
      // The cover is the current terms: the endorsed replacement value, with the endorsement named.
      expect(await page.$eval('#cover-as-endorsed', (el) => el.textContent ?? '')).to.include(endorsementNumber);
      expect(await page.$eval('section.cover', (el) => el.textContent ?? '')).to.include('1,050').and.not.include('900 万元');
      await t.shot(page, '26-history-enterprise');
      const href = await page.$eval('#endorsements a.download-endorsement', (el) => el.getAttribute('href') ?? '');
      const pdf = await download(page, href);
      expect(pdf.status).to.equal(200);
      expect(pdf.type).to.equal('application/pdf');
      expect(pdf.bytes.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
      const text = (await extractPdfText(pdf.bytes)).replace(/\s+/g, ' ');
      expect(text).to.include(endorsementNumber).and.include(policy.policyNumber);
      expect(problems).to.deep.equal([]);
    });
  });

  for (const [who, lang, key, initiatedBy] of [['the broker', 'zh-CN', 'broker', 'policyholder'], ['the lead insurer\'s underwriter', 'en', 'underwriter', 'insurer']] as const) {
    it(`cancellation panel (${lang}): ${who} previews, then confirms; the page shows the cancellation and its 退保批单`, async () => {
      const policy = await issue();
      const { page, problems } = await signedIn(t.keys[key]);
      await page.goto(`${t.base}/policies/${policy.id}?lang=${lang}`);
      expect(await page.$('#cancelled-note')).to.equal(null);
      await setValue(page, '#cancel-form input[name="effectiveDate"]', addDays(policy.startDate, 30));
      await page.select('#cancel-form select[name="initiatedBy"]', initiatedBy);
      await setValue(page, '#cancel-form input[name="reason"]', lang === 'en' ? 'Production stopped' : '企业停产');
      expect(await page.$('#cancel-confirm-button')).to.equal(null); // confirm only after a preview
      await Promise.all([page.waitForNavigation(), page.click('#cancel-preview-button')]);
      expect(await page.$('#cancel-preview')).to.not.equal(null);
      // Every figure is a term with its label: as many <dt> as <dd>, so the two columns stay aligned.
      const terms = await page.$eval('#cancel-preview dl', (dl) => [dl.querySelectorAll('dt').length, dl.querySelectorAll('dd').length]);
      expect(terms[0]).to.equal(terms[1]);
      expect(await page.$('#cancelled-note')).to.equal(null); // a preview stores nothing
      expect((await t.http.get(`/v1/policies/${policy.id}`).set(bearer(t.keys.broker))).body.status).to.equal('issued');
      await t.shot(page, `26-cancellation-preview-${lang}`);
      await Promise.all([page.waitForNavigation(), page.click('#cancel-confirm-button')]);
      const view = (await t.http.get(`/v1/policies/${policy.id}`).set(bearer(t.keys.broker))).body as { status: string; cancellation: { number: string; initiatedBy: string } };
      expect(view.status).to.equal('cancelled');
      expect(view.cancellation).to.include({ number: `${policy.policyNumber}-C`, initiatedBy });
      await page.goto(`${t.base}/policies/${policy.id}?lang=${lang}`);
      expect(await page.$eval('#cancelled-note', (el) => el.textContent ?? '')).to.include(`${policy.policyNumber}-C`);
      expect(await page.$('#cancel-form')).to.equal(null); // exactly once: no form after
      // The page says cancelled, and offers nothing the API refuses on a cancelled policy.
      expect(await page.$eval('section.state', (el) => el.getAttribute('data-state'))).to.equal('cancelled');
      for (const form of ['#endorse-form', '#renew-policy', '#payment-form']) expect(await page.$(form), form).to.equal(null);
      // The premium panel: due is the premium kept, and the refund is shown beside what was received.
      expect(await page.$eval('#premium [data-amount="refunded"]', (el) => el.getAttribute('data-fen'))).to.equal(String((view as unknown as { cancellation: { refund: { grossPremiumFen: number } } }).cancellation.refund.grossPremiumFen));
      expect(await page.$eval('#cancellation a.download-cancellation', (el) => el.parentElement?.textContent ?? '')).to.include(lang === 'en' ? 'Cancellation endorsement' : '退保批单');
      await t.shot(page, `26-cancellation-done-${lang}`);
      const href = await page.$eval('#cancellation a.download-cancellation', (el) => el.getAttribute('href') ?? '');
      expect(href).to.equal(`/policies/${policy.id}/cancellation/pdf?pdfLang=zh-CN`);
      const pdf = await download(page, href);
      expect(pdf.status).to.equal(200);
      expect(pdf.type).to.equal('application/pdf');
      expect(pdf.bytes.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
      const text = (await extractPdfText(pdf.bytes)).replace(/\s+/g, ' ');
      expect(text).to.include('退保批单').and.include(`${policy.policyNumber}-C`);
      expect(problems).to.deep.equal([]);
    });
  }
});
