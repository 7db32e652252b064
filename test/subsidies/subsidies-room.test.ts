// Subsidies in one room (#24): the programmes and the ledger belong to src/subsidies; the catalogue
// and quotes reach them through the ports they declare, provided per composed service by
// src/service.ts; the ledger records an issued policy in reaction to its announcement; and what a
// caller may record next on an application is ruled once (subsidy-actions.ts) for service and page.
import { expect } from 'chai';
import { pino } from 'pino';
import type { Caller } from '../../src/auth/caller.ts';
import { subsidyProgrammes } from '../../src/catalogue/subsidy-programmes.ts';
import { loadConfig } from '../../src/config.ts';
import { createServiceScope } from '../../src/db/service-scope.ts';
import type { PolicyRecord } from '../../src/policies/policy-schemas.ts';
import { subsidySource } from '../../src/quotes/subsidy-source.ts';
import { createServices } from '../../src/service.ts';
import { applicationActions } from '../../src/subsidies/subsidy-actions.ts';
import { useTestApp } from '../support/test-app.ts';

const caller = (role: Caller['role']): Caller => ({ keyId: 'k', userName: 'u', role, organisationId: 'o', organisationKind: 'enterprise', organisationCode: 'C' });

describe('subsidies: one room behind ports', () => {
  it('each composed service provides its own subsidies to the catalogue\'s and the quotes\' ports', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const a = createServices(config, pino({ level: 'silent' }));
    const b = createServices(config, pino({ level: 'silent' }));
    try {
      expect(a.scope.run(() => subsidySource().recorded)).to.equal(a.subsidies.recorded);
      expect(a.scope.run(() => subsidyProgrammes().programmesFor)).to.equal(a.subsidies.programmesFor);
      expect(b.scope.run(() => subsidySource().recorded)).to.equal(b.subsidies.recorded);
      expect(a.subsidies.recorded).not.to.equal(b.subsidies.recorded);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a scope nothing was composed in has no port, and says which', () => {
    const bare = createServiceScope();
    expect(() => bare.run(() => subsidySource())).to.throw(/No SubsidySource .* was provided/);
    expect(() => bare.run(() => subsidyProgrammes())).to.throw(/No SubsidyProgrammes .* was provided/);
  });

  it('offers recording a submission while prepared and an outcome once submitted, to the enterprise and its broker only', () => {
    const offered = (role: Caller['role'], status: 'prepared' | 'submitted' | 'granted' | 'refused') => ({ ...applicationActions(caller(role), { status }) });
    expect(offered('enterprise', 'prepared')).to.deep.equal({ submit: true, decide: false });
    expect(offered('broker', 'submitted')).to.deep.equal({ submit: false, decide: true });
    expect(offered('enterprise', 'granted')).to.deep.equal({ submit: false, decide: false });
    expect(offered('broker', 'refused')).to.deep.equal({ submit: false, decide: false });
    expect(offered('platform-admin', 'prepared')).to.deep.equal({ submit: false, decide: false });
    expect(offered('underwriter', 'submitted')).to.deep.equal({ submit: false, decide: false });
  });

  describe('the ledger as a reaction', () => {
    const t = useTestApp();

    it('records an issued policy\'s subsidies when the policy is announced (the reaction src/service.ts registers)', async () => {
      const enterpriseId = t.organisations.JNXC!;
      const policy = {
        id: 'room-test-policy', enterpriseOrganisationId: enterpriseId, startDate: '2033-02-01',
        result: { subsidies: { layers: [{ programme: 'CN-FIRST-SET', amountFen: 321_00 }, { programme: 'ZJ-FIRST-SET', amountFen: 0 }] } },
      } as unknown as PolicyRecord;
      expect(await t.services.subsidies.recorded(enterpriseId, '2033')).to.deep.equal([]);
      await t.services.events.policyIssued(policy);
      expect(await t.services.subsidies.recorded(enterpriseId, '2033')).to.deep.equal([{ programme: 'CN-FIRST-SET', amountFen: 321_00 }]);
      await t.services.events.policyIssued(policy); // announced again (a retry): recorded once
      expect(await t.services.subsidies.recorded(enterpriseId, '2033')).to.deep.equal([{ programme: 'CN-FIRST-SET', amountFen: 321_00 }]);
    });
  });
});
