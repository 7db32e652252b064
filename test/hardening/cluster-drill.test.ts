import { expect } from 'chai';
import { runClusterDrill, type DrillResult } from '../../scripts/cluster-drill.ts';

// The cluster drill (npm run drill:cluster) shortened: two real instances behind a real HAProxy
// on one embedded FerretDB. Needs haproxy (`node scripts/setup.mjs --for test` installs it).
describe('Hardening: two instances behind HAProxy on one database', function () {
  this.timeout(240_000);
  let result: DrillResult;

  before(async () => {
    result = await runClusterDrill({ binds: 20, rateLimit: 40, rateExtra: 20, killQuotes: 30, killAfter: 10, concurrency: 4, log: () => {} });
  });

  it('binds a quote exactly once under 20 concurrent binds spread over both instances', () => {
    expect(result.policies).to.equal(1);
    expect(result.bindStatuses).to.deep.equal({ 201: 1, 409: 19 });
  });

  it('shows a product published through A in B\'s catalogue within a second', () => {
    expect(result.publishSeenMs).to.be.within(0, 1000);
  });

  it('counts one API key against one limit across both instances', () => {
    expect(result.rateUsed, JSON.stringify(result.rateStatuses)).to.be.at.most(result.rateLimit);
    expect(result.rateStatuses['429'] ?? 0).to.be.at.least(20);
  });

  it('loses no acknowledged quote when an instance is killed under load, and /metrics agrees with what was sent', () => {
    expect(result.problems).to.deep.equal([]);
    expect(result.acknowledged).to.equal(30);
    expect(result.acknowledgedAfterKill).to.be.above(0);
    expect(result.lost).to.equal(0);
    expect(result.metricsProblems).to.deep.equal([]);
    expect(result.line).to.match(/^cluster: 2 instances behind haproxy; 20 concurrent binds -> 1 policy; publish seen by B in \d+ ms; rate limit shared \d+\/40; instance killed under load -> 0 lost$/);
  });
});
