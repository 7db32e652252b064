import { expect } from 'chai';
import mongoose from 'mongoose';
import { pino } from 'pino';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { issueApiKey, revokeApiKey } from '../../src/auth/auth-service.ts';
import { ConfigError, loadConfig, type Config } from '../../src/config.ts';
import { pingDatabase } from '../../src/db/connect-database.ts';
import { clientBucket } from '../../src/http/auth-failure-limit.ts';
import { createMetrics, type ServiceMetrics } from '../../src/http/metrics.ts';
import { PAGE_CSP } from '../../src/web/page-pipeline.ts';
import { sampleValue } from '../support/prometheus-text.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { expectErrorShape } from './error-shape.ts';

// Sessions behind a TLS-terminating proxy (TRUST_PROXY) and failed authentication limited per
// client address (AUTH_FAILURES_PER_MINUTE), on the API and the sign-in page. The app runs with
// the production defaults for both (loopback trusted, 20 failures a minute); each test speaks
// for its own client address through X-Forwarded-For, which loopback (supertest) may set.
const LIMIT = 20;
const MALFORMED = 'tik_not-a-key';
/** A well-formed key no one holds: it is looked up, and found wanting. */
const unknownKey = (n: number) => `tik_u${String(n).padStart(11, '0')}_${'s'.repeat(32)}`;
const cookieNamed = (res: { headers: Record<string, unknown> }, name: string) => ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith(`${name}=`));
const form = { 'Sec-Fetch-Site': 'same-origin' };

