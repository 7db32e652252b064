import { expect } from 'chai';
import { ApiKeyModel } from '../../src/auth/auth-model.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

describe('Organisations, roles and API keys', () => {
  const t = useTestApp();

  it('refuses a missing, malformed or unknown key with 401', async () => {
    for (const headers of [{}, { Authorization: 'Basic abc' }, bearer('tik_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'), bearer('nonsense')]) {
      const res = await t.http.get('/v1/me').set(headers);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('unauthenticated');
      expect(res.body.error.details[0].path).to.equal('header.authorization');
    }
  });

  it('resolves a key to its role and organisation', async () => {
    const res = await t.http.get('/v1/me').set(bearer(t.keys.broker));
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ role: 'broker', organisationCode: 'MXB', organisationKind: 'broker' });
  });

  it('refuses the wrong role with 403', async () => {
    const res = await t.http.post('/v1/organisations').set(bearer(t.keys.broker)).send({ code: 'NEW', kind: 'broker', name: '新经纪' });
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal('forbidden');
  });

  it('hides another organisation with 404, and shows one\'s own', async () => {
    const other = await t.http.get(`/v1/organisations/${t.organisations.JNXC}`).set(bearer(t.keys.enterprise));
    expect(other.status).to.equal(404);
    const own = await t.http.get(`/v1/organisations/${t.organisations.HZZZ}`).set(bearer(t.keys.enterprise));
    expect(own.status).to.equal(200);
    expect(own.body).to.include({ code: 'HZZZ', regionCode: '330106' });
    const list = await t.http.get('/v1/organisations').set(bearer(t.keys.enterprise));
    expect(list.body.items.map((o: { code: string }) => o.code)).to.deep.equal(['HZZZ']);
  });

  it('lets a platform admin create organisations and issue keys that work, once shown', async () => {
    const created = await t.http.post('/v1/organisations').set(bearer(t.keys.platformAdmin)).send({ code: 'SZKJ', kind: 'enterprise', name: '深圳科技有限公司', regionCode: '440300' });
    expect(created.status).to.equal(201);
    const duplicate = await t.http.post('/v1/organisations').set(bearer(t.keys.platformAdmin)).send({ code: 'SZKJ', kind: 'enterprise', name: '重复' });
    expect(duplicate.status).to.equal(409);
    const wrongRole = await t.http.post(`/v1/organisations/${created.body.id}/api-keys`).set(bearer(t.keys.platformAdmin)).send({ userName: 'x', role: 'broker' });
    expect(wrongRole.status).to.equal(400);
    expect(wrongRole.body.error.details[0].path).to.equal('body.role');
    const issued = await t.http.post(`/v1/organisations/${created.body.id}/api-keys`).set(bearer(t.keys.platformAdmin)).send({ userName: '财务', role: 'enterprise' });
    expect(issued.status).to.equal(201);
    const me = await t.http.get('/v1/me').set(bearer(issued.body.apiKey));
    expect(me.body).to.include({ organisationCode: 'SZKJ', role: 'enterprise' });
  });

  it('stores only a hash of each key', async () => {
    const keys = await ApiKeyModel.find({}).lean();
    const secrets = Object.values(t.keys).map((k) => k.split('_').slice(2).join('_'));
    for (const key of keys) {
      expect(key.secretHash).to.match(/^[0-9a-f]{64}$/);
      expect(secrets).not.to.include(key.secretHash);
    }
  });

  it('lets an insurer admin issue underwriter keys for its own organisation only', async () => {
    const own = await t.http.post(`/v1/organisations/${t.organisations.KCIC}/api-keys`).set(bearer(t.keys.insurerAdmin)).send({ userName: '新核保', role: 'underwriter' });
    expect(own.status).to.equal(201);
    const other = await t.http.post(`/v1/organisations/${t.organisations.HTIC}/api-keys`).set(bearer(t.keys.insurerAdmin)).send({ userName: 'x', role: 'underwriter' });
    expect(other.status).to.equal(404);
  });

  it('refuses a revoked key', async () => {
    const issued = await t.http.post(`/v1/organisations/${t.organisations.KCIC}/api-keys`).set(bearer(t.keys.insurerAdmin)).send({ userName: '临时', role: 'underwriter' });
    expect((await t.http.get('/v1/me').set(bearer(issued.body.apiKey))).status).to.equal(200);
    expect((await t.http.delete(`/v1/api-keys/${issued.body.keyId}`).set(bearer(t.keys.insurerAdmin))).status).to.equal(204);
    expect((await t.http.get('/v1/me').set(bearer(issued.body.apiKey))).status).to.equal(401);
  });
});
