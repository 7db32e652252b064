// Every shipped product compiles and reproduces its own test vectors; the worksheet explains
// band edges, item maxima, dependent sections and period factors with hand-checked figures.
import { expect } from 'chai';
import { evaluateQuote, formatFen, runTestVectors } from '../../src/rating/index.ts';
import type { RatingResult } from '../../src/rating/index.ts';
import { listProductFiles, loadDefinition, loadProduct, loadProgramme } from './fixtures.ts';

const ctx = { asOf: '2025-06-01' };
// The lines the policy documents name with a base rate only (tariffs.md §6); file name = line.
const OTHER_NAMED_LINES = ['rd-equipment-property', 'product-quality-liability', 'proof-of-concept-cost', 'startup-project-failure', 'use-first-transfer-later-bond', 'rd-interruption'];
const line = (r: RatingResult, step: string) => r.worksheet.find((l) => l.step === step);

describe('shipped products', () => {
  it('ships the eight filed products and the six other named lines (tariffs.md §6)', () => {
    expect(listProductFiles()).to.have.members([
      'first-set-equipment.json', 'first-batch-material.json', 'first-version-software.json', 'ip-patent-enforcement.json',
      'ip-infringement-liability.json', 'ip-enforcement-infringed-loss.json', 'rd-project-failure.json', 'tech-transfer-cost.json',
      ...OTHER_NAMED_LINES.map((l) => `${l}.json`),
    ]);
  });

  for (const file of listProductFiles()) {
    const name = file.replace(/\.json$/, '');
    it(`${name} compiles, has ≥5 vectors and passes them all`, () => {
      const results = runTestVectors(loadProduct(name));
      expect(results.length).to.be.at.least(5);
      for (const r of results) expect(r.passed, `${r.name}: ${r.message}`).to.equal(true);
    });
  }

  it('flags 首批次 and the six §6 lines as illustrative tariffs', () => {
    for (const name of ['first-batch-material', ...OTHER_NAMED_LINES]) expect(loadDefinition(name).illustrative, name).to.equal(true);
  });
});

describe('band bounds', () => {
  const product = () => loadProduct('first-set-equipment');
  const inputs = loadDefinition('first-set-equipment').testVectors[0]!.inputs as Record<string, unknown>;

  it('puts a value exactly on a closed upper bound in the lower band: 500万 → [0,500]', () => {
    const r = evaluateQuote(product(), { ...inputs, contractAmount: 500 }, undefined, ctx);
    expect(line(r, 'transactionAmount')?.matched?.row).to.equal('b1');
    expect(line(r, 'transactionAmount')?.value).to.equal('2.5');
    // 5,000,000 × 2.1% × 1.4 × 2.5 × 0.85 × 0.65 × 1.35 × 0.85 × 0.6 × 0.85 = 118,826.2786 元
    expect(r.grossPremiumFen).to.equal(11_882_628);
  });

  it('moves one fen above the bound into the next band: 500.01万 → (500,1000]', () => {
    const r = evaluateQuote(product(), { ...inputs, contractAmount: '500.01' }, undefined, ctx);
    expect(line(r, 'transactionAmount')?.matched?.row).to.equal('b2');
    expect(r.grossPremiumFen).to.equal(8_318_006);
  });

  it('honours closed lower bounds [500,1000) in the IP enforcement tariff', () => {
    const p = loadProduct('ip-enforcement-infringed-loss');
    const base = loadDefinition('ip-enforcement-infringed-loss').testVectors[0]!.inputs as Record<string, unknown>;
    const at = evaluateQuote(p, { ...base, annualAggregateLimit: 500 }, undefined, ctx);
    const below = evaluateQuote(p, { ...base, annualAggregateLimit: 499.99 }, undefined, ctx);
    expect(line(at, 'aggregateLimitBand')?.matched?.label?.zh).to.equal('[500,1000) 万元');
    expect(line(below, 'aggregateLimitBand')?.matched?.label?.zh).to.equal('[200,500) 万元');
  });

  it('lets the higher deductible govern: 5万 alone → row 1, with 12% → row (10%,15%]', () => {
    const amountOnly = evaluateQuote(product(), { ...inputs, deductibleRate: undefined }, undefined, ctx);
    const both = evaluateQuote(product(), { ...inputs, deductibleRate: 12 }, undefined, ctx);
    expect(line(amountOnly, 'deductible')?.value).to.equal('1.35');
    expect(line(both, 'deductible')?.value).to.equal('0.95');
  });

  it('compares ratios exactly: 1000/999.99 is above 1, 300/300 is the point band =1', () => {
    const p = loadProduct('first-version-software');
    const v = loadDefinition('first-version-software').testVectors[0]!.inputs as Record<string, unknown>;
    const above = evaluateQuote(p, { ...v, perEventThirdPartyLimit: 999.99 }, undefined, ctx);
    const equal = evaluateQuote(p, { ...v, aggregateLimit: 300, perEventThirdPartyLimit: 300, perEventSoftwareLimit: 300 }, undefined, ctx);
    expect(line(above, 'thirdPartyRatio')?.matched?.row).to.equal('b2');
    expect(line(equal, 'thirdPartyRatio')?.value).to.equal('1.5');
  });
});