describe('Hardening: sessions behind a proxy and failed sign-ins limited per address', function () {
  this.timeout(120_000);
  const t = useTestApp({ AUTH_FAILURES_PER_MINUTE: String(LIMIT) });
  let revokedKey: string;
  let apiKeyLookups = 0;

  before(async () => {
    const issued = await issueApiKey(null, t.organisations.MXB!, { userName: '离职经纪', role: 'broker' });
    await revokeApiKey({ role: 'platform-admin', organisationId: t.organisations.PLATFORM! } as never, issued.keyId);
    revokedKey = issued.apiKey;
    // Counts the reads of API keys: a wrong key refused unread must not cost one.
    mongoose.set('debug', (collection: string) => {
      if (collection === 'apiKeys') apiKeyLookups++;
    });
  });
  after(() => {
    mongoose.set('debug', false);
  });

  /** Another app on the same database, with settings changed (a second instance, another proxy set-up). */
  function otherApp(changes: Partial<Config>, metrics: ServiceMetrics = createMetrics()) {
    return supertest(createApp({ config: { ...t.config, ...changes }, logger: pino({ level: 'silent' }), isDatabaseReady: pingDatabase, services: t.services, metrics }));
  }

  async function metric(name: string, channel: string): Promise<number> {
    return sampleValue((await t.http.get('/metrics')).text, name, { channel }) ?? 0;
  }

  describe('TRUST_PROXY and Secure cookies', () => {
    it('marks the session and language cookies Secure when a trusted proxy says the request came over HTTPS', async () => {
      const viaProxy = await t.http.post('/sign-in').set({ ...form, 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.1' }).type('form').send({ apiKey: t.keys.broker });
      expect(viaProxy.status, viaProxy.text).to.equal(303);
      expect(cookieNamed(viaProxy, 'tis_session')).to.match(/;\s*Secure/i).and.match(/HttpOnly/i).and.match(/SameSite=Strict/i);
      const lang = await t.http.get('/sign-in?lang=en').set('X-Forwarded-Proto', 'https');
      expect(cookieNamed(lang, 'tis_lang')).to.match(/;\s*Secure/i);

      const plain = await t.http.post('/sign-in').set(form).type('form').send({ apiKey: t.keys.broker });
      expect(plain.status).to.equal(303);
      expect(cookieNamed(plain, 'tis_session'), 'plain HTTP: no Secure (the browser would drop it)').to.not.match(/Secure/i);
      expect(cookieNamed(await t.http.get('/sign-in?lang=en'), 'tis_lang')).to.not.match(/Secure/i);
    });

    it('ignores X-Forwarded-Proto from a proxy it does not trust', async () => {
      for (const TRUST_PROXY of ['false', '10.0.0.0/8']) {
        const http = otherApp({ TRUST_PROXY });
        const res = await http.post('/sign-in').set({ ...form, 'X-Forwarded-Proto': 'https' }).type('form').send({ apiKey: t.keys.broker });
        expect(res.status, TRUST_PROXY).to.equal(303);
        expect(cookieNamed(res, 'tis_session'), TRUST_PROXY).to.not.match(/Secure/i);
        expect(cookieNamed(await http.get('/sign-in?lang=en').set('X-Forwarded-Proto', 'https'), 'tis_lang'), TRUST_PROXY).to.not.match(/Secure/i);
      }
    });

    it('checks the setting: loopback by default; names, addresses, CIDRs and hop counts accepted; anything else refused by name', () => {
      expect(loadConfig({ NODE_ENV: 'production' }).TRUST_PROXY).to.equal('loopback');
      expect(loadConfig({ NODE_ENV: 'production' }).AUTH_FAILURES_PER_MINUTE, 'on by default').to.equal(20);
      for (const ok of ['false', 'true', '1', 'loopback, 10.0.0.0/8', '192.168.1.7,uniquelocal', 'fd00::/8', '10.0.0.0/255.0.0.0']) expect(loadConfig({ TRUST_PROXY: ok }).TRUST_PROXY).to.equal(ok);
      for (const bad of ['everyone', '10.0.0.0/33', '10.0.0.1/8/1', 'loopback,,']) {
        expect(() => loadConfig({ TRUST_PROXY: bad }), bad).to.throw(ConfigError).with.property('message').that.matches(/TRUST_PROXY/);
      }
    });
  });

  describe('failed authentication on the API', () => {
    it('answers 401 to the first 20 wrong keys of an address, then 429 with Retry-After; a valid key from it still works', async () => {
      const address = { 'X-Forwarded-For': '203.0.113.10' };
      const failuresBefore = await metric('auth_failures_total', 'api');
      const refusedBefore = await metric('auth_failure_rejections_total', 'api');
      const wrong = [MALFORMED, revokedKey, ...Array.from({ length: 23 }, (_v, i) => unknownKey(i))];
      const answers = [];
      for (const key of wrong) answers.push(await t.http.get('/v1/me').set({ ...bearer(key), ...address }));
      expect(answers.slice(0, LIMIT).map((r) => r.status)).to.deep.equal(Array(LIMIT).fill(401));
      expect(answers.slice(LIMIT).map((r) => r.status)).to.deep.equal([429, 429, 429, 429, 429]);
      for (const refused of answers.slice(LIMIT)) {
        expectErrorShape(refused);
        expect(refused.body.error.code).to.equal('rate_limited');
        expect(refused.body.error.details[0]).to.deep.equal({ path: 'header.authorization', message: `exceeds ${LIMIT} failed authentications per minute from this client address (auth failure limit)` });
        expect(Number(refused.headers['retry-after'])).to.be.within(1, 60);
        expect(refused.headers).to.not.have.property('ratelimit-limit'); // that header describes the per-key limit
      }
      // Only failures are refused: the valid key from the same address, as often as it likes.
      for (let i = 0; i < 3; i++) {
        const valid = await t.http.get('/v1/me').set({ ...bearer(t.keys.broker), ...address });
        expect(valid.status, valid.text).to.equal(200);
      }
      expect(await metric('auth_failures_total', 'api') - failuresBefore).to.equal(25);
      expect(await metric('auth_failure_rejections_total', 'api') - refusedBefore).to.equal(5);
    });

    it('refuses a wrong key it has seen fail without looking it up again, and still looks up (and refuses) a new one', async () => {
      const address = { 'X-Forwarded-For': '203.0.113.11' };
      let lookups = apiKeyLookups;
      for (let i = 0; i < LIMIT; i++) expect((await t.http.get('/v1/me').set({ ...bearer(unknownKey(100)), ...address })).status).to.equal(401);
      expect(apiKeyLookups - lookups, 'under the limit, every wrong key is looked up').to.equal(LIMIT);
      lookups = apiKeyLookups;
      for (let i = 0; i < 5; i++) expect((await t.http.get('/v1/me').set({ ...bearer(unknownKey(100)), ...address })).status).to.equal(429);
      expect(apiKeyLookups - lookups, 'reads of api keys for a known wrong key over the limit').to.equal(0);
      lookups = apiKeyLookups;
      expect((await t.http.get('/v1/me').set({ ...bearer(unknownKey(101)), ...address })).status).to.equal(429);
      expect(apiKeyLookups - lookups, 'a key not seen before is looked up: it might be valid').to.equal(1);
    });

    it('leaves other addresses alone, and counts nothing for requests without a key', async () => {
      for (let i = 0; i < LIMIT + 5; i++) await t.http.get('/v1/me').set({ ...bearer(MALFORMED), 'X-Forwarded-For': '203.0.113.12' });
      expect((await t.http.get('/v1/me').set({ ...bearer(MALFORMED), 'X-Forwarded-For': '203.0.113.12' })).status).to.equal(429);
      expect((await t.http.get('/v1/me').set({ ...bearer(MALFORMED), 'X-Forwarded-For': '203.0.113.13' })).status, 'another client behind the same proxy').to.equal(401);
      const failures = await metric('auth_failures_total', 'api');
      for (let i = 0; i < LIMIT + 5; i++) expect((await t.http.get('/v1/me').set('X-Forwarded-For', '203.0.113.14')).status).to.equal(401);
      expect(await metric('auth_failures_total', 'api'), 'no credential, no failure').to.equal(failures);
      expect((await t.http.get('/v1/me').set({ ...bearer(MALFORMED), 'X-Forwarded-For': '203.0.113.14' })).status).to.equal(401);
    });

    it('counts an address\'s failures once across instances', async () => {
      const [a, b] = [otherApp({}), otherApp({})];
      const address = { 'X-Forwarded-For': '203.0.113.15' };
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 4; i++) statuses.push((await (i % 2 ? a : b).get('/v1/me').set({ ...bearer(unknownKey(200 + i)), ...address })).status);
      expect(statuses.slice(0, LIMIT)).to.deep.equal(Array(LIMIT).fill(401));
      expect(statuses.slice(LIMIT)).to.deep.equal([429, 429, 429, 429]);
      expect((await a.get('/v1/me').set({ ...bearer(t.keys.broker), ...address })).status).to.equal(200);
    });

    it('counts IPv6 clients by their /64 and IPv4-mapped addresses as IPv4', () => {
      expect(clientBucket('::ffff:192.0.2.7')).to.equal('192.0.2.7');
      expect(clientBucket('192.0.2.7')).to.equal('192.0.2.7');
      expect(clientBucket('2001:db8:1:2:3:4:5:6')).to.equal('2001:db8:1:2::/64');
      expect(clientBucket('2001:db8:1:2::9')).to.equal(clientBucket('2001:db8:1:2:ffff::1'));
      expect(clientBucket('2001:db8::1')).to.equal('2001:db8:0:0::/64');
      expect(clientBucket('fe80::1%eth0')).to.equal('fe80:0:0:0::/64');
      expect(clientBucket(undefined)).to.equal('unknown');
    });
  });

  describe('failed sign-ins on the web form', () => {
    async function signIn(key: string, address: string, lang?: 'en') {
      return t.http.post(`/sign-in${lang ? `?lang=${lang}` : ''}`).set({ ...form, 'X-Forwarded-For': address }).type('form').send({ apiKey: key });
    }

    it('limits bad keys per address with a page in the reader\'s language; a valid key still signs in; the metrics count both', async () => {
      const address = '203.0.113.20';
      const failuresBefore = await metric('auth_failures_total', 'web');
      const refusedBefore = await metric('auth_failure_rejections_total', 'web');
      const statuses = [];
      for (let i = 0; i < LIMIT; i++) statuses.push((await signIn(unknownKey(300 + i), address)).status);
      expect(statuses).to.deep.equal(Array(LIMIT).fill(401));

      const zh = await signIn(unknownKey(400), address);
      expect(zh.status).to.equal(429);
      expect(Number(zh.headers['retry-after'])).to.be.within(1, 60);
      expect(zh.headers['content-type']).to.match(/text\/html/);
      expect(zh.headers['content-security-policy']).to.equal(PAGE_CSP);
      expect(zh.text).to.match(/登录失败次数过多，请在 \d+ 秒后再试/).and.include('id="sign-in-error"');
      const en = await signIn(unknownKey(401), address, 'en');
      expect(en.status).to.equal(429);
      expect(en.text).to.match(/Too many failed sign-ins from your address; try again in \d+ s\./);
      expect(en.text).to.not.match(/登录失败/);

      const valid = await signIn(t.keys.enterprise, address);
      expect(valid.status, valid.text).to.equal(303);
      expect(cookieNamed(valid, 'tis_session')).to.be.a('string');
      // One count per address: the API's wrong keys from it are refused too, its valid keys are not.
      expect((await t.http.get('/v1/me').set({ ...bearer(MALFORMED), 'X-Forwarded-For': address })).status).to.equal(429);
      expect((await t.http.get('/v1/me').set({ ...bearer(t.keys.enterprise), 'X-Forwarded-For': address })).status).to.equal(200);
      // An empty form is not a guess.
      expect((await signIn('', '203.0.113.21')).status).to.equal(401);

      expect(await metric('auth_failures_total', 'web') - failuresBefore).to.equal(LIMIT + 2);
      expect(await metric('auth_failure_rejections_total', 'web') - refusedBefore).to.equal(2);
      expect(await metric('auth_failure_rejections_total', 'api')).to.be.above(0);
    });
  });
});
