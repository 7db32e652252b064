// What a caller may do next with a quote (src/quotes/quote-actions.ts): one rule for the API's
// refusals and the pages' buttons.
import { expect } from 'chai';
import type { Caller, Role } from '../../src/auth/caller.ts';
import { bindRefusal, decisionRefusal, nextActions, quotationRefusal, type QuoteActionFacts } from '../../src/quotes/quote-actions.ts';

const NOW = new Date('2026-06-01T04:00:00Z'); // 12:00 in Beijing
const caller = (role: Role, organisationId: string): Caller => ({ keyId: 'k', userName: 'u', role, organisationId, organisationKind: role === 'broker' ? 'broker' : role === 'enterprise' ? 'enterprise' : 'insurer', organisationCode: 'X' } as Caller);
const quote = (status: string, validUntil = '2026-06-30'): QuoteActionFacts => ({ quoteNumber: 'Q1', status, validUntil, brokerOrganisationId: 'broker-1', insurerOrganisationId: 'insurer-1' });

describe('quotes/quote-actions', () => {
  const broker = caller('broker', 'broker-1');
  const underwriter = caller('underwriter', 'insurer-1');

  it('lets the quote’s own broker bind a quoted or approved, unexpired quote, and nobody else', () => {
    expect(nextActions(broker, quote('quoted'), NOW).bind).to.equal(true);
    expect(nextActions(broker, quote('approved'), NOW).bind).to.equal(true);
    for (const status of ['referred', 'declined', 'bound']) expect(nextActions(broker, quote(status), NOW).bind, status).to.equal(false);
    expect(nextActions(broker, quote('quoted', '2026-05-31'), NOW).bind).to.equal(false);
    expect(nextActions(broker, quote('quoted', '2026-06-01'), NOW).bind).to.equal(true); // valid through its last day
    expect(nextActions(caller('broker', 'broker-2'), quote('quoted'), NOW).bind).to.equal(false);
    expect(nextActions(underwriter, quote('quoted'), NOW).bind).to.equal(false);
    expect(nextActions(caller('enterprise', 'e-1'), quote('quoted'), NOW).bind).to.equal(false);
  });

  it('says why a bind is refused in the words of the API’s 409', () => {
    expect(bindRefusal(quote('quoted'), NOW)).to.equal(undefined);
    expect(bindRefusal(quote('referred'), NOW)).to.match(/referred to an underwriter/);
    expect(bindRefusal(quote('declined'), NOW)).to.match(/was declined and cannot be bound/);
    expect(bindRefusal(quote('bound'), NOW)).to.match(/already bound/);
    expect(bindRefusal(quote('approved', '2026-05-01'), NOW)).to.match(/expired on 2026-05-01/);
  });

  it('lets the lead insurer’s underwriters decide a referred quote; a pool follower or a broker never', () => {
    expect(nextActions(underwriter, quote('referred'), NOW).decide).to.equal(true);
    expect(nextActions(caller('insurer-admin', 'insurer-1'), quote('referred'), NOW).decide).to.equal(true);
    expect(nextActions(caller('underwriter', 'insurer-2'), quote('referred'), NOW).decide).to.equal(false);
    expect(nextActions(broker, quote('referred'), NOW).decide).to.equal(false);
    for (const status of ['quoted', 'approved', 'declined', 'bound']) {
      expect(nextActions(underwriter, quote(status), NOW).decide, status).to.equal(false);
      expect(decisionRefusal(quote(status)), status).to.match(/only a referred quote awaits/);
    }
  });

  it('offers the quotation for download unless the quote was declined', () => {
    for (const status of ['quoted', 'referred', 'approved', 'bound']) expect(nextActions(broker, quote(status), NOW).download, status).to.equal(true);
    expect(nextActions(broker, quote('declined'), NOW).download).to.equal(false);
    expect(quotationRefusal(quote('declined'))).to.match(/not an offer/);
  });
});
