// The access log names every request but never carries an API key or a session cookie.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { pingDatabase } from '../../src/db/connect-database.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

describe('http: request log', () => {
  const t = useTestApp();

  it('logs each request with its id, method, url and status, with Authorization and Cookie redacted', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const app = createApp({ config: t.config, logger: pino({ level: 'info' }, sink), isDatabaseReady: pingDatabase, services: t.services });
    const http = supertest(app);
    const ok = await http.get('/v1/organisations').set(bearer(t.keys.broker)).set('Cookie', 'techins_session=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    expect(ok.status).to.equal(200);
    const refused = await http.get('/v1/organisations').set(bearer(`${t.keys.broker}x`));
    expect(refused.status).to.equal(401);
    await new Promise((r) => setImmediate(r));
    const text = lines.join('\n');
    const completed = lines.map((l) => JSON.parse(l) as { msg?: string; req?: { id?: string; method?: string; url?: string; headers?: Record<string, string> }; res?: { statusCode?: number } }).filter((l) => l.msg === 'request completed' || l.req?.url === '/v1/organisations');
    expect(completed.map((l) => l.res?.statusCode)).to.include.members([200, 401]);
    expect(completed[0]!.req).to.include({ method: 'GET', url: '/v1/organisations' });
    expect(completed[0]!.req!.headers!.authorization).to.equal('[redacted]');
    expect(completed[0]!.req!.headers!.cookie).to.equal('[redacted]');
    expect(text).not.to.contain(t.keys.broker.slice(4));
    expect(text).not.to.contain('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
  });
});
