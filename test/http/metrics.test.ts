import { expect } from 'chai';
import { pino } from 'pino';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { pingDatabase } from '../../src/db/connect-database.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { sampleValue } from '../support/prometheus-text.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

describe('HTTP: /metrics (Prometheus)', function () {
  this.timeout(60_000);
  const t = useTestApp({ RATE_LIMIT_PER_MINUTE: '5' });

  before(async () => {
    await publishShippedProducts();
  });

  it('counts requests by route pattern and status, with a latency histogram and the process metrics', async () => {
    for (let i = 0; i < 3; i++) expect((await t.http.get('/v1/catalogue/FIRST-SET-EQUIPMENT').set(bearer(t.keys.broker))).status).to.equal(200);
    expect((await t.http.get('/v1/catalogue/NO-SUCH-PRODUCT').set(bearer(t.keys.broker))).status).to.equal(404);
    expect((await t.http.get('/no/such/path')).status).to.equal(404);
    const res = await t.http.get('/metrics');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(sampleValue(text, 'http_requests_total', { method: 'GET', route: '/v1/catalogue/:code', status: '200' })).to.equal(3);
    expect(sampleValue(text, 'http_requests_total', { method: 'GET', route: '/v1/catalogue/:code', status: '404' })).to.equal(1);
    expect(sampleValue(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).to.equal(1);
    expect(text, 'no raw URL becomes a label').to.not.contain('FIRST-SET-EQUIPMENT').and.not.contain('/no/such/path');
    expect(sampleValue(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/v1/catalogue/:code' })).to.equal(4);
    expect(sampleValue(text, 'http_request_duration_seconds_bucket', { route: '/v1/catalogue/:code', le: '+Inf' })).to.equal(4);
    expect(text).to.match(/^process_resident_memory_bytes \d+/m).and.match(/^nodejs_eventloop_lag_seconds /m);
    expect(text, 'scrapes are not counted').to.not.contain('route="/metrics"');
  });

  it('counts rate-limit rejections', async () => {
    // The limiter counts per clock minute: seven requests that straddle a minute's end would get a new
    // minute's tokens (one rejection, not two), so they start in a minute with time left.
    const msLeft = 60_000 - (Date.now() % 60_000);
    if (msLeft < 10_000) await new Promise((resolve) => setTimeout(resolve, msLeft + 50));
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.http.get('/v1/products').set(bearer(t.keys.insurerAdmin))).status);
    expect(statuses.filter((s) => s === 429).length).to.equal(2);
    const text = (await t.http.get('/metrics')).text;
    expect(sampleValue(text, 'rate_limit_rejections_total', {})).to.equal(2);
    expect(sampleValue(text, 'http_requests_total', { method: 'GET', route: '/v1/products', status: '429' })).to.equal(2);
  });

  it('keeps each app\'s counts apart in one process, and asks for the token when METRICS_TOKEN is set', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: t.dataDir, METRICS_TOKEN: 'scrape-token-0123456789' });
    const other = supertest(createApp({ config, logger: pino({ level: 'silent' }), isDatabaseReady: pingDatabase, metrics: createMetrics(), services: t.services }));
    await other.get('/healthz');
    expect((await other.get('/metrics')).status).to.equal(401);
    expect((await other.get('/metrics').set(bearer('wrong-token-0123456789'))).status).to.equal(401);
    const own = await other.get('/metrics').set(bearer('scrape-token-0123456789'));
    expect(own.status).to.equal(200);
    expect(sampleValue(own.text, 'http_requests_total', { route: '/healthz', status: '200' })).to.equal(1);
    expect(sampleValue(own.text, 'http_requests_total', { route: '/v1/catalogue/:code', status: '200' }), 'the first app\'s requests').to.equal(undefined);
  });
});
