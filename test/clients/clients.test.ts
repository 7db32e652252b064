import { expect } from 'chai';
import mongoose from 'mongoose';
import { OrganisationModel } from '../../src/auth/auth-model.ts';
import { ClientLinkModel } from '../../src/clients/client-model.ts';
import { derivedObjectId } from '../../src/db/derived-id.ts';
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
    // A search narrows the list: it answers no total.
    expect(unlinked.body).to.deep.equal({ items: [], limit: 50, offset: 0 });
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

  /** A new broker firm and its key. */
  async function newFirm(code: string) {
    const firm = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code, kind: 'broker', name: `${code}（测试）` });
    const key = bearer((await t.http.post(`/v1/organisations/${firm.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: '经纪人', role: 'broker' })).body.apiKey);
    return { id: firm.body.id as string, key };
  }

  it('lists a firm\'s clients newest linked first, by cursor past a chunk, searches them in memory, and never shows another firm\'s', async () => {
    const mine = await newFirm('PAGEBRK');
    const other = await newFirm('OTHERBRK');
    const codes = Array.from({ length: 105 }, (_, i) => `91440300MA5P${String(i).padStart(4, '0')}X`.slice(0, 18).padEnd(18, '0'));
    for (const [i, code] of codes.entries()) {
      const res = await t.http.post('/v1/clients').set(mine.key).send({ unifiedSocialCreditCode: code, name: `分页企业${i}号` });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    await t.http.post('/v1/clients').set(other.key).send({ unifiedSocialCreditCode: codes[0] });
    const walked: string[] = [];
    let after: string | undefined;
    do {
      const res = await t.http.get(`/v1/clients?limit=40${after ? `&after=${after}` : ''}`).set(mine.key);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      if (!after) expect(res.body.total).to.equal(105);
      walked.push(...res.body.items.map((c: { enterprise: { unifiedSocialCreditCode: string } }) => c.enterprise.unifiedSocialCreditCode));
      after = res.body.next;
    } while (after);
    expect(walked).to.deep.equal([...codes].reverse());
    const found = await t.http.get(`/v1/clients?q=${encodeURIComponent('分页企业1')}`).set(mine.key);
    expect(found.body.items.map((c: { enterprise: { name: string } }) => c.enterprise.name).sort()).to.deep.equal(
      Array.from({ length: 105 }, (_, i) => `分页企业${i}号`).filter((n) => n.includes('分页企业1')).sort());
    expect(found.body).not.to.have.property('total');
    const theirs = await t.http.get('/v1/clients').set(other.key);
    expect(theirs.body.items.map((c: { enterprise: { unifiedSocialCreditCode: string } }) => c.enterprise.unifiedSocialCreditCode)).to.deep.equal([codes[0]]);
    expect((await t.http.get(`/v1/clients?q=${codes[1]}`).set(other.key)).body.items).to.deep.equal([]);
  });

  it('migrates links stored before the lists (clients.buildLists): each on its firm\'s list once, oldest first', async () => {
    const firm = await newFirm('OLDBRK');
    // Stored the old way: the link documents alone, never appended to a list.
    const links = [[t.organisations.JNXC!, 1], [t.organisations.HZZZ!, 2]] as const;
    for (const [enterpriseId, day] of links) {
      await ClientLinkModel.create({ _id: derivedObjectId(`client-link:${firm.id}:${enterpriseId}`), brokerOrganisationId: firm.id, enterpriseId, linkedBy: { userName: 'old' }, createdAt: new Date(`2020-01-0${day}T00:00:00Z`) });
    }
    expect((await t.http.get('/v1/clients').set(firm.key)).body.items).to.deep.equal([]);
    for (let run = 0; run < 2; run++) await t.services.clients.buildLists();
    const listed = await t.http.get('/v1/clients').set(firm.key);
    expect(listed.body.items.map((c: { enterprise: { id: string } }) => c.enterprise.id)).to.deep.equal([t.organisations.HZZZ, t.organisations.JNXC]);
    expect(listed.body.items[1].linkedAt).to.equal('2020-01-01T00:00:00.000Z');
    expect(listed.body.total).to.equal(2);
  });

  it('finds an enterprise by its credit code with one read by _id, and registers a new code once when two firms send it at once', async () => {
    const firm = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code: 'TWINBRK', kind: 'broker', name: '双登记经纪（测试）' });
    const other = bearer((await t.http.post(`/v1/organisations/${firm.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: '经纪人丁', role: 'broker' })).body.apiKey);
    const reads: { collection: string; filter: unknown }[] = [];
    mongoose.set('debug', (collection: string, _method: string, filter: unknown) => reads.push({ collection, filter }));
    try {
      const linked = await t.http.post('/v1/clients').set(other).send({ unifiedSocialCreditCode: '91330106MA2H7K3Q0L' });
      expect(linked.status, JSON.stringify(linked.body)).to.be.oneOf([200, 201]);
    } finally {
      mongoose.set('debug', false);
    }
    // No read of the organisations by anything but their _id (the credit code is the claim's _id).
    expect(reads.filter((r) => r.collection === 'organisations' && Object.keys(r.filter as object).some((k) => k !== '_id'))).to.deep.equal([]);
    expect(reads.some((r) => r.collection === 'organisationCreditCodes')).to.equal(true);

    const body = { unifiedSocialCreditCode: '91440300MA5TWIN001', name: '双登记科技有限公司' };
    const answers = await Promise.all([t.http.post('/v1/clients').set(as('broker')).send(body), t.http.post('/v1/clients').set(other).send(body)]);
    expect(await OrganisationModel.countDocuments({ unifiedSocialCreditCode: body.unifiedSocialCreditCode })).to.equal(1);
    // The firm that lost the race was told the code is taken (409) or linked the enterprise the other registered.
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).to.be.oneOf([201, 409]);
    expect(answers.filter((a) => a.status === 201)).to.have.length.at.least(1);
  });
});
