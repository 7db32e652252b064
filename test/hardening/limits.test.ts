import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { pino } from 'pino';
import supertest from 'supertest';
import express from 'express';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { pingDatabase } from '../../src/db/connect-database.ts';
import { cacheCallers } from '../../src/http/api-key-cache.ts';
import { createErrorMiddleware } from '../../src/http/error-middleware.ts';
import { createRateLimiter, RateBlockModel } from '../../src/http/rate-limit.ts';
import type { Caller } from '../../src/auth/caller.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { expectErrorShape } from './error-shape.ts';

describe('Hardening: rate limit, security headers, body limit, request timeout', () => {
  const t = useTestApp({ RATE_LIMIT_PER_MINUTE: '5', REQUEST_TIMEOUT_MS: '300', BODY_LIMIT: '10kb' });

  describe('rate limiting per API key', () => {
    it('answers 429 with Retry-After and the JSON error shape once a key has used its minute', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await t.http.get('/v1/me').set(bearer(t.keys.broker));
        statuses.push(res.status);
        expect(res.headers['ratelimit-limit']).to.equal('5');
      }
      expect(statuses).to.deep.equal([200, 200, 200, 200, 200]);
      const over = await t.http.get('/v1/me').set(bearer(t.keys.broker));
      expect(over.status).to.equal(429);
      expectErrorShape(over);
      expect(over.body.error.code).to.equal('rate_limited');
      const retryAfter = Number(over.headers['retry-after']);
      expect(retryAfter).to.be.within(1, 60);
      // Another key of the same organisation is counted separately.
      expect((await t.http.get('/v1/me').set(bearer(t.keys.enterprise))).status).to.equal(200);
    });

    it('shares the count across instances through the database', async () => {
      // No waiting: the first instance took its tokens block by block, before answering. On a
      // loaded machine the minute may have turned since the test before: use it up again first.
      while ((await t.http.get('/v1/me').set(bearer(t.keys.broker))).status !== 429);
      const other = createApp({ config: t.config, logger: pino({ level: 'silent' }), isDatabaseReady: pingDatabase, services: t.services });
      const res = await supertest(other).get('/v1/me').set(bearer(t.keys.broker));
      expect(res.status).to.equal(429);
      const blocks = await RateBlockModel.find({}).lean<{ key: string; window: number; n: number }[]>();
      const byKey = new Map<string, number>();
      for (const b of blocks) byKey.set(`${b.key}|${b.window}`, (byKey.get(`${b.key}|${b.window}`) ?? 0) + b.n);
      expect([...byKey.values()]).to.include(5);
    });

    it('never lets several instances together past the limit, a block at a time', async () => {
      let clock = (Math.floor(Date.now() / 60_000) + 7) * 60_000 + 30_000;
      const limiters = Array.from({ length: 3 }, () => createRateLimiter({ perMinute: 100, now: () => clock }));
      const outcomes = await Promise.all(Array.from({ length: 300 }, (_, i) => limiters[i % 3]!.take('shared-key').then(() => 'ok', (e: { kind?: string }) => e.kind)));
      const allowed = outcomes.filter((o) => o === 'ok').length;
      expect(allowed).to.be.at.most(100);
      expect(allowed).to.be.at.least(90); // only tokens held by an instance that ran out of requests are lost
      const blocks = await RateBlockModel.find({ key: 'shared-key' }).lean<{ n: number; slot: number }[]>();
      expect(blocks.reduce((a, b) => a + b.n, 0)).to.equal(100);
      expect(new Set(blocks.map((b) => b.slot)).size).to.equal(blocks.length);
      clock += 60_000;
      await Promise.all(limiters.map((l) => l.close()));
    });

    it('does not count requests without a valid key (they are refused with 401 first)', async () => {
      for (let i = 0; i < 8; i++) expect((await t.http.get('/v1/me').set(bearer('tik_nope'))).status).to.equal(401);
    });

    it('is exact within one process under concurrency and starts a new window each minute', async () => {
      // A future window, so the running apps' limiters (which sweep old windows) leave its bucket alone.
      let clock = (Math.floor(Date.now() / 60_000) + 5) * 60_000 + 30_000;
      const limiter = createRateLimiter({ perMinute: 20, now: () => clock });
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => limiter.take('concurrency-key').then(() => 'ok', (e: { kind?: string }) => e.kind)));
      expect(outcomes.filter((o) => o === 'ok')).to.have.length(20);
      expect(outcomes.filter((o) => o === 'rate_limited')).to.have.length(30);
      await limiter.flush();
      const blocks = await RateBlockModel.find({ key: 'concurrency-key' }).lean<{ n: number }[]>();
      expect(blocks.reduce((a, b) => a + b.n, 0)).to.equal(20);
      clock += 60_000;
      await limiter.take('concurrency-key');
      await limiter.close();
    });

    it('lets at most the limit through when 700 requests with one key arrive at once over HTTP', async function () {
      this.timeout(120_000);
      // All in one window: a burst that straddled a minute would rightly get a second 600.
      const msLeft = 60_000 - (Date.now() % 60_000);
      if (msLeft < 20_000) await new Promise((r) => setTimeout(r, msLeft + 100));
      const app = createApp({ config: { ...t.config, RATE_LIMIT_PER_MINUTE: 600, REQUEST_TIMEOUT_MS: 60_000 }, logger: pino({ level: 'silent' }), isDatabaseReady: pingDatabase, services: t.services });
      const server: Server = await new Promise((resolve) => {
        const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
      });
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/me`;
        const statuses = await Promise.all(Array.from({ length: 700 }, () => fetch(url, { headers: bearer(t.keys.underwriter) }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        })));
        const count = (status: number) => statuses.filter((s) => s === status).length;
        expect(count(200) + count(429), `statuses other than 200 and 429: ${statuses.filter((s) => s !== 200 && s !== 429).join(', ')}`).to.equal(700);
        expect(count(200)).to.equal(600);
        expect(count(429)).to.equal(100);
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    });

    it('is off with RATE_LIMIT_PER_MINUTE=0', async () => {
      const limiter = createRateLimiter({ perMinute: 0 });
      for (let i = 0; i < 100; i++) await limiter.take('off-key');
      expect(await RateBlockModel.countDocuments({ key: 'off-key' })).to.equal(0);
    });
  });

  describe('API-key cache', () => {
    it('remembers a resolved caller for its TTL only, and never remembers failures', async () => {
      let clock = 0;
      let calls = 0;
      const resolve = async (authorization: string | undefined): Promise<Caller> => {
        calls++;
        if (authorization !== 'good') throw new Error('bad key');
        return { keyId: 'k', userName: 'u', role: 'broker', organisationId: 'o', organisationKind: 'broker', organisationCode: 'MXB' };
      };
      const cached = cacheCallers(resolve, 1000, 10, () => clock);
      await cached('good');
      await cached('good');
      expect(calls).to.equal(1);
      clock = 1001;
      await cached('good');
      expect(calls).to.equal(2);
      for (let i = 0; i < 3; i++) await cached('bad').catch(() => {});
      expect(calls).to.equal(5);
    });

    it('defaults to 5 s outside tests and 0 (off) under NODE_ENV=test', () => {
      expect(loadConfig({ NODE_ENV: 'production' }).API_KEY_CACHE_MS).to.equal(5000);
      expect(loadConfig({ NODE_ENV: 'test' }).API_KEY_CACHE_MS).to.equal(0);
      expect(loadConfig({}).RATE_LIMIT_PER_MINUTE).to.equal(600);
    });
  });

  describe('database errors in flight', () => {
    it('answers 503 (not 500) when the client is closed or its pool cleared under a running request', async () => {
      for (const name of ['MongoClientClosedError', 'PoolClearedError', 'PoolClearedOnNetworkError', 'MongoNetworkError']) {
        const app = express();
        app.get('/x', () => {
          throw Object.assign(new Error('Operation interrupted because client was closed'), { name });
        });
        app.use(createErrorMiddleware(pino({ level: 'silent' })));
        const res = await supertest(app).get('/x');
        expect(res.status, name).to.equal(503);
        expect(res.body.error.code).to.equal('unavailable');
      }
    });
  });

  describe('security headers', () => {
    it('sends helmet\'s headers and a strict CSP on API answers, and no X-Powered-By', async () => {
      const res = await t.http.get('/healthz');
      expect(res.headers['x-powered-by']).to.equal(undefined);
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).to.match(/max-age=\d+/);
      expect(res.headers['referrer-policy']).to.equal('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).to.equal('same-origin');
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).to.contain("default-src 'self'").and.contain("object-src 'none'").and.contain("frame-ancestors 'none'");
      expect(csp).not.to.contain("script-src 'unsafe-inline'");
      const error = await t.http.get('/v1/nothing-here');
      expect(error.headers['x-content-type-options']).to.equal('nosniff');
      expect(error.headers['x-request-id']).to.be.a('string');
    });
  });

  describe('body size limit', () => {
    it('answers 413 in the JSON shape for a body over BODY_LIMIT, before authentication', async () => {
      const res = await t.http.post('/v1/pricing/preview').set('Content-Type', 'application/json').send(JSON.stringify({ productCode: 'x'.repeat(20_000) }));
      expect(res.status).to.equal(413);
      expectErrorShape(res);
      expect(res.body.error.code).to.equal('payload_too_large');
    });
  });

  describe('request timeout', () => {
    let server: Server;
    before(async () => {
      server = await new Promise((resolve) => {
        const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
      });
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it('answers 503 (timeout) in the JSON shape when a request is still running after REQUEST_TIMEOUT_MS', async () => {
      const { port } = server.address() as AddressInfo;
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      let response = '';
      socket.on('data', (chunk) => (response += chunk.toString()));
      const started = Date.now();
      // A body that never finishes arriving: the handler can never run.
      socket.write('POST /v1/pricing/preview HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
      while (!response.includes('\r\n\r\n{') && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
      socket.destroy();
      expect(response).to.match(/^HTTP\/1\.1 503/);
      expect(Date.now() - started).to.be.within(250, 3000);
      const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4).replace(/^[0-9a-f]+\r\n/, '').split('\r\n')[0]!) as { error: { code: string } };
      expect(body.error.code).to.equal('timeout');
    });
  });
});
