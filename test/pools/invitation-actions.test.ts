// What a caller may do next with a pool invitation (src/pools/invitation-actions.ts): one rule for
// the API's refusals and the invitations page's buttons.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Caller, Role } from '../../src/auth/caller.ts';
import { invitationActions, invitationRefusal, type InvitationActionFacts, type InvitationStatus } from '../../src/pools/invitation-actions.ts';
import type { PoolInvitationView } from '../../src/pools/pool-consent.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const caller = (role: Role): Caller => ({ keyId: 'k', userName: 'u', role, organisationId: 'insurer-1', organisationKind: 'insurer', organisationCode: 'X' } as Caller);
const invitation = (status: InvitationStatus, direction?: 'received' | 'sent'): InvitationActionFacts => ({ status, ...(direction ? { direction } : {}) });

describe('pools/invitation-actions', () => {
  const admin = caller('insurer-admin');

  it('lets the invited insurer\'s admin decide a pending invitation and leave an accepted share, and nobody else', () => {
    expect(invitationActions(admin, invitation('pending', 'received'))).to.deep.equal({ decide: true, leave: false });
    expect(invitationActions(admin, invitation('accepted', 'received'))).to.deep.equal({ decide: false, leave: true });
    for (const status of ['declined', 'left'] as const) expect(invitationActions(admin, invitation(status, 'received')), status).to.deep.equal({ decide: false, leave: false });
    // The inviter (sent), a platform admin (no direction) and other staff of the member never act on it.
    for (const status of ['pending', 'accepted'] as const) {
      expect(invitationActions(admin, invitation(status, 'sent')), `sent ${status}`).to.deep.equal({ decide: false, leave: false });
      expect(invitationActions(caller('platform-admin'), invitation(status)), `platform ${status}`).to.deep.equal({ decide: false, leave: false });
      for (const role of ['underwriter', 'broker', 'enterprise'] as const) {
        expect(invitationActions(caller(role), invitation(status, 'received')), `${role} ${status}`).to.deep.equal({ decide: false, leave: false });
      }
    }
  });

  it('says why an action is refused in the words of the API\'s 409, on the id', () => {
    expect(invitationRefusal({ status: 'pending' }, 'accept')).to.equal(undefined);
    expect(invitationRefusal({ status: 'accepted' }, 'leave')).to.equal(undefined);
    expect(invitationRefusal({ status: 'declined' }, 'accept')?.message).to.equal('This invitation is already declined; only a pending invitation can be accepted.');
    expect(invitationRefusal({ status: 'accepted' }, 'decline')?.details).to.deep.equal([{ path: 'id', message: 'must be a pending invitation, not accepted (pool-invitation-state)' }]);
    expect(invitationRefusal({ status: 'pending' }, 'leave')?.message).to.equal('Only an accepted share can be left; this invitation is pending.');
  });
});

describe('pools/invitation-actions: the API refuses by the rule the page shows its buttons by', function () {
  this.timeout(120_000);
  const t = useTestApp();
  const CODE = 'ACTIONS-POOL';

  before(async () => {
    const definition = { ...JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as Record<string, unknown>, code: CODE };
    const res = await t.http.post('/v1/products').set(bearer(t.keys.insurerAdmin)).send({ definition });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });

  /** Each of the product's invitations the key's insurer sees, with what the pools service says it may do. */
  async function withActions(key: string): Promise<{ invitation: PoolInvitationView; actions: { decide: boolean; leave: boolean } }[]> {
    const res = await t.http.get(`/v1/pool-invitations?productCode=${CODE}`).set(bearer(key));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const who = await t.services.auth.resolveApiKey(key);
    return (res.body.items as PoolInvitationView[]).map((invitation) => ({ invitation, actions: { ...t.services.pools.invitationActions(who, invitation) } }));
  }
  /** Tries every action on the invitation: which succeed (and so change it) is what the rule said. */
  async function tryEach(key: string, id: string, actions: { decide: boolean; leave: boolean }): Promise<void> {
    const post = (verb: string) => t.http.post(`/v1/pool-invitations/${id}/${verb}`).set(bearer(key));
    const leave = await post('leave');
    expect(leave.status === 200, `leave ${leave.status} ${JSON.stringify(leave.body)}`).to.equal(actions.leave);
    if (actions.leave) return;
    const accept = await post('accept');
    expect(accept.status === 200, `accept ${accept.status} ${JSON.stringify(accept.body)}`).to.equal(actions.decide);
  }

  it('lets a member do exactly what its buttons offer, through a share\'s life (pending, accepted, left)', async () => {
    for (let round = 0; round < 3; round++) {
      const [own] = (await withActions(t.keys.otherInsurerAdmin)).filter((i) => i.invitation.direction === 'received');
      expect(own, `round ${round}`).to.not.equal(undefined);
      expect(own!.actions, `round ${round}: ${own!.invitation.status}`).to.deep.equal([{ decide: true, leave: false }, { decide: false, leave: true }, { decide: false, leave: false }][round]);
      await tryEach(t.keys.otherInsurerAdmin, own!.invitation.id, own!.actions);
    }
  });

  it('offers the inviter nothing on what it sent, and the API refuses it (404)', async () => {
    const sent = await withActions(t.keys.insurerAdmin);
    expect(sent.length).to.be.greaterThan(0);
    for (const { invitation, actions } of sent) {
      expect(invitation.direction).to.equal('sent');
      expect(actions).to.deep.equal({ decide: false, leave: false });
      const res = await t.http.post(`/v1/pool-invitations/${invitation.id}/accept`).set(bearer(t.keys.insurerAdmin));
      expect(res.status).to.equal(404);
    }
  });

  it('answers a refused action with the rule\'s own words', async () => {
    const [own] = (await withActions(t.keys.otherInsurerAdmin)).filter((i) => i.invitation.direction === 'received');
    const res = await t.http.post(`/v1/pool-invitations/${own!.invitation.id}/decline`).set(bearer(t.keys.otherInsurerAdmin));
    expect(res.status).to.equal(409);
    const refusal = invitationRefusal(own!.invitation, 'decline')!;
    expect(res.body.error).to.deep.include({ message: refusal.message, details: refusal.details });
  });
});