describe('items and sections', () => {
  it('takes the largest patent-type factor over the insured patents', () => {
    const p = loadProduct('ip-infringement-liability');
    const v = loadDefinition('ip-infringement-liability').testVectors[0]!.inputs as Record<string, unknown>;
    const types = (ts: string[]) => ts.map((type, i) => ({ patentNo: `P${i}`, type }));
    const rate = (ts: string[]) => line(evaluateQuote(p, { ...v, patents: types(ts) }, undefined, ctx), 'patentType')?.value;
    expect(rate(['design'])).to.equal('0.1');
    expect(rate(['utility', 'design'])).to.equal('0.42');
    expect(rate(['design', 'invention', 'utility'])).to.equal('1');
  });

  it('prices patent enforcement per patent in two sections', () => {
    const p = loadProduct('ip-patent-enforcement');
    const v = loadDefinition('ip-patent-enforcement').testVectors[0]!.inputs as Record<string, unknown>;
    const r = evaluateQuote(p, v, undefined, ctx);
    // 500,000 元 × 4.9% × 1.0 × 0.9 × 0.8 × 1.0 × 1.0 = 17,640 元 per patent; legal 5.0% → 18,000 元.
    expect(r.sections.map((s) => [s.key, s.premiumFen])).to.deep.equal([['investigation', 3_528_000], ['legal', 3_600_000]]);
    expect(r.sections[0]!.items).to.deep.equal([{ index: 0, premiumFen: 1_764_000 }, { index: 1, premiumFen: 1_764_000 }]);
    expect(r.grossPremiumFen).to.equal(7_128_000);
  });

  it('prices each patent enforcement section on its own per-patent limit, the ratio on their sum', () => {
    const p = loadProduct('ip-patent-enforcement');
    const v = loadDefinition('ip-patent-enforcement').testVectors[0]!.inputs as Record<string, unknown>;
    const r = evaluateQuote(p, { ...v, investigationLimitPerPatent: 30, legalLimitPerPatent: 80, aggregateLimit: 220 }, undefined, ctx);
    // tariffs.md §4a: section premium = per-patent limit × section base rate × patents × coefficients.
    // Ratio table: (30万 + 80万) × 2 patents ÷ 220万 = 1 → 1.0 (on one 30万 limit it would be 0.27: declined).
    // Coefficients: electronic information 0.8–1.0 → 0.9; sales 1000万 in [0,1000] 0.7–0.9 → 0.8;
    // basic patent management 0.9–1.1 → 1.0; deductible 10% → 1.0; 12 months → 100%. Product 0.72.
    // Investigation: 300,000 元 × 4.9% = 14,700 元 × 0.72 = 10,584 元 per patent × 2 = 21,168.00 元.
    // Legal:         800,000 元 × 5.0% = 40,000 元 × 0.72 = 28,800 元 per patent × 2 = 57,600.00 元.
    // Gross 78,768.00 元.
    expect(r.decision.outcome).to.equal('quoted');
    expect(r.worksheet.find((l) => l.step === 'limitRatio')!.value).to.equal('1');
    expect(r.sections.map((s) => [s.key, s.premiumFen])).to.deep.equal([['investigation', 2_116_800], ['legal', 5_760_000]]);
    expect(r.sections[0]!.items).to.deep.equal([{ index: 0, premiumFen: 1_058_400 }, { index: 1, premiumFen: 1_058_400 }]);
    expect(r.sections[1]!.items).to.deep.equal([{ index: 0, premiumFen: 2_880_000 }, { index: 1, premiumFen: 2_880_000 }]);
    expect(r.grossPremiumFen).to.equal(7_876_800);
  });

  it('prices E at 10% of the D premium and F at 5% of the C premium', () => {
    const p = loadProduct('ip-enforcement-infringed-loss');
    const v = loadDefinition('ip-enforcement-infringed-loss').testVectors[0]!.inputs as Record<string, unknown>;
    const neutral = { industry: 'other', salesRegion: 'global-excl-eu-au-us', claimsHistory: 'won-half-or-more', marketShare: 'top-10-20', ipRiskManagement: 'good', competition: 'medium' };
    const picks = { aggregateLimitBand: '1.1', perEventRatio: '1.0', perEventDeductible: '1.0', claimsHistory: '1.0', marketShare: '1.0', ipRiskManagement: '1.0', competition: '1.0', deductibleRate: '1.0', investigationShare: '1.0', salesGrowth: '1.0' };
    const r = evaluateQuote(p, { ...v, ...neutral, salesGrowth: 10 }, picks, ctx);
    const fen = Object.fromEntries(r.sections.map((s) => [s.key, s.premiumFen]));
    // Only the aggregate band (1.1) is not 1: A 100万×10%×1.1 = 110,000元, C 200万×8%×1.1 = 176,000元,
    // D 300万×16%×1.1 = 528,000元, E = 10% of D = 52,800元, F = 5% of C = 8,800元.
    expect(fen).to.deep.equal({ A: 11_000_000, B: 11_000_000, C: 17_600_000, D: 52_800_000, E: 5_280_000, F: 880_000 });
    expect(r.grossPremiumFen).to.equal(98_560_000);
  });
});

