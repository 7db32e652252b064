import { expect } from 'chai';
import { bearer, useTestApp } from '../support/test-app.ts';

describe('A broker\'s clients', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);

  it('has the demo broker firm act for both demo enterprises (the demo seed links them)', async () => {
    const all = await t.http.get('/v1/clients').set(as('broker'));
    expect(all.status).to.equal(200);
    expect(all.body.items.map((c: { enterprise: { code: string } }) => c.enterprise.code).sort()).to.deep.equal(['HZZZ', 'JNXC']);
  });

  it('finds an enterprise it linked by name or credit code, and not one it did not link', async () => {
    // A new firm: HZZZ (91330106MA2H7K3Q0L) is linked; JNXC (91370102MA3C8N5R2L) exists but is not.
    const firm = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code: 'LISTBRK', kind: 'broker', name: '列表经纪（测试）' });
    const key = bearer((await t.http.post(`/v1/organisations/${firm.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: '经纪人丙', role: 'broker' })).body.apiKey);
    const before = await t.http.get('/v1/clients').set(key);
    expect(before.status).to.equal(200);
    expect(before.body).to.deep.equal({ items: [], total: 0, limit: 50, offset: 0 });

    const linked = await t.http.post('/v1/clients').set(key).send({ unifiedSocialCreditCode: '91330106MA2H7K3Q0L' });
    expect(linked.status, JSON.stringify(linked.body)).to.equal(201);
    expect(linked.body.enterprise).to.include({ id: t.organisations.HZZZ, kind: 'enterprise' });
    const again = await t.http.post('/v1/clients').set(key).send({ unifiedSocialCreditCode: '91330106MA2H7K3Q0L' });
    expect(again.status).to.equal(200);
    expect(again.body.linkedAt).to.equal(linked.body.linkedAt);

    const all = await t.http.get('/v1/clients').set(key);
    expect(all.body.items.map((c: { enterprise: { id: string } }) => c.enterprise.id)).to.deep.equal([t.organisations.HZZZ]);
    expect(all.body.total).to.equal(1);
    const byCode = await t.http.get('/v1/clients?q=MA2H7K3Q').set(key);
    expect(byCode.body.items).to.have.length(1);
    const byName = await t.http.get(`/v1/clients?q=${encodeURIComponent(linked.body.enterprise.name.slice(0, 2))}`).set(key);
    expect(byName.body.items).to.have.length(1);
    const unlinked = await t.http.get('/v1/clients?q=91370102MA3C8N5R2L').set(key);
    expect(unlinked.body).to.deep.include({ items: [], total: 0 });
  });

  it('registers a new enterprise by credit code and name, and refuses an unknown code without a name', async () => {
    const missing = await t.http.post('/v1/clients').set(as('broker')).send({ unifiedSocialCreditCode: '91440300MA5NEW0001' });
    expect(missing.status).to.equal(404);
    expect(missing.body.error.details[0].path).to.equal('body.name');

    const created = await t.http.post('/v1/clients').set(as('broker')).send({ unifiedSocialCreditCode: '91440300MA5NEW0001', name: '深圳新材料有限公司', regionCode: '440300', qualifications: ['high-tech'] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.enterprise).to.include({ code: '91440300MA5NEW0001', kind: 'enterprise', unifiedSocialCreditCode: '91440300MA5NEW0001', regionCode: '440300' });
    const found = await t.http.get(`/v1/clients?q=${encodeURIComponent('新材料')}`).set(as('broker'));
    expect(found.body.items.map((c: { enterprise: { id: string } }) => c.enterprise.id)).to.deep.equal([created.body.enterprise.id]);

    // The credit code is unique: a second organisation with it is a conflict.
    const duplicate = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code: 'DUPE', kind: 'enterprise', name: '重复', unifiedSocialCreditCode: '91440300MA5NEW0001' });
    expect(duplicate.status).to.equal(409);
  });

  it('is for brokers only', async () => {
    expect((await t.http.get('/v1/clients').set(as('underwriter'))).status).to.equal(403);
    expect((await t.http.post('/v1/clients').set(as('enterprise')).send({ unifiedSocialCreditCode: '91330106MA2H7K3Q0L' })).status).to.equal(403);
  });
});
