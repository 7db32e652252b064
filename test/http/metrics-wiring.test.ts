import { expect } from 'chai';
import { pino } from 'pino';
import { COMPACT_MIN_RECORDS, recordInTail, type BookEntry } from '../../src/portfolio/rating-book.ts';
import { composeService } from '../../src/service.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { sampleValue } from '../support/prometheus-text.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [vector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

// The work the composition root wires into /metrics (src/service.ts composeService): the PDF
// renderer, the insert batchers (process metrics) and background rating-book compaction.
describe('HTTP: /metrics of the work behind the requests', function () {
  this.timeout(120_000);
  const t = useTestApp();

  before(async () => {
    await publishShippedProducts();
  });

  const scrape = async () => (await t.http.get('/metrics')).text;

  it('shows insert batch sizes by collection after a quote is created', async () => {
    const res = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: vector!.inputs, startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const text = await scrape();
    expect(sampleValue(text, 'db_insert_batch_documents_count', { collection: 'quotes' })).to.be.at.least(1);
    expect(sampleValue(text, 'db_insert_batch_documents_sum', { collection: 'quotes' })).to.be.at.least(1);
  });

  it('shows PDF renders and pool waits after a quotation PDF', async () => {
    const created = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: vector!.inputs, startDate: today() });
    const before = sampleValue(await scrape(), 'pdf_render_duration_seconds_count', { outcome: 'ok' }) ?? 0;
    const pdf = await t.http.get(`/v1/quotes/${created.body.id as string}/pdf`).set(bearer(t.keys.broker));
    expect(pdf.status).to.equal(200);
    const text = await scrape();
    expect(sampleValue(text, 'pdf_render_duration_seconds_count', { outcome: 'ok' })).to.equal(before + 1);
    expect(sampleValue(text, 'pdf_pool_wait_seconds_count', {})).to.be.at.least(1);
  });

  it('shows rating-book compactions run by the composed service in the background', async () => {
    const service = composeService(t.config, pino({ level: 'silent' }), { pdfPoolSize: 1, compactionIntervalMs: 100 });
    try {
      const entries: BookEntry[] = Array.from({ length: COMPACT_MIN_RECORDS }, (_, i) => ({
        kind: 'quote', id: `metrics-${i}`, revision: 0, number: `Q-METRICS-${i}`, inputs: {}, picks: {}, context: {}, storedPremiumFen: 100, storedDecision: 'quoted',
      }) as unknown as BookEntry);
      await recordInTail('METRICS-BOOK@1.0.0', entries);
      const deadline = Date.now() + 20_000;
      let compacted: number | undefined;
      while (Date.now() < deadline) {
        compacted = sampleValue(await service.metrics.registry.metrics(), 'rating_book_compacted_records_total', {});
        if (compacted) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(compacted).to.be.at.least(COMPACT_MIN_RECORDS);
      expect(sampleValue(await service.metrics.registry.metrics(), 'rating_book_compactions_total', {})).to.be.at.least(1);
    } finally {
      await service.close();
    }
  });
});