describe('period of cover', () => {
  const p = () => loadProduct('ip-enforcement-infringed-loss');
  const v = () => loadDefinition('ip-enforcement-infringed-loss').testVectors[0]!.inputs as Record<string, unknown>;
  const factor = (period: Parameters<typeof evaluateQuote>[3]['period']) => line(evaluateQuote(p(), v(), undefined, { ...ctx, period }), 'period')?.value;

  it('charges 1% a day under one month, capped at 20%', () => {
    expect(factor({ days: 10 })).to.equal('10%');
    expect(factor({ start: '2025-02-01', end: '2025-02-19' })).to.equal('19%');
    expect(factor({ days: 25 })).to.equal('20%');
  });

  it('uses the product\'s own monthly scale, part months rounding up', () => {
    expect(factor({ start: '2025-01-01', end: '2025-01-31' })).to.equal('20%');
    expect(factor({ start: '2025-01-01', end: '2025-02-01' })).to.equal('30%');
    expect(factor({ months: 7 })).to.equal('75%');
    expect(factor(undefined)).to.equal('100%');
  });

  it('uses the standard scale elsewhere and refuses more than 12 months', () => {
    const fs = loadProduct('first-set-equipment');
    const inputs = loadDefinition('first-set-equipment').testVectors[0]!.inputs;
    const annual = evaluateQuote(fs, inputs, undefined, ctx).grossPremiumFen;
    const nine = evaluateQuote(fs, inputs, undefined, { ...ctx, period: { months: 9 } });
    expect(line(nine, 'period')?.value).to.equal('85%');
    expect(Math.abs(nine.grossPremiumFen - annual * 0.85)).to.be.below(1);
    expect(() => evaluateQuote(fs, inputs, undefined, { ...ctx, period: { months: 13 } })).to.throw('longer than the 12 months');
  });

  it('replaces the scale with the R&D period coefficient, beyond 12 months too', () => {
    const rd = loadProduct('rd-project-failure');
    const inputs = loadDefinition('rd-project-failure').testVectors[0]!.inputs;
    const r = evaluateQuote(rd, inputs, { period: '1.1' }, { ...ctx, period: { months: 18 } });
    expect(line(r, 'period')?.filedRange).to.deep.include({ min: '1', max: '1.2' });
    expect(r.worksheet.some((l) => l.step === 'period' && l.kind === 'period')).to.equal(true);
    // 1,000,000 × 13% × 1.15 × 1.1 (period) × 1.0 × 0.85 × 1.05 × 1.15 × 0.9 = 151,908.631875 元
    expect(r.grossPremiumFen).to.equal(15_190_863);
  });
});

describe('R&D underwriting policy', () => {
  const p = () => loadProduct('rd-project-failure');
  const base = () => loadDefinition('rd-project-failure').testVectors[0]!.inputs as Record<string, unknown>;
  const costs = (...v: number[]) => v.map((sumInsured, i) => ({ category: ['materials', 'staff', 'tooling'][i], sumInsured }));
  const decide = (over: Record<string, unknown>) => evaluateQuote(p(), { ...base(), ...over }, undefined, ctx).decision;

  it('refers a share above 200万 with a deductible under 20% to head office', () => {
    const d = decide({ costCategories: costs(120, 90, 0.01), deductibleRate: 19.99 });
    expect(d.outcome).to.equal('referred');
    expect(d.authorities).to.deep.equal(['head-office-underwriting']);
  });
  it('refers one cost category above 100万 even when the total is small', () => {
    expect(decide({ costCategories: costs(100.01), deductibleRate: 10 }).outcome).to.equal('referred');
    expect(decide({ costCategories: costs(100), deductibleRate: 10 }).outcome).to.equal('quoted');
  });
  it('does not refer at a 20% deductible', () => {
    expect(decide({ costCategories: costs(300, 150), deductibleRate: 20 }).outcome).to.equal('quoted');
  });
  it('declines above 500万 with no deductible, and says why', () => {
    const d = decide({ costCategories: costs(300, 200, 0.01), deductibleRate: 0 });
    expect(d.outcome).to.equal('declined');
    expect(d.reasons.map((r) => r.rule)).to.include('large-share-no-deductible');
    expect(decide({ costCategories: costs(300, 200), deductibleRate: 0 }).outcome).to.equal('referred');
  });
});

