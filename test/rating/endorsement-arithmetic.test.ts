import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { compileProduct, ProductCompileError } from '../../src/rating/index.ts';
import { daysRemaining, endorsementDifference, memberParts, premiumParts } from '../../src/rating/endorsement.ts';

const YEAR_2025 = { start: '2025-01-01', end: '2025-12-31' };

describe('Endorsement arithmetic (src/rating/endorsement.ts)', () => {
  it('charges the worked reading of policy-life.md to the fen: 3,600,000 → 4,200,000 from 2025-07-01 is 302,466 (net 285,345, VAT 17,121)', () => {
    const a = endorsementDifference({ period: YEAR_2025, effectiveDate: '2025-07-01', annualGrossBeforeFen: 3_600_000, annualGrossAfterFen: 4_200_000, vatRatePercent: '6' });
    expect(a).to.deep.equal({ daysLeft: 184, periodDays: 365, difference: { grossPremiumFen: 302_466, netPremiumFen: 285_345, vatFen: 17_121 } });
  });

  it('refunds a decrease rounded as a charge is, negative', () => {
    const a = endorsementDifference({ period: YEAR_2025, effectiveDate: '2025-07-01', annualGrossBeforeFen: 4_200_000, annualGrossAfterFen: 3_600_000, vatRatePercent: '6' });
    expect(a!.difference).to.deep.equal({ grossPremiumFen: -302_466, netPremiumFen: -285_345, vatFen: -17_121 });
  });

  it('has no difference when the premium does not change, and none outside the period', () => {
    const a = endorsementDifference({ period: YEAR_2025, effectiveDate: '2025-03-01', annualGrossBeforeFen: 3_600_000, annualGrossAfterFen: 3_600_000, vatRatePercent: '6' });
    expect(a!.difference).to.deep.equal({ grossPremiumFen: 0, netPremiumFen: 0, vatFen: 0 });
    expect(Object.is(a!.difference.grossPremiumFen, 0)).to.equal(true);
    expect(daysRemaining(YEAR_2025, '2024-12-31')).to.equal(undefined);
    expect(daysRemaining(YEAR_2025, '2026-01-01')).to.equal(undefined);
    expect(daysRemaining(YEAR_2025, '2025-12-31')).to.deep.equal({ daysLeft: 1, periodDays: 365 });
    expect(daysRemaining(YEAR_2025, '2025-01-01')).to.deep.equal({ daysLeft: 365, periodDays: 365 });
  });

  it('rounds half-up at the half fen', () => {
    // 73 × 5 / 2 = 182.5 → 183; the day count is the only divisor.
    const a = endorsementDifference({ period: { start: '2025-01-01', end: '2025-01-02' }, effectiveDate: '2025-01-02', annualGrossBeforeFen: 0, annualGrossAfterFen: 365, vatRatePercent: '6' });
    expect(a!.difference.grossPremiumFen).to.equal(183);
  });

  it('splits a pool difference to the fen: members round down, the lead takes the remainder, the parts add up', () => {
    const shares = [{ insurer: 'KCIC', role: 'lead' as const, sharePercent: '40' }, { insurer: 'HTIC', role: 'follower' as const, sharePercent: '30' }, { insurer: 'ZXIC', role: 'follower' as const, sharePercent: '30' }];
    const parts = premiumParts(302_466, '6');
    const members = memberParts(shares, parts);
    // 302,466 × 30% = 90,739.8 → 90,739; net 285,345 × 30% = 85,603.5 → 85,603; the lead: the rest.
    expect(members).to.deep.equal([
      { insurer: 'KCIC', role: 'lead', sharePercent: '40', grossPremiumFen: 302_466 - 2 * 90_739, netPremiumFen: 285_345 - 2 * 85_603, vatFen: (302_466 - 2 * 90_739) - (285_345 - 2 * 85_603) },
      { insurer: 'HTIC', role: 'follower', sharePercent: '30', grossPremiumFen: 90_739, netPremiumFen: 85_603, vatFen: 90_739 - 85_603 },
      { insurer: 'ZXIC', role: 'follower', sharePercent: '30', grossPremiumFen: 90_739, netPremiumFen: 85_603, vatFen: 90_739 - 85_603 },
    ]);
    const refund = memberParts(shares, premiumParts(-302_466, '6'));
    expect(refund.map((m) => m.grossPremiumFen)).to.deep.equal(members.map((m) => -m.grossPremiumFen));
    expect(refund.reduce((s, m) => s + m.vatFen, 0)).to.equal(-17_121);
  });

  it('refuses to compile a product whose endorsableInputs names no field of its form', () => {
    const definition = JSON.parse(readFileSync('products/rd-equipment-property.json', 'utf8')) as Record<string, unknown>;
    expect(() => compileProduct(definition)).to.not.throw();
    const wrong = { ...definition, endorsableInputs: ['replacementValue', 'noSuchField'] };
    expect(() => compileProduct(wrong)).to.throw(ProductCompileError).with.property('details').that.deep.includes({ path: '/endorsableInputs/1', message: 'names noSuchField, which is not a field of the form (endorsableInputs)' });
  });
});
