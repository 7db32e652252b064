// The cancellation arithmetic (src/rating/cancellation.ts) with the worked readings of
// ../shared/domain/policy-life.md ("Cancellation"), to the fen.
import { expect } from 'chai';
import { cancellationFigures, keptPremium, monthsElapsed, scalePercent, STANDARD_SHORT_PERIOD_SCALE } from '../../src/rating/cancellation.ts';

const period = { start: '2025-01-01', end: '2025-12-31' };

describe('cancellation arithmetic (退保)', () => {
  it('counts months elapsed with a started month whole', () => {
    expect(monthsElapsed('2025-01-01', '2025-05-10')).to.equal(5);
    expect(monthsElapsed('2025-01-01', '2025-05-01')).to.equal(4);
    expect(monthsElapsed('2025-01-01', '2025-01-02')).to.equal(1);
    expect(monthsElapsed('2025-01-31', '2025-02-28')).to.equal(1);
    expect(scalePercent(STANDARD_SHORT_PERIOD_SCALE, 9)).to.equal('85');
    expect(scalePercent(STANDARD_SHORT_PERIOD_SCALE, 13)).to.equal('100');
  });

  it('by the policyholder: 5 months on the standard scale keep 50%, refund 1,800,000', () => {
    const f = cancellationFigures({ premiumDueFen: 3_600_000, receivedFen: 3_600_000, period, effectiveDate: '2025-05-10', initiatedBy: 'policyholder', vatRatePercent: '6' })!;
    expect(f.kept).to.deep.equal({ basis: 'short-period', keptFen: 1_800_000, percent: '50', daysElapsed: 129, periodDays: 365, monthsElapsed: 5 });
    expect(f.refund).to.deep.equal({ grossPremiumFen: 1_800_000, netPremiumFen: 1_698_113, vatFen: 101_887 });
    expect(f.delta.grossPremiumFen).to.equal(-1_800_000);
  });

  it('by the insurer: by day, 129/365 kept = 1,272,329, refund 2,327,671', () => {
    const f = cancellationFigures({ premiumDueFen: 3_600_000, receivedFen: 3_600_000, period, effectiveDate: '2025-05-10', initiatedBy: 'insurer', vatRatePercent: '6' })!;
    expect(f.kept.keptFen).to.equal(1_272_329);
    expect(f.kept.basis).to.equal('pro-rata-by-day');
    expect(f.refund.grossPremiumFen).to.equal(2_327_671);
    expect(f.refund.netPremiumFen).to.equal(2_195_916); // 2,327,671 ÷ 1.06 = 2,195,916.04 → 2,195,916
  });

  it('before cover starts: the fee percent of the premium; none declared: 0', () => {
    const rules = { beforeStartFeePercent: '5' };
    expect(keptPremium({ premiumFen: 3_600_000, period, effectiveDate: '2025-01-01', initiatedBy: 'policyholder', rules })!.keptFen).to.equal(180_000);
    expect(keptPremium({ premiumFen: 3_600_001, period, effectiveDate: '2024-12-20', initiatedBy: 'policyholder', rules })!.keptFen).to.equal(180_000); // 180,000.05 → 180,000
    expect(keptPremium({ premiumFen: 3_600_000, period, effectiveDate: '2025-01-01', initiatedBy: 'policyholder' })!.keptFen).to.equal(0);
    expect(keptPremium({ premiumFen: 3_600_000, period, effectiveDate: '2026-01-01', initiatedBy: 'policyholder' })).to.equal(undefined);
  });

  it('a product\'s own scale; the refund never exceeds what was received; pool parts add up', () => {
    const rules = { beforeStartFeePercent: '0', shortPeriodScale: [{ months: 1, percent: '20' }, { months: 6, percent: '70' }, { months: 12, percent: '100' }] };
    expect(keptPremium({ premiumFen: 1_000_000, period, effectiveDate: '2025-05-10', initiatedBy: 'policyholder', rules })!.keptFen).to.equal(700_000);
    const partial = cancellationFigures({ premiumDueFen: 3_600_000, receivedFen: 1_000_000, period, effectiveDate: '2025-05-10', initiatedBy: 'policyholder', vatRatePercent: '6' })!;
    expect(partial.refund.grossPremiumFen).to.equal(0);
    const pooled = cancellationFigures({
      premiumDueFen: 3_600_000, receivedFen: 3_600_000, period, effectiveDate: '2025-05-10', initiatedBy: 'insurer', vatRatePercent: '6',
      poolShares: [{ insurer: 'A', role: 'lead', sharePercent: '40' }, { insurer: 'B', role: 'follower', sharePercent: '30' }, { insurer: 'C', role: 'follower', sharePercent: '30' }],
    })!;
    expect(pooled.members!.map((m) => m.grossPremiumFen)).to.deep.equal([931_069, 698_301, 698_301]);
    expect(pooled.members!.reduce((s, m) => s + m.grossPremiumFen, 0)).to.equal(2_327_671);
    expect(pooled.members!.reduce((s, m) => s + m.netPremiumFen, 0)).to.equal(pooled.refund.netPremiumFen);
  });
});
