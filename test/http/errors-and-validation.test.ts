import { expect } from 'chai';
import { bearer, useTestApp } from '../support/test-app.ts';

/** Every 4xx/5xx has one shape; these tests read it off real responses. */
function expectErrorShape(body: unknown, code: string): { path: string; message: string }[] {
  const error = (body as { error: { code: string; message: string; details: { path: string; message: string }[] } }).error;
  expect(error, 'error object').to.be.an('object');
  expect(error.code).to.equal(code);
  expect(error.message).to.be.a('string').and.not.empty;
  expect(error.details).to.be.an('array');
  return error.details;
}

describe('HTTP errors and validation', () => {
  const t = useTestApp();

  it('answers an unknown route with a JSON 404', async () => {
    const res = await t.http.get('/v1/no-such-thing');
    expect(res.status).to.equal(404);
    expectErrorShape(res.body, 'not_found');
    expect(res.body.error.message).to.contain('/v1/no-such-thing');
  });

  it('answers malformed JSON with a 400 naming the body', async () => {
    const res = await t.http.post('/v1/organisations').set(bearer(t.keys.platformAdmin)).set('Content-Type', 'application/json').send('{"code": "X",');
    expect(res.status).to.equal(400);
    const details = expectErrorShape(res.body, 'invalid_input');
    expect(details[0]!.path).to.equal('body');
  });

  it('names every failing field and its rule, and refuses unknown fields', async () => {
    const res = await t.http.post('/v1/organisations').set(bearer(t.keys.platformAdmin)).send({ code: 'lower case', kind: 'bank', extra: true });
    expect(res.status).to.equal(400);
    const details = expectErrorShape(res.body, 'invalid_input');
    const byPath = Object.fromEntries(details.map((d) => [d.path, d.message]));
    expect(byPath['body.code']).to.contain('pattern');
    expect(byPath['body.kind']).to.contain('enum');
    expect(byPath['body.name']).to.contain('required');
    expect(byPath['body.extra']).to.contain('additionalProperties');
  });

  it('validates query strings with coercion and names the parameter', async () => {
    const res = await t.http.get('/v1/organisations?kind=bank').set(bearer(t.keys.platformAdmin));
    expect(res.status).to.equal(400);
    expect(expectErrorShape(res.body, 'invalid_input')[0]!.path).to.equal('query.kind');
    const unknown = await t.http.get('/v1/organisations?sort=name').set(bearer(t.keys.platformAdmin));
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.details[0].path).to.equal('query.sort');
    // ajv coerces "Infinity" to a number and skips maximum on it: refused here, not a 500 later.
    const infinite = await t.http.get('/v1/quotes?offset=Infinity').set(bearer(t.keys.broker));
    expect(infinite.status).to.equal(400);
    expect(expectErrorShape(infinite.body, 'invalid_input')[0]).to.deep.equal({ path: 'query.offset', message: 'must be a finite number (type)' });
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await t.http.post('/v1/organisations').set(bearer(t.keys.platformAdmin)).send({ code: 'BIG', kind: 'broker', name: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).to.equal(413);
    expectErrorShape(res.body, 'payload_too_large');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await t.http.post('/v1/organisations').set(bearer(t.keys.platformAdmin)).set('Content-Type', 'text/plain').send('code=X');
    expect(res.status).to.equal(415);
    expectErrorShape(res.body, 'unsupported_media_type');
  });

  it('carries a request id on every answer, echoing a sane incoming one', async () => {
    const res = await t.http.get('/healthz').set('X-Request-Id', 'trace-123');
    expect(res.status).to.equal(200);
    expect(res.headers['x-request-id']).to.equal('trace-123');
    const error = await t.http.get('/nowhere');
    expect(error.body.error.requestId).to.equal(error.headers['x-request-id']);
  });

  it('sets security headers', async () => {
    const res = await t.http.get('/healthz');
    expect(res.headers['content-security-policy']).to.contain("default-src 'self'");
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['x-powered-by']).to.equal(undefined);
  });

  it('reports ready while the database answers', async () => {
    const res = await t.http.get('/readyz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ready', database: 'up' });
  });

  it('publishes an OpenAPI 3.1 document and an offline docs page built from the route schemas', async () => {
    const res = await t.http.get('/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.equal('3.1.0');
    const create = res.body.paths['/v1/organisations'].post;
    expect(create.requestBody.content['application/json'].schema.$ref).to.equal('#/components/schemas/NewOrganisation');
    expect(res.body.components.schemas.NewOrganisation.required).to.include('code');
    const docs = await t.http.get('/docs');
    expect(docs.status).to.equal(200);
    expect(docs.text).to.contain('/v1/organisations').and.not.contain('<script');
    expect(docs.text).not.to.match(/https?:\/\/(?!tech-insurance\.example)[a-z]/);
  });
});
