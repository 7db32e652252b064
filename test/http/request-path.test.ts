// The request path every API call takes: helmet's headers as helmet sets them, routes found through
// their group's router with Express's own matching, and the web pages' router left out of /v1.
import { expect } from 'chai';
import express from 'express';
import helmet from 'helmet';
import supertest from 'supertest';
import { allRoutes } from '../../src/app.ts';
import { routeGroupOf } from '../../src/http/mount-routes.ts';
import { helmetHeaders, securityHeaders } from '../../src/http/security-headers.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const OPTIONS = { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], objectSrc: ["'none'"] } } };

/** The headers an app answers with, lower-cased, without the ones every Express answer has. */
async function headersOf(app: express.Express): Promise<Record<string, string>> {
  const res = await supertest(app).get('/x');
  const { date, etag, 'content-type': _type, 'content-length': _length, connection, 'keep-alive': _keepAlive, ...rest } = res.headers as Record<string, string>;
  void date; void etag; void connection;
  return rest;
}

describe('http: request path', () => {
  it('sets exactly the headers helmet sets, captured once', async () => {
    const withHelmet = express().use(helmet(OPTIONS)).get('/x', (_req, res) => void res.send('x'));
    const withCapture = express().use(securityHeaders(OPTIONS)).get('/x', (_req, res) => void res.send('x'));
    const expected = await headersOf(withHelmet);
    expect(Object.keys(expected)).to.include.members(['content-security-policy', 'strict-transport-security', 'x-content-type-options']);
    expect(await headersOf(withCapture)).to.deep.equal(expected);
    expect(helmetHeaders(OPTIONS).removed).to.include('x-powered-by');
  });

  it('groups routes by their first two segments, case-insensitively', () => {
    expect(routeGroupOf('/v1/pricing/preview')).to.equal('/v1/pricing');
    expect(routeGroupOf('/v1/Quotes/abc/bind')).to.equal('/v1/quotes');
    expect(routeGroupOf('/v1/quotes')).to.equal('/v1/quotes');
    expect(routeGroupOf('/v1/quotes/')).to.equal('/v1/quotes');
    expect(routeGroupOf('/v1')).to.equal('/v1');
    for (const route of allRoutes()) expect(routeGroupOf(route.path), route.path).not.to.match(/[{}]/);
  });

  describe('on the app', () => {
    const t = useTestApp();

    it('finds routes in every group, with params, a trailing slash and upper case as Express does', async () => {
      const me = await t.http.get('/v1/me').set(bearer(t.keys.broker));
      expect(me.status).to.equal(200);
      const upper = await t.http.get('/V1/ME').set(bearer(t.keys.broker));
      expect(upper.status).to.equal(200);
      const slash = await t.http.get('/v1/catalogue/').set(bearer(t.keys.broker));
      expect(slash.status).to.equal(200);
      const organisation = await t.http.get(`/v1/organisations/${me.body.organisationId}`).set(bearer(t.keys.platformAdmin));
      expect(organisation.status).to.equal(200);
      expect(organisation.body.id).to.equal(me.body.organisationId);
    });

    it('answers an unknown API path, in a known group or not, with the JSON 404', async () => {
      for (const path of ['/v1/quotes/a/b/c/d', '/v1/nothing-here', '/v1']) {
        const res = await t.http.get(path).set(bearer(t.keys.broker)).set('Accept', 'text/html');
        expect(res.status, path).to.equal(404);
        expect(res.type, path).to.equal('application/json');
        expect(res.body.error.code, path).to.equal('not_found');
      }
    });

    it('still serves the pages and their assets outside /v1', async () => {
      const signIn = await t.http.get('/sign-in');
      expect(signIn.status).to.equal(200);
      expect(signIn.type).to.equal('text/html');
      expect(signIn.headers['x-request-id']).to.be.a('string');
    });
  });
});
