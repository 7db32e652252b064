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
import { loadVisiblePolicy } from '../../src/policies/policy-service.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, inTestService, useTestApp } from '../support/test-app.ts';

const caller = (role: Caller['role']): Caller => ({ keyId: 'k', userName: 'u', role, organisationId: 'o', organisationKind: 'enterprise', organisationCode: 'C' });

const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const platformCaller: Caller = { keyId: 'k', userName: 'u', role: 'platform-admin', organisationId: 'o', organisationKind: 'platform', organisationCode: 'PLATFORM' };

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

  it('offers the enterprise and its broker the submission and a withdrawal before a decision, and the department the decision (#27)', () => {
    const offered = (role: Caller['role'], status: 'prepared' | 'submitted' | 'granted' | 'refused' | 'withdrawn') => ({ ...applicationActions(caller(role), { status }) });
    expect(offered('enterprise', 'prepared')).to.deep.equal({ submit: true, withdraw: false, decide: false });
    expect(offered('broker', 'submitted')).to.deep.equal({ submit: false, withdraw: true, decide: false });
    expect(offered('authority-officer', 'submitted')).to.deep.equal({ submit: false, withdraw: false, decide: true });
    expect(offered('authority-officer', 'prepared')).to.deep.equal({ submit: false, withdraw: false, decide: false });
    expect(offered('authority-officer', 'withdrawn')).to.deep.equal({ submit: false, withdraw: false, decide: false });
    expect(offered('enterprise', 'granted')).to.deep.equal({ submit: false, withdraw: false, decide: false });
    expect(offered('broker', 'refused')).to.deep.equal({ submit: false, withdraw: false, decide: false });
    expect(offered('platform-admin', 'prepared')).to.deep.equal({ submit: false, withdraw: false, decide: false });
    expect(offered('underwriter', 'submitted')).to.deep.equal({ submit: false, withdraw: false, decide: false });
  });

  describe('the ledger as a reaction', () => {
    const t = useTestApp();
    before(publishShippedProducts);

    it('records an issued policy\'s subsidies when the bind announces it (the reaction src/service.ts registers), once', async () => {
      const broker = bearer(t.keys.broker);
      const enterpriseId = t.organisations.HZZZ!;
      const year = today().slice(0, 4);
      const before = await t.services.subsidies.recorded(enterpriseId, year);
      const quote = await t.http.post('/v1/quotes').set(broker).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId, inputs: structuredClone(baseVector!.inputs), startDate: today() });
      expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
      const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(broker);
      expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
      const layers = (bound.body.result.subsidies.layers as { programme: string; amountFen: number }[]).filter((l) => l.amountFen > 0);
      expect(layers.length, 'the shipped vector earns a subsidy').to.be.above(0);
      const expected = (programme: string) => (before.find((r) => r.programme === programme)?.amountFen ?? 0) + layers.filter((l) => l.programme === programme).reduce((sum, l) => sum + l.amountFen, 0);
      const after = await t.services.subsidies.recorded(enterpriseId, year);
      for (const { programme } of layers) expect(after.find((r) => r.programme === programme)?.amountFen, programme).to.equal(expected(programme));
      // Announced again (a retried reaction): the ledger keeps one entry per policy.
      const record: PolicyRecord = await inTestService(() => loadVisiblePolicy(platformCaller, bound.body.id as string));
      await t.services.events.policyIssued(record);
      expect(await t.services.subsidies.recorded(enterpriseId, year)).to.deep.equal(after);
    });
  });
});
