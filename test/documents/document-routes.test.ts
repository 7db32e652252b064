// Quote and policy PDFs end to end: real database, real Chromium, real poppler.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { PolicyDocumentModel } from '../../src/documents/document-model.ts';
import { yuanDigits } from '../../src/documents/document-view.ts';
import { extractPdfText, listPdfFonts } from '../../src/documents/pdf-inspect.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { useListeningServer } from '../support/listening-server.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const squash = (s: string) => s.replace(/\s+/g, '');

interface QuoteBody {
  id: string;
  quoteNumber: string;
  result: { grossPremiumFen: number; vatFen: number; netPremiumFen: number; expectedNetCostFen: number; subsidies: { totalFen: number } };
}

/** supertest buffers application/pdf bodies into a Buffer with this parser. */
function binary(res: NodeJS.ReadableStream & { setEncoding(e: string): void }, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('documents: quote and policy PDFs', function () {
  this.timeout(60_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  let quote: QuoteBody;

  async function createQuote(overrides: { inputs?: Record<string, unknown>; enterpriseId?: string } = {}): Promise<QuoteBody> {
    const body = { productCode: PRODUCT, enterpriseId: overrides.enterpriseId ?? t.organisations.HZZZ, inputs: overrides.inputs ?? structuredClone(baseVector!.inputs), startDate: today() };
    const res = await t.http.post('/v1/quotes').set(as('broker')).send(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as QuoteBody;
  }

  const getPdf = (path: string, key: keyof typeof t.keys = 'broker', headers: Record<string, string> = {}): Promise<Response> =>
    t.http.get(path).set(as(key)).set(headers).buffer(true).parse(binary as never) as unknown as Promise<Response>;

  // An insurer outside the shipped pools (KCIC lead; HTIC and ZXIC follow, and see the pool's documents).
  let outsiderKey: string | undefined;
  async function outsiderPdf(path: string): Promise<Response> {
    if (!outsiderKey) {
      const org = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code: 'OUTSIDER', kind: 'insurer', name: '局外保险（测试）' });
      outsiderKey = (await t.http.post(`/v1/organisations/${org.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: '局外人', role: 'insurer-admin' })).body.apiKey as string;
    }
    return t.http.get(path).set(bearer(outsiderKey)).buffer(true).parse(binary as never) as unknown as Promise<Response>;
  }

  before(async () => {
    await publishShippedProducts();
    quote = await createQuote();
  });

  describe('GET /v1/quotes/{id}/pdf', () => {
    let zh: Response;
    before(async () => {
      zh = await getPdf(`/v1/quotes/${quote.id}/pdf`);
    });

    it('prints the quote number, the Chinese insured name and the premium figures as printed', async () => {
      expect(zh.status, String(zh.body)).to.equal(200);
      expect(zh.headers['content-type']).to.match(/^application\/pdf/);
      const text = await extractPdfText(zh.body as Buffer);
      expect(text).to.contain(quote.quoteNumber);
      expect(text).to.contain('杭州智造装备有限公司');
      expect(text).to.contain('科技保险报价单');
      expect(text).to.contain('预计可申请补贴');
      const r = quote.result;
      expect(r.subsidies.totalFen).to.be.greaterThan(0);
      for (const fen of [r.grossPremiumFen, r.vatFen, r.netPremiumFen, r.expectedNetCostFen, r.subsidies.totalFen]) {
        expect(text, `amount ${fen}`).to.contain(yuanDigits(fen));
      }
      expect(yuanDigits(r.grossPremiumFen)).to.match(/^\d{1,3}(,\d{3})*\.\d{2}$/);
    });

    it('embeds every font and none is Type 3', async () => {
      const fonts = await listPdfFonts(zh.body as Buffer);
      expect(fonts.length).to.be.greaterThan(0);
      for (const font of fonts) {
        expect(font.embedded, font.name).to.equal(true);
        expect(font.type).not.to.equal('Type 3');
      }
    });

    it('names the file after the quote (RFC 5987 filename* for Chinese), with an ETag and private caching', () => {
      const disposition = zh.headers['content-disposition'] as string;
      expect(disposition).to.contain(`filename="quotation-${quote.quoteNumber}-zh.pdf"`);
      expect(disposition).to.contain(`filename*=UTF-8''${encodeURIComponent(`报价单-${quote.quoteNumber}.pdf`)}`);
      expect(zh.headers.etag).to.match(/^"[0-9a-f]{64}"$/);
      expect(zh.headers['cache-control']).to.contain('private');
    });

    it('has an English variant with English labels', async () => {
      const en = await getPdf(`/v1/quotes/${quote.id}/pdf?lang=en`);
      expect(en.status).to.equal(200);
      const text = await extractPdfText(en.body as Buffer);
      for (const label of ['Technology Insurance Quotation', 'Premium, VAT included', 'Expected subsidy you may apply for (not a discount)', 'Expected net cost after subsidies', 'Appendix: rating worksheet']) {
        expect(text).to.contain(label);
      }
      expect(text).to.contain(quote.quoteNumber);
      expect(text).to.contain(yuanDigits(quote.result.grossPremiumFen));
      expect(en.headers.etag).not.to.equal(zh.headers.etag);
      expect(en.headers['content-disposition']).to.contain(`filename*=UTF-8''quotation-${quote.quoteNumber}.pdf`);
    });

    it('answers 304 to If-None-Match with the current ETag, and the same bytes again otherwise', async () => {
      const again = await getPdf(`/v1/quotes/${quote.id}/pdf`, 'broker', { 'If-None-Match': zh.headers.etag as string });
      expect(again.status).to.equal(304);
      const full = await getPdf(`/v1/quotes/${quote.id}/pdf`, 'enterprise');
      expect(full.status).to.equal(200);
      expect(sha256(full.body as Buffer)).to.equal(sha256(zh.body as Buffer));
    });

    it('follows the quote visibility: 404 for another enterprise or insurer, 400 for an unknown language', async () => {
      expect((await getPdf(`/v1/quotes/${quote.id}/pdf`, 'otherEnterprise')).status).to.equal(404);
      expect((await outsiderPdf(`/v1/quotes/${quote.id}/pdf`)).status).to.equal(404);
      expect((await getPdf(`/v1/quotes/${quote.id}/pdf`, 'otherInsurerAdmin')).status).to.equal(200); // a pool follower
      expect((await getPdf('/v1/quotes/0123456789abcdef01234567/pdf')).status).to.equal(404);
      expect((await t.http.get(`/v1/quotes/${quote.id}/pdf?lang=fr`).set(as('broker'))).status).to.equal(400);
    });
  });

  describe('hostile text', () => {
    const listener = useListeningServer();

    it('prints <script> and <img src=http://127.0.0.1:…> from an enterprise name and quote inputs as text; nothing is fetched', async () => {
      const img = `<img src="http://127.0.0.1:${listener.port}/x">`;
      const org = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code: 'EVIL-CO', kind: 'enterprise', name: `${img}<script>document.title='x'</script>`, unifiedSocialCreditCode: '91110000EVIL00001X' });
      expect(org.status, JSON.stringify(org.body)).to.equal(201);
      // Brokers quote only for their firm's clients.
      expect((await t.http.post('/v1/clients').set(as('broker')).send({ unifiedSocialCreditCode: '91110000EVIL00001X' })).status).to.equal(201);
      const inputs = structuredClone(baseVector!.inputs) as Record<string, unknown> & { equipment: { name: string }[] };
      inputs.catalogueEntry = `<script>fetch('http://127.0.0.1:${listener.port}/s')</script>`;
      inputs.equipment[0]!.name = `<img src="http://127.0.0.1:${listener.port}/item">`;
      const evil = await createQuote({ inputs, enterpriseId: org.body.id as string });

      for (const lang of ['zh-CN', 'en']) {
        const res = await getPdf(`/v1/quotes/${evil.id}/pdf?lang=${lang}`);
        expect(res.status).to.equal(200);
        const text = squash(await extractPdfText(res.body as Buffer));
        expect(text).to.contain(squash(img));
        expect(text).to.contain(squash(`<script>document.title='x'</script>`));
        expect(text).to.contain(squash(`<script>fetch('http://127.0.0.1:${listener.port}/s')</script>`));
        expect(text).to.contain(squash(`<img src="http://127.0.0.1:${listener.port}/item">`));
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(listener.hits).to.deep.equal([]);
      expect(listener.connections()).to.equal(0);
    });
  });

  describe('GET /v1/policies/{id}/pdf', () => {
    let policy: { id: string; policyNumber: string };

    before(async () => {
      const bound = await t.http.post(`/v1/quotes/${quote.id}/bind`).set(as('broker'));
      expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
      policy = bound.body as typeof policy;
    });

    it('stores the schedule in both languages once, behind the bind\'s answer, with its sha256', async () => {
      await t.documents.schedulesSettled();
      const stored = await PolicyDocumentModel.find({ policyId: policy.id });
      expect(stored.map((d) => d.lang).sort()).to.deep.equal(['en', 'zh-CN']);
      for (const d of stored) {
        const bytes = Buffer.from(d.bytes);
        expect(sha256(bytes)).to.equal(d.sha256);
        expect(d.size).to.equal(bytes.length);
      }
    });

    it('serves the stored bytes: two downloads are byte-identical and equal the stored sha256; ETag and 304', async () => {
      const stored = await PolicyDocumentModel.findOne({ policyId: policy.id, lang: 'zh-CN' }).lean();
      const first = await getPdf(`/v1/policies/${policy.id}/pdf`);
      const second = await getPdf(`/v1/policies/${policy.id}/pdf`, 'enterprise');
      expect(first.status).to.equal(200);
      expect(second.status).to.equal(200);
      expect(Buffer.compare(first.body as Buffer, second.body as Buffer)).to.equal(0);
      expect(sha256(first.body as Buffer)).to.equal(stored!.sha256);
      expect(first.headers.etag).to.equal(`"${stored!.sha256}"`);
      expect(first.headers['cache-control']).to.contain('private');
      expect(first.headers['content-disposition']).to.contain(`filename*=UTF-8''${encodeURIComponent(`保单明细表-${policy.policyNumber}.pdf`)}`);
      const notModified = await getPdf(`/v1/policies/${policy.id}/pdf`, 'enterprise', { 'If-None-Match': first.headers.etag as string });
      expect(notModified.status).to.equal(304);
      expect((notModified.body as Buffer).length).to.equal(0);

      const text = await extractPdfText(first.body as Buffer);
      expect(text).to.contain(policy.policyNumber);
      expect(text).to.contain('科技保险保单明细表');
      expect(text).to.contain('杭州智造装备有限公司');
      const en = await getPdf(`/v1/policies/${policy.id}/pdf?lang=en`);
      expect(await extractPdfText(en.body as Buffer)).to.contain('Technology Insurance Policy Schedule');
    });

    it('answers the bind before its schedule is rendered; a download racing the render stores each language once', async () => {
      const other = await createQuote();
      const bound = await t.http.post(`/v1/quotes/${other.id}/bind`).set(as('broker'));
      expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
      // Rendered synchronously, the schedule would be stored and nothing pending by the answer.
      expect(t.documents.schedulesPending()).to.equal(1);
      const policyId = (bound.body as { id: string }).id;
      const [zh, en] = await Promise.all([getPdf(`/v1/policies/${policyId}/pdf`), getPdf(`/v1/policies/${policyId}/pdf?lang=en`)]);
      await t.documents.schedulesSettled();
      expect(t.documents.schedulesPending()).to.equal(0);
      for (const [lang, res] of [['zh-CN', zh], ['en', en]] as const) {
        expect(res.status, lang).to.equal(200);
        const stored = await PolicyDocumentModel.find({ policyId, lang }).lean();
        expect(stored, lang).to.have.length(1);
        expect(sha256(res.body as Buffer), lang).to.equal(stored[0]!.sha256);
      }
    });

    it('renders and stores on first download when nothing was stored after the bind', async () => {
      // A policy never downloaded before (downloads remember what they served, by id).
      const other = await createQuote();
      const bound = await t.http.post(`/v1/quotes/${other.id}/bind`).set(as('broker'));
      expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
      const otherPolicyId = (bound.body as { id: string }).id;
      await t.documents.schedulesSettled();
      await PolicyDocumentModel.deleteMany({ policyId: otherPolicyId, lang: 'en' });
      const first = await getPdf(`/v1/policies/${otherPolicyId}/pdf?lang=en`);
      const second = await getPdf(`/v1/policies/${otherPolicyId}/pdf?lang=en`);
      expect(first.status).to.equal(200);
      expect(sha256(first.body as Buffer)).to.equal(sha256(second.body as Buffer));
      expect(await PolicyDocumentModel.countDocuments({ policyId: otherPolicyId, lang: 'en' })).to.equal(1);
    });

    it('is 404 for another enterprise and another insurer, also once the policy has been downloaded', async () => {
      expect((await getPdf(`/v1/policies/${policy.id}/pdf`, 'enterprise')).status).to.equal(200); // remembered now
      expect((await getPdf(`/v1/policies/${policy.id}/pdf`, 'otherEnterprise')).status).to.equal(404);
      expect((await outsiderPdf(`/v1/policies/${policy.id}/pdf`)).status).to.equal(404);
      expect((await getPdf(`/v1/policies/${policy.id}/pdf`, 'otherInsurerAdmin')).status).to.equal(200); // a pool follower
      expect((await getPdf(`/v1/policies/${policy.id}/pdf`, 'underwriter')).status).to.equal(200);
    });
  });

  describe('a browser killed mid-render', () => {
    it('answers 503 in the JSON error shape, and the next render succeeds', async () => {
      const fresh = await createQuote();
      await t.renderer.warmUp();
      const pid = t.renderer.stats().browserPid!;
      const pending = t.http.get(`/v1/quotes/${fresh.id}/pdf`).set(as('broker')).then((r) => r);
      // Kill as soon as the render holds a page (the request runs in this process).
      const deadline = Date.now() + 10_000;
      while (t.renderer.stats().busy === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      process.kill(pid, 'SIGKILL');
      const failed = await pending;
      expect(failed.status, JSON.stringify(failed.body)).to.equal(503);
      expect(failed.body.error.code).to.equal('unavailable');
      expect(failed.body.error.message).to.match(/PDF/);

      const retried = await getPdf(`/v1/quotes/${fresh.id}/pdf`);
      expect(retried.status).to.equal(200);
      expect(t.renderer.stats().browserPid).not.to.equal(pid);
    });
  });
});
