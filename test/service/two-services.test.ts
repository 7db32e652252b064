// Two services composed in one process (src/service.ts createServices) share nothing: not the hub
// and its reactions, not the catalogue's caches, not the metrics, not their lifetime. Each
// capability's state lives in its service's scope (src/db/service-scope.ts), so this holds even
// though both run the same module code on the same database.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { pino } from 'pino';
import supertest from 'supertest';
import { ProductVersionModel } from '../../src/catalogue/catalogue-model.ts';
import { unscopedUses } from '../../src/db/service-scope.ts';
import type { QuotesStored } from '../../src/quotes/quote-service.ts';
import { composeService, type ComposedService } from '../../src/service.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { sampleValue } from '../support/prometheus-text.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
/** A product neither service has read before the cache test. */
const UNREAD = 'FIRST-VERSION-SOFTWARE';

describe('service: two services composed in one process share nothing', function () {
  this.timeout(60_000);
  const t = useTestApp(); // service A, composed as the tests compose it
  let b: ComposedService;
  let httpB: ReturnType<typeof supertest>;

  before(async () => {
    await publishShippedProducts();
    b = composeService(t.config, pino({ level: 'silent' }), { pdfPoolSize: 1 });
    httpB = supertest(b.app);
  });
  after(() => b?.close());

  const quote = (http: ReturnType<typeof supertest>, key: string) => {
    const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
    return http.post('/v1/quotes').set(bearer(t.keys.broker)).set('Idempotency-Key', key)
      .send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today() });
  };

  it('runs a reaction registered on one hub for that service\'s quotes only', async () => {
    expect(b.services.events).to.not.equal(t.services.events);
    const seenByA: QuotesStored[] = [];
    t.events.onQuotesStored(async (stored) => void seenByA.push(stored));
    const viaB = await quote(httpB, 'two-services-b');
    expect(viaB.status, JSON.stringify(viaB.body)).to.equal(201);
    expect(seenByA, 'A\'s reaction is not run for B\'s quote').to.have.length(0);
    const viaA = await quote(t.http, 'two-services-a');
    expect(viaA.status, JSON.stringify(viaA.body)).to.equal(201);
    expect(seenByA.flatMap((s) => s.quotes.map((q) => q.id))).to.deep.equal([viaA.body.id]);
  });

  it('does all its work in its own scope: quoting, binding, reading the catalogue, quotes and policies never touch the process\'s unscoped state', async () => {
    const before = unscopedUses();
    const quoted = await quote(t.http, 'two-services-scoped');
    expect(quoted.status, JSON.stringify(quoted.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quoted.body.id}/bind`).set(bearer(t.keys.broker));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    expect((await t.http.get(`/v1/catalogue/${PRODUCT}`).set(bearer(t.keys.broker))).status).to.equal(200);
    expect((await t.http.get('/v1/quotes').set(bearer(t.keys.underwriter))).status).to.equal(200);
    expect((await t.http.get(`/v1/policies/${bound.body.id}`).set(bearer(t.keys.enterprise))).status).to.equal(200);
    await t.services.quotes.getQuote(await t.services.auth.resolveApiKey(t.keys.broker), quoted.body.id);
    expect(unscopedUses(), 'slots read outside any scope meanwhile').to.deep.equal(before);
  });

  it('keeps a catalogue cache warmed in one service out of the other', async () => {
    const entry = await t.http.get(`/v1/catalogue/${UNREAD}`).set(bearer(t.keys.broker));
    expect(entry.status).to.equal(200);
    const { version } = entry.body as { version: string };
    // Another instance retires the version without announcing it: A keeps what it read (its cache
    // is trusted until the token changes); B, which never read it, goes to the database.
    await ProductVersionModel.updateOne({ productCode: UNREAD, version }, { $set: { status: 'retired', retiredAt: new Date() } });
    try {
      expect((await t.http.get(`/v1/catalogue/${UNREAD}`).set(bearer(t.keys.broker))).status, 'A: cached').to.equal(200);
      const fromB = await httpB.get(`/v1/catalogue/${UNREAD}`).set(bearer(t.keys.broker));
      expect(fromB.status, 'B: read afresh, nothing in force').to.be.oneOf([404, 409]);
    } finally {
      await ProductVersionModel.updateOne({ productCode: UNREAD, version }, { $set: { status: 'published' }, $unset: { retiredAt: 1 } });
    }
  });

  it('counts each service\'s requests in its own metrics', async () => {
    for (let i = 0; i < 2; i++) expect((await httpB.get('/v1/products').set(bearer(t.keys.insurerAdmin))).status).to.equal(200);
    const a = (await t.http.get('/metrics')).text;
    const fromB = (await httpB.get('/metrics')).text;
    expect(sampleValue(fromB, 'http_requests_total', { method: 'GET', route: '/v1/products', status: '200' })).to.equal(2);
    expect(sampleValue(a, 'http_requests_total', { method: 'GET', route: '/v1/products', status: '200' }), 'B\'s requests in A').to.equal(undefined);
  });

  it('leaves the other service answering when one is closed', async () => {
    const c = composeService(t.config, pino({ level: 'silent' }), { pdfPoolSize: 1 });
    expect((await supertest(c.app).get(`/v1/catalogue/${PRODUCT}`).set(bearer(t.keys.broker))).status).to.equal(200);
    await c.close();
    expect(mongoose.connection.readyState, 'closing a service leaves the database to its owner').to.equal(1);
    expect((await httpB.get(`/v1/catalogue/${PRODUCT}`).set(bearer(t.keys.broker))).status).to.equal(200);
    const viaB = await quote(httpB, 'two-services-after-close');
    expect(viaB.status, JSON.stringify(viaB.body)).to.equal(201);
  });
});
