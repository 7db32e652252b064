import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { systemActor } from '../../src/audit/audit-log.ts';
import { createCatalogue } from '../../src/catalogue/catalogue.ts';
import type { PoolMembership } from '../../src/catalogue/pool-membership.ts';
import { AppError, conflict } from '../../src/http/app-error.ts';
import { createPoolMembership } from '../../src/pools/pool-membership.ts';
import type { ProductDefinition } from '../../src/rating/index.ts';
import { useTestApp } from '../support/test-app.ts';

/** Pools' own implementation, its calls written to `calls`; `refuseConsent` makes requireConsent answer 409 instead. */
function recordingPort(calls: string[], refuseConsent: boolean): PoolMembership {
  const real = createPoolMembership();
  return {
    checkMembers: async (definition, root) => { calls.push('checkMembers'); await real.checkMembers(definition, root); },
    proposeShares: async (actor, definition, inviter, options) => { calls.push('proposeShares'); await real.proposeShares(actor, definition, inviter, options); },
    requireConsent: async (definition, root) => {
      calls.push('requireConsent');
      if (refuseConsent) throw conflict('refused by the port under test');
      await real.requireConsent(definition, root);
    },
    acceptOnMembersBehalf: async (actor, definition, inviter) => { calls.push('acceptOnMembersBehalf'); await real.acceptOnMembersBehalf(actor, definition, inviter); },
  };
}

describe('Catalogue: the PoolMembership port (drafting and publishing ask pools through it)', () => {
  const app = useTestApp();
  const definition = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as ProductDefinition;
  const { code, version } = definition;

  it('asks the port it was composed with: drafting proposes the shares; publishing checks the members, proposes and requires consent, and a refusal leaves a draft', async () => {
    const calls: string[] = [];
    const catalogue = createCatalogue({ pools: recordingPort(calls, true) });
    await catalogue.createProduct(systemActor, definition);
    expect(calls).to.deep.equal(['proposeShares']);
    calls.length = 0;
    const refused = await catalogue.publishVersionFrom(systemActor, code, version).then(() => undefined, (err: unknown) => err);
    expect(refused).to.be.instanceOf(AppError);
    expect((refused as AppError).message).to.equal('refused by the port under test');
    expect(calls).to.deep.equal(['checkMembers', 'proposeShares', 'requireConsent']);
    expect((await catalogue.getVersion(systemActor, code, version)).status).to.equal('draft');
  });

  it('publishes through pools\' own implementation once the members accept, and refuses before (409 pool-consent)', async () => {
    const pools = createPoolMembership();
    const catalogue = createCatalogue({ pools });
    const before = await catalogue.publishVersionFrom(systemActor, code, version).then(() => undefined, (err: unknown) => err as AppError);
    expect(before?.kind).to.equal('conflict');
    expect(before?.details.map((d) => d.message).join(' ')).to.contain('(pool-consent)');
    await pools.acceptOnMembersBehalf(systemActor, definition, app.organisations.KCIC!);
    expect((await catalogue.publishVersionFrom(systemActor, code, version)).status).to.equal('published');
  });
});
