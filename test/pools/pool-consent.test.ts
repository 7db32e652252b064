import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import mongoose from 'mongoose';
import { AuditEntryModel } from '../../src/audit/audit-log.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { publishAs } from '../support/publish-as.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

// Pool membership by consent, on the real database: a version naming another insurer in its pool
// is published only once that insurer's admin has accepted its share (role and percent) of that
// product; a decline keeps it refused; a member that leaves keeps the versions already published
// running but must accept again for the next; accept is exactly once under concurrency.
const definition = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as Record<string, unknown> & { version: string };
const [vector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const pool = (htic: string, zxic: string) => ({
  members: [
    { insurer: 'KCIC', role: 'lead', sharePercent: String(100 - Number(htic) - Number(zxic)) },
    { insurer: 'HTIC', role: 'follower', sharePercent: htic },
    { insurer: 'ZXIC', role: 'follower', sharePercent: zxic },
  ],
});

interface Invitation { id: string; productCode: string; productName: { zh: string; en: string }; inviter: { code: string; name: string }; member: { code: string; name: string }; role: string; sharePercent: string; status: string; direction?: string }

describe('Pool membership by consent', function () {
  this.timeout(120_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  const CODE = 'CONSENT-POOL';

  const draft = (code: string, version: string, coInsurance: unknown, extra: Record<string, unknown> = {}) => ({ ...structuredClone(definition), code, version, coInsurance, ...extra });
  const publish = (code: string, version: string) => publishAs(t.http, t.keys, code, version);
  async function invitations(key: keyof typeof t.keys, code: string): Promise<Invitation[]> {
    const res = await t.http.get('/v1/pool-invitations').set(as(key));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return (res.body.items as Invitation[]).filter((i) => i.productCode === code);
  }
  const invitationOf = async (key: keyof typeof t.keys, code: string, member: string, share: string) =>
    (await invitations(key, code)).find((i) => i.member.code === member && i.sharePercent === share)!;
  const quote = (productCode: string) => t.http.post('/v1/quotes').set(as('broker')).send({ productCode, enterpriseId: t.organisations.HZZZ, inputs: structuredClone(vector!.inputs), startDate: today() });

  before(async () => {
    await publishShippedProducts();
    const res = await t.http.post('/v1/products').set(as('insurerAdmin')).send({ definition: draft(CODE, definition.version, pool('30', '30')) });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });

  it('invites each other member when the draft is created, seen by the member (received) and the product\'s insurer (sent), names included', async () => {
    const received = await invitations('otherInsurerAdmin', CODE);
    expect(received.map((i) => [i.member.code, i.role, i.sharePercent, i.status, i.direction])).to.deep.equal([['HTIC', 'follower', '30', 'pending', 'received']]);
    expect(received[0]!.inviter).to.include({ code: 'KCIC', name: '科创财产保险股份有限公司（演示）' });
    expect(received[0]!.productName.zh).to.be.a('string').and.not.equal(CODE);
    const sent = await invitations('insurerAdmin', CODE);
    expect(sent.map((i) => [i.member.code, i.direction]).sort()).to.deep.equal([['HTIC', 'sent'], ['ZXIC', 'sent']]);
    // ZXIC does not see HTIC's invitation, nor the other way round.
    expect((await invitations('poolInsurerAdmin', CODE)).map((i) => i.member.code)).to.deep.equal(['ZXIC']);
    expect((await t.http.get('/v1/pool-invitations?status=accepted').set(as('otherInsurerAdmin'))).body.items.filter((i: Invitation) => i.productCode === CODE)).to.deep.equal([]);
    expect((await t.http.get('/v1/pool-invitations').set(as('enterprise'))).status).to.equal(403);
  });

  it('refuses to publish (409) while a member has not accepted, naming each member on its path', async () => {
    const res = await publish(CODE, definition.version);
    expect(res.status, JSON.stringify(res.body)).to.equal(409);
    expect(res.body.error.details).to.deep.equal([
      { path: 'definition/coInsurance/members/1/insurer', message: 'HTIC has not accepted its 30% follower share (pool-consent)' },
      { path: 'definition/coInsurance/members/2/insurer', message: 'ZXIC has not accepted its 30% follower share (pool-consent)' },
    ]);
    expect((await t.http.get(`/v1/products/${CODE}/versions/${definition.version}`).set(as('insurerAdmin'))).body.status).to.equal('draft');
  });

  it('lets no one but the invited insurer\'s admin decide: the inviter and a third insurer get 404, an underwriter 403', async () => {
    const htic = await invitationOf('insurerAdmin', CODE, 'HTIC', '30');
    expect((await t.http.post(`/v1/pool-invitations/${htic.id}/accept`).set(as('insurerAdmin'))).status).to.equal(404);
    expect((await t.http.post(`/v1/pool-invitations/${htic.id}/accept`).set(as('poolInsurerAdmin'))).status).to.equal(404);
    expect((await t.http.post(`/v1/pool-invitations/${htic.id}/decline`).set(as('poolInsurerAdmin'))).status).to.equal(404);
    expect((await t.http.post(`/v1/pool-invitations/${htic.id}/accept`).set(as('underwriter'))).status).to.equal(403);
    expect((await t.http.post('/v1/pool-invitations/0123456789abcdef01234567/accept').set(as('otherInsurerAdmin'))).status).to.equal(404);
    expect((await invitationOf('insurerAdmin', CODE, 'HTIC', '30')).status).to.equal('pending');
  });

  it('keeps refusing after one member accepted and the other declined; publishes once the declined member, invited again, accepts', async () => {
    const htic = await invitationOf('otherInsurerAdmin', CODE, 'HTIC', '30');
    const accepted = await t.http.post(`/v1/pool-invitations/${htic.id}/accept`).set(as('otherInsurerAdmin'));
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    expect(accepted.body).to.include({ status: 'accepted', decidedBy: '赵产品' });
    const zxic = await invitationOf('poolInsurerAdmin', CODE, 'ZXIC', '30');
    expect((await t.http.post(`/v1/pool-invitations/${zxic.id}/decline`).set(as('poolInsurerAdmin'))).body.status).to.equal('declined');
    const refused = await publish(CODE, definition.version);
    expect(refused.status).to.equal(409);
    expect(refused.body.error.details).to.deep.equal([{ path: 'definition/coInsurance/members/2/insurer', message: 'ZXIC has not accepted its 30% follower share (declined) (pool-consent)' }]);
    // A decision is final for its round: accepting a declined invitation is a conflict.
    expect((await t.http.post(`/v1/pool-invitations/${zxic.id}/accept`).set(as('poolInsurerAdmin'))).status).to.equal(409);
    const again = await t.http.post('/v1/pool-invitations').set(as('insurerAdmin')).send({ productCode: CODE, version: definition.version });
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect(again.body.items.find((i: Invitation) => i.id === zxic.id).status).to.equal('pending');
    expect((await t.http.post(`/v1/pool-invitations/${zxic.id}/accept`).set(as('poolInsurerAdmin'))).status).to.equal(200);
    const published = await publish(CODE, definition.version);
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    expect((await quote(CODE)).status).to.equal(201);
    const actions = (await AuditEntryModel.find({ entityType: 'poolInvitation', entityId: zxic.id }).sort({ at: 1 }).lean()).map((e) => e.action);
    expect(actions).to.deep.equal(['poolInvitation.create', 'poolInvitation.decline', 'poolInvitation.reinvite', 'poolInvitation.accept']);
  });

  it('asks for a new acceptance when a later version changes a member\'s share, and none when the terms stay', async () => {
    const same = await t.http.post(`/v1/products/${CODE}/versions`).set(as('insurerAdmin')).send({ definition: draft(CODE, '2097.1', pool('30', '30'), { effectiveFrom: '2097-01-01' }) });
    expect(same.status, JSON.stringify(same.body)).to.equal(201);
    const scheduled = await publish(CODE, '2097.1');
    expect(scheduled.status, JSON.stringify(scheduled.body)).to.equal(200);
    const changed = await t.http.post(`/v1/products/${CODE}/versions`).set(as('insurerAdmin')).send({ definition: draft(CODE, '2098.1', pool('35', '30'), { effectiveFrom: '2098-01-01' }) });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(201);
    const res = await publish(CODE, '2098.1');
    expect(res.status).to.equal(409);
    expect(res.body.error.details).to.deep.equal([{ path: 'definition/coInsurance/members/1/insurer', message: 'HTIC has not accepted its 35% follower share (pool-consent)' }]);
    expect((await invitations('otherInsurerAdmin', CODE)).map((i) => [i.sharePercent, i.status]).sort()).to.deep.equal([['30', 'accepted'], ['35', 'pending']]);
  });

  it('lets a member leave: the published version still quotes, the next version naming it is refused (scheduled too)', async () => {
    const zxic = await invitationOf('poolInsurerAdmin', CODE, 'ZXIC', '30');
    const left = await t.http.post(`/v1/pool-invitations/${zxic.id}/leave`).set(as('poolInsurerAdmin'));
    expect(left.status, JSON.stringify(left.body)).to.equal(200);
    expect(left.body.status).to.equal('left');
    expect((await t.http.post(`/v1/pool-invitations/${zxic.id}/leave`).set(as('poolInsurerAdmin'))).status).to.equal(409);
    expect((await quote(CODE)).status).to.equal(201);
    const next = await t.http.post(`/v1/products/${CODE}/versions`).set(as('insurerAdmin')).send({ definition: draft(CODE, '2099.1', pool('30', '30'), { effectiveFrom: '2099-01-01' }) });
    expect(next.status, JSON.stringify(next.body)).to.equal(201);
    const res = await publish(CODE, '2099.1');
    expect(res.status).to.equal(409);
    expect(res.body.error.details).to.deep.equal([{ path: 'definition/coInsurance/members/2/insurer', message: 'ZXIC has not accepted its 30% follower share (left the pool; invite it again) (pool-consent)' }]);
    expect((await t.http.get(`/v1/products/${CODE}/versions/2099.1`).set(as('insurerAdmin'))).body.status).to.equal('draft');
  });

  it('accepts exactly once under 10 concurrent accepts: one 200, nine 409, one audit entry', async () => {
    const code = 'CONSENT-RACE';
    expect((await t.http.post('/v1/products').set(as('insurerAdmin')).send({ definition: draft(code, definition.version, pool('30', '30')) })).status).to.equal(201);
    const htic = await invitationOf('otherInsurerAdmin', code, 'HTIC', '30');
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.http.post(`/v1/pool-invitations/${htic.id}/accept`).set(as('otherInsurerAdmin'))));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).to.deep.equal([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.error.details[0].message).to.match(/not accepted \(pool-invitation-state\)$/);
    expect(await AuditEntryModel.countDocuments({ entityType: 'poolInvitation', entityId: htic.id, action: 'poolInvitation.accept' })).to.equal(1);
    expect((await invitationOf('otherInsurerAdmin', code, 'HTIC', '30')).status).to.equal('accepted');
  });

  it('finishes a transition whose second write never landed (a crash between the event and the update)', async () => {
    const code = 'CONSENT-REPAIR';
    const smallPool = { members: [{ insurer: 'KCIC', role: 'lead', sharePercent: '60' }, { insurer: 'ZXIC', role: 'follower', sharePercent: '40' }] };
    expect((await t.http.post('/v1/products').set(as('insurerAdmin')).send({ definition: draft(code, definition.version, smallPool) })).status).to.equal(201);
    const zxic = await invitationOf('poolInsurerAdmin', code, 'ZXIC', '40');
    // The event of an accept is stored, the invitation not yet updated.
    await mongoose.connection.collection<Record<string, unknown> & { _id: string }>('poolInvitationEvents').insertOne({ _id: `${zxic.id}:1`, invitationId: zxic.id, to: 'accepted', set: { status: 'accepted', seq: 1, decidedAt: new Date(), decidedBy: '孙共保' }, at: new Date() });
    const again = await t.http.post(`/v1/pool-invitations/${zxic.id}/accept`).set(as('poolInsurerAdmin'));
    expect(again.status).to.equal(409);
    expect(again.body.error.details[0].message).to.match(/not accepted \(pool-invitation-state\)$/);
    expect((await invitationOf('poolInsurerAdmin', code, 'ZXIC', '40')).status).to.equal('accepted');
    expect((await publish(code, definition.version)).status).to.equal(200);
  });

  it('creates one invitation per terms under concurrent drafts and publishes of the same pool', async () => {
    const code = 'CONSENT-CONCURRENT';
    expect((await t.http.post('/v1/products').set(as('insurerAdmin')).send({ definition: draft(code, definition.version, { members: [{ insurer: 'KCIC', role: 'lead', sharePercent: '60' }, { insurer: 'ZXIC', role: 'follower', sharePercent: '40' }] }) })).status).to.equal(201);
    await mongoose.connection.collection('poolInvitations').deleteMany({ productCode: code }); // as if proposed by nobody yet
    const answers = await Promise.all(Array.from({ length: 6 }, () => publish(code, definition.version)));
    expect(answers.map((a) => a.status)).to.deep.equal([409, 409, 409, 409, 409, 409]);
    expect(await invitations('poolInsurerAdmin', code)).to.have.length(1);
  });
});