describe('the other named lines (tariffs.md §6, illustrative)', () => {
  const BASE_RATES: Record<string, string> = {
    'rd-equipment-property': '0.4', 'product-quality-liability': '0.3', 'proof-of-concept-cost': '12',
    'startup-project-failure': '13', 'use-first-transfer-later-bond': '1.2', 'rd-interruption': '0.1',
  };
  const vectorInputs = (name: string) => loadDefinition(name).testVectors[0]!.inputs as Record<string, unknown>;

  it('files each at its §6 base rate with KCIC, on the standard short-period scale, named in zh and en', () => {
    const standard = [10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95, 100].map((p, i) => ({ months: i + 1, percent: String(p) }));
    for (const [name, rate] of Object.entries(BASE_RATES)) {
      const d = loadDefinition(name);
      expect(d.line, name).to.equal(name);
      expect(d.insurer, name).to.equal('KCIC');
      expect(d.plan.sections.map((s) => s.ratePercent), name).to.deep.equal([rate]);
      expect(d.plan.period.scale, name).to.deep.equal(standard);
      expect(d.name.zh, name).to.contain('示意费率');
      expect(d.name.en, name).to.contain('illustrative');
    }
  });

  it('raises product quality liability to its 5,000 元 minimum premium and shows it in the worksheet', () => {
    const r = evaluateQuote(loadProduct('product-quality-liability'), { ...vectorInputs('product-quality-liability'), annualSales: 100 }, undefined, ctx);
    // 1,000,000 元 × 0.3% = 3,000.00 元 < 5,000.00 元
    expect(line(r, 'minimum-premium')?.value).to.equal(formatFen(500_000));
    const above = evaluateQuote(loadProduct('product-quality-liability'), { ...vectorInputs('product-quality-liability'), annualSales: 166.67 }, undefined, ctx);
    expect(line(above, 'minimum-premium')).to.equal(undefined);
    expect(above.grossPremiumFen).to.equal(500_010);
    expect(r.grossPremiumFen).to.equal(500_000);
    expect(r.sections[0]!.premiumFen).to.equal(500_000);
  });

  it('applies the Pingyang programme (80%) to the 先用后转 performance bond, in Pingyang only', () => {
    const p = loadProduct('use-first-transfer-later-bond');
    const programmes = [loadProgramme('PINGYANG-UFTL'), loadProgramme('GENERIC-TECH-25')];
    const inputs = { ...vectorInputs('use-first-transfer-later-bond'), guaranteedAmount: 100 };
    // 1,000,000 元 × 1.2% = 12,000.00 元; Pingyang pays 80% = 9,600.00 元; the enterprise's net cost 2,400.00 元
    const r = evaluateQuote(p, inputs, undefined, { ...ctx, programmes, enterprise: { regionCode: '330326' } });
    expect(r.grossPremiumFen).to.equal(1_200_000);
    expect(r.subsidies.layers.map((l) => [l.programme, l.amountFen])).to.deep.equal([['PINGYANG-UFTL', 960_000]]);
    expect(r.expectedNetCostFen).to.equal(240_000);
    expect(r.subsidies.ineligible.map((i) => [i.programme, i.kind])).to.deep.include(['GENERIC-TECH-25', 'line']);
    const elsewhere = evaluateQuote(p, inputs, undefined, { ...ctx, programmes, enterprise: { regionCode: '330106' } });
    expect(elsewhere.subsidies.totalFen).to.equal(0);
    expect(elsewhere.subsidies.ineligible.map((i) => [i.programme, i.kind])).to.deep.include(['PINGYANG-UFTL', 'region']);
  });

  it('lets the generic tech programmes apply to the other five lines, not to the bond', () => {
    const generic = loadProgramme('GENERIC-TECH-25');
    for (const name of Object.keys(BASE_RATES)) expect(generic.lines.includes(name as never), name).to.equal(name !== 'use-first-transfer-later-bond');
  });
});
