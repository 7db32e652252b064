// The renewal readings of ../shared/domain/policy-life.md: support years along a chain of
// continuous policies, premium earned pro rata by day, the loss ratio to two decimals half-up,
// and a claim split among pool members to the fen.
import { expect } from 'chai';
import { centrallySupported, chainExperience, continuousTail, earnedPremiumFen, isContinuous, lossRatioPercent, splitClaim, supportYearOf } from '../../src/rating/renewal.ts';

const year = (start: string, end: string, grossPremiumFen = 3_600_000, claimsPaidFen = 0) => ({ startDate: start, endDate: end, grossPremiumFen, claimsPaidFen });

describe('Renewal: the support year of a chain', () => {
  const y1 = year('2025-01-01', '2025-12-31');
  const y2 = year('2026-01-01', '2026-12-31');
  const y3 = year('2027-01-01', '2027-12-31');

  it('counts continuous policies 1 → 2 → 3 → 4, and no central support from year 4', () => {
    expect(supportYearOf([], '2025-01-01')).to.equal(1);
    expect(supportYearOf([y1], '2026-01-01')).to.equal(2);
    expect(supportYearOf([y1, y2], '2027-01-01')).to.equal(3);
    expect(supportYearOf([y1, y2, y3], '2028-01-01')).to.equal(4);
    expect([1, 2, 3, 4].map(centrallySupported)).to.deep.equal([true, true, true, false]);
  });

  it('starts again at 1 after a gap of one day, and counts from the last gap', () => {
    expect(supportYearOf([y1], '2026-01-02')).to.equal(1);
    const afterGap = year('2026-01-02', '2027-01-01');
    expect(supportYearOf([y1, afterGap], '2027-01-02')).to.equal(2);
    expect(isContinuous(y1, { startDate: '2026-01-02' })).to.equal(false);
    expect(continuousTail([y1, afterGap])).to.deep.equal([afterGap]);
  });

  it('reads continuity across a month end and a leap day', () => {
    expect(isContinuous({ endDate: '2028-02-28' }, { startDate: '2028-02-29' })).to.equal(true);
    expect(isContinuous({ endDate: '2028-02-28' }, { startDate: '2028-03-01' })).to.equal(false);
  });
});

describe('Renewal: premium earned and the loss ratio', () => {
  it('earns pro rata by day of the elapsed part (the cancellation reading: 129 of 365 days)', () => {
    const p = year('2025-01-01', '2025-12-31');
    // 3,600,000 × 129 / 365 = 1,272,328.77 → 1,272,329 (policy-life.md)
    expect(earnedPremiumFen(p, '2025-05-10')).to.equal(1_272_329);
    expect(earnedPremiumFen(p, '2025-01-01')).to.equal(0);
    expect(earnedPremiumFen(p, '2024-06-01')).to.equal(0);
    expect(earnedPremiumFen(p, '2026-03-01')).to.equal(3_600_000);
  });

  it('gives the ratio in percent with two decimals, half-up', () => {
    expect(lossRatioPercent(1_000_000, 3_600_000)).to.equal('27.78'); // 27.777…
    expect(lossRatioPercent(1, 8)).to.equal('12.50');
    expect(lossRatioPercent(1, 800)).to.equal('0.13'); // 0.125 → 0.13
    expect(lossRatioPercent(0, 5)).to.equal('0.00');
    expect(lossRatioPercent(9_000_000, 3_000_000)).to.equal('300.00');
    expect(lossRatioPercent(5, 0)).to.equal(undefined);
  });

  it('sums claims and earned premium over the continuous chain only', () => {
    const before = year('2024-01-01', '2024-12-30', 1_000_000, 900_000); // a gap on 2024-12-31
    const y1 = year('2025-01-01', '2025-12-31', 3_600_000, 500_000);
    const y2 = year('2026-01-01', '2026-12-31', 3_650_000, 250_000);
    const seen = chainExperience([before, y1, y2], '2026-06-01');
    // earned: 3,600,000 whole + 3,650,000 × 151 / 365 = 1,510,000; claims 750,000
    expect(seen).to.deep.equal({ claimsPaidFen: 750_000, earnedPremiumFen: 5_110_000, lossRatioPercent: '14.68', policies: 2 });
  });
});

describe('Claims paid: each pool member\'s part', () => {
  it('splits to the fen, shares rounded down, the lead taking the remainder', () => {
    const shares = [
      { insurer: 'KCIC', role: 'lead' as const, sharePercent: '40' },
      { insurer: 'HTIC', role: 'follower' as const, sharePercent: '35' },
      { insurer: 'ZXIC', role: 'follower' as const, sharePercent: '25' },
    ];
    const parts = splitClaim(shares, 1_000_003);
    expect(parts.map((p) => p.paidFen)).to.deep.equal([400_002, 350_001, 250_000]);
    expect(parts.reduce((s, p) => s + p.paidFen, 0)).to.equal(1_000_003);
    expect(splitClaim([{ insurer: 'A', role: 'lead', sharePercent: '33.33' }, { insurer: 'B', role: 'follower', sharePercent: '66.67' }], 100).map((p) => p.paidFen)).to.deep.equal([34, 66]);
  });
});
