// Filed tariffs are the law (#29): a value outside every filed band is refused or declined as the
// table says, never priced at a neighbour; discrete filed rows are the only choices; and a blanket
// quote is priced on the units that qualify. Expected figures are worked from tariffs.md here.
import { expect } from 'chai';
import { compileProduct, evaluateQuote, ProductCompileError, RatingInputError, upgradeStoredDefinition } from '../../src/rating/index.ts';
import type { ErrorDetail, ProductDefinition, RatingResult } from '../../src/rating/index.ts';
import { loadDefinition, loadProduct, loadProgramme } from './fixtures.ts';

const ctx = { asOf: '2025-06-01' };

function refusal(work: () => unknown): ErrorDetail[] {
  try {
    work();
  } catch (err) {
    if (err instanceof RatingInputError || err instanceof ProductCompileError) return err.details;
    throw err;
  }
  throw new Error('expected a refusal, got a result');
}

function vectorInputs(product: string, index = 0): Record<string, unknown> {
  return structuredClone(loadDefinition(product).testVectors[index]!.inputs) as Record<string, unknown>;
}

/** Half-up rounding of a product of decimals given as strings, in fen: exact, with BigInt. */
function fenOf(baseFen: number, factors: string[]): number {
  let num = BigInt(baseFen);
  let den = 1n;
  for (const f of factors) {
    const [whole, frac = ''] = f.split('.');
    num *= BigInt(whole! + frac);
    den *= 10n ** BigInt(frac.length);
  }
  return Number((num * 2n + den) / (den * 2n));
}

describe('§4c aggregate ÷ per-event limit outside the filed bands', () => {
  const product = () => loadProduct('ip-enforcement-infringed-loss');
  const base = () => ({ ...vectorInputs('ip-enforcement-infringed-loss'), annualAggregateLimit: 300 });

  it('refuses 1.5, in the gap (1,2) the filing leaves unbanded, naming the field, the value and the filed bands', () => {
    const details = refusal(() => evaluateQuote(product(), { ...base(), perEventLimit: 200 }, undefined, ctx));
    expect(details).to.have.length(1);
    expect(details[0]!.path).to.equal('/inputs/perEventLimit');
    expect(details[0]!.message).to.equal('1.5 falls in no filed band of perEventRatio (filed: =1, [2,3), [3,4), [4,7), [7,10), ≥10)');
  });

  it('declines 0.9 (a per-event limit above the aggregate) by its named rule, and prices nothing', () => {
    const r = evaluateQuote(product(), { ...base(), perEventLimit: '333.34' }, undefined, ctx);
    expect(r.decision.outcome).to.equal('declined');
    expect(r.decision.reasons.map((x) => x.rule)).to.deep.equal(['per-event-above-aggregate']);
    expect(r.grossPremiumFen).to.equal(0);
    const line = r.worksheet.find((l) => l.step === 'perEventRatio')!;
    expect(line).to.deep.include({ value: '0', filedRange: undefined });
    expect(line.matched?.row).to.equal('per-event-above-aggregate');
  });

  it('still prices the filed edges: exactly 1 → 1.3 and exactly 2 → 1.2', () => {
    const one = evaluateQuote(product(), { ...base(), perEventLimit: 300 }, undefined, ctx);
    const two = evaluateQuote(product(), { ...base(), perEventLimit: 150 }, undefined, ctx);
    expect(one.worksheet.find((l) => l.step === 'perEventRatio')?.value).to.equal('1.3');
    expect(two.worksheet.find((l) => l.step === 'perEventRatio')?.value).to.equal('1.2');
    expect(one.decision.outcome).to.equal('quoted');
  });

  it('declines a per-event limit above the aggregate by the same rule on 4b and 首版次', () => {
    const liability = evaluateQuote(loadProduct('ip-infringement-liability'), { ...vectorInputs('ip-infringement-liability'), perEventLimit: 200 }, undefined, ctx);
    const software = evaluateQuote(loadProduct('first-version-software'), { ...vectorInputs('first-version-software'), perEventSoftwareLimit: 1200 }, undefined, ctx);
    for (const r of [liability, software]) {
      expect(r.decision.outcome).to.equal('declined');
      expect(r.decision.reasons.map((x) => x.rule)).to.deep.equal(['per-event-above-aggregate']);
      expect(r.grossPremiumFen).to.equal(0);
    }
  });

  it('declines 4c deductible rates and investigation shares above the filed 25% alike', () => {
    const deductible = evaluateQuote(product(), { ...base(), perEventLimit: 300, deductibleRate: 26 }, undefined, ctx);
    const share = evaluateQuote(product(), { ...base(), perEventLimit: 300, investigationShare: 26 }, undefined, ctx);
    expect(deductible.decision.reasons.map((x) => [x.rule, x.action])).to.deep.equal([['deductible-rate-above-filed', 'decline']]);
    expect(share.decision.reasons.map((x) => [x.rule, x.action])).to.deep.equal([['investigation-share-above-filed', 'decline']]);
  });
});

describe('discrete filed deductible choices', () => {
  it('refuses 3%, 7% and 12.5% on 4a, listing the filed choices', () => {
    for (const rate of [3, 7, '12.5']) {
      const details = refusal(() => evaluateQuote(loadProduct('ip-patent-enforcement'), { ...vectorInputs('ip-patent-enforcement'), deductibleRate: rate }, undefined, ctx));
      expect(details, String(rate)).to.deep.equal([{ path: '/inputs/deductibleRate', message: 'must be one of the filed choices 0%, 5%, 10%, 15%, 20% or above 20%' }]);
    }
  });

  it('refuses 0% on 4b (its table has no 0% row), listing the filed choices', () => {
    const details = refusal(() => evaluateQuote(loadProduct('ip-infringement-liability'), { ...vectorInputs('ip-infringement-liability'), deductibleRate: 0 }, undefined, ctx));
    expect(details).to.deep.equal([{ path: '/inputs/deductibleRate', message: 'must be one of the filed choices 5%, 10%, 15%, 20% or above 20%' }]);
  });

  it('prices every filed row and the open row above 20%', () => {
    const coefficients: [number, string][] = [[0, '1.2'], [5, '1.1'], [10, '1'], [15, '0.9'], [20, '0.85'], [30, '0.775']];
    for (const [rate, value] of coefficients) {
      const r = evaluateQuote(loadProduct('ip-patent-enforcement'), { ...vectorInputs('ip-patent-enforcement'), deductibleRate: rate }, undefined, ctx);
      expect(r.worksheet.find((l) => l.step === 'deductibleRate')?.value, `${rate}%`).to.equal(value);
    }
  });

  it('publishes the choices with the form', () => {
    const field = loadDefinition('ip-patent-enforcement').form.fields.find((f) => f.key === 'deductibleRate');
    expect(field?.choices).to.deep.equal({ values: ['0', '5', '10', '15', '20'], above: '20' });
  });
});

describe('an underwriter picks only inside a filed range', () => {
  it('refuses a pick outside the filed range of the matched row', () => {
    const details = refusal(() => evaluateQuote(loadProduct('ip-enforcement-infringed-loss'), vectorInputs('ip-enforcement-infringed-loss'), { aggregateLimitBand: '1.3' }, { ...ctx, role: 'underwriter' }));
    expect(details).to.deep.equal([{ path: '/picks/aggregateLimitBand', message: 'table aggregateLimitBand: "1.3" is outside the filed range [1.1, 1.2] of band b4 ([500,1000) (10k CNY))' }]);
  });
});

describe('per-unit eligibility in a blanket 首台（套） quote', () => {
  const product = () => loadProduct('first-set-equipment');
  const units = [
    { name: '盾构机 A', model: 'ZTE6250', contractAmount: 400, userOrder: 1 },
    { name: '盾构机 B', model: 'ZTE6250', contractAmount: 350, userOrder: 2 },
    { name: '盾构机 C', model: 'ZTE6250', contractAmount: 250, userOrder: 4 },
  ];
  const blanket = () => ({ ...vectorInputs('first-set-equipment'), equipment: units });

  it('excludes the unit bought by a fourth user and prices the others to the fen', () => {
    const r = evaluateQuote(product(), blanket(), undefined, { ...ctx, programmes: [loadProgramme('CN-FIRST-SET')] });
    expect(r.excludedItems).to.deep.equal([{ list: 'equipment', index: 2, rule: 'first-three-users', reason: { zh: '购买方不在前三家用户之列，不属于首台（套）保险范围', en: 'The buyer is not among the first three users of the equipment' } }]);
    expect(r.decision.outcome).to.equal('quoted');
    // §1: base = contract amount of the insured units (400万 + 350万 = 750万) × 2.1%, and the
    // filed midpoints: rail transit 1.3–1.5, amount (500,1000] 1.5–2.0, equipment limit 1000万
    // (500,1000] 0.8–0.9, third-party 500万 [0,500] 0.5–0.8, deductible 5万/5% 1.2–1.5,
    // partial quality system 0.7–1.0, loss ratio 30% 0.5–0.7, direct channel 0.7–1.0; 12 months.
    const expected = fenOf(750 * 1_000_000, ['0.021', '1.4', '1.75', '0.85', '0.65', '1.35', '0.85', '0.6', '0.85']);
    expect(expected).to.equal(12_476_759);
    expect(r.grossPremiumFen).to.equal(expected);
    expect(r.worksheet.find((l) => l.step === 'transactionAmount')?.value).to.equal('1.75');
    // The central programme pays 80% of the premium of the insured units (rate 1.66% < 3%).
    expect(r.subsidies.layers[0]).to.deep.include({ programme: 'CN-FIRST-SET', countedPremiumFen: expected, amountFen: fenOf(expected, ['0.8']) });
    const excludedLine = r.worksheet.find((l) => l.kind === 'excluded');
    expect(excludedLine).to.deep.include({ step: 'first-three-users', value: '0', runningPremiumFen: 0 });
  });

  it('takes the quote\'s buyer order for a unit that does not give its own', () => {
    const r = evaluateQuote(product(), { ...blanket(), userOrder: 4, equipment: [units[0], { ...units[1], userOrder: undefined }] }, undefined, ctx);
    expect(r.excludedItems?.map((e) => e.index)).to.deep.equal([1]);
    expect(r.grossPremiumFen).to.equal(fenOf(400 * 1_000_000, ['0.021', '1.4', '2.5', '0.85', '0.65', '1.35', '0.85', '0.6', '0.85']));
  });

  it('declines a quote with no eligible unit, lists every unit and prices nothing', () => {
    const r = evaluateQuote(product(), { ...blanket(), equipment: units.map((u) => ({ ...u, userOrder: 5 })) }, undefined, ctx);
    expect(r.decision.outcome).to.equal('declined');
    expect(r.decision.reasons.map((x) => x.rule)).to.deep.equal(['first-three-users']);
    expect(r.excludedItems?.map((e) => e.index)).to.deep.equal([0, 1, 2]);
    expect(r.grossPremiumFen).to.equal(0);
    expect(r.subsidies.totalFen).to.equal(0);
  });

  it('refuses to split a quote-level contract amount once a unit is excluded', () => {
    const equipment = units.map(({ contractAmount: _, ...u }) => u);
    const details = refusal(() => evaluateQuote(product(), { ...blanket(), equipment }, undefined, ctx));
    expect(details.map((d) => d.path)).to.deep.equal(['/inputs/equipment/0/contractAmount', '/inputs/equipment/1/contractAmount']);
  });
});

describe('the compiler and the outside-band rule', () => {
  const withStep = (edit: (step: Record<string, unknown>) => void): ProductDefinition => {
    const def = structuredClone(loadDefinition('ip-enforcement-infringed-loss'));
    edit(def.plan.steps.find((s) => s.key === 'perEventRatio') as unknown as Record<string, unknown>);
    return def;
  };

  it('refuses a product whose band table leaves the outside-band rule unsaid, naming the table', () => {
    const details = refusal(() => compileProduct(withStep((s) => { delete s.outsideBands; })));
    const i = loadDefinition('ip-enforcement-infringed-loss').plan.steps.findIndex((s) => s.key === 'perEventRatio');
    expect(details).to.deep.equal([{ path: `/plan/steps/${i}/outsideBands`, message: 'table perEventRatio (Aggregate ÷ per-event limit) does not say what happens to a value outside its bands: add outsideBands with action refuse (invalid input) or decline (with a rule and a reason)' }]);
  });

  it('refuses a decline without a rule, and the old provisional-coefficient noMatch', () => {
    expect(refusal(() => compileProduct(withStep((s) => { s.outsideBands = { action: 'decline' }; }))).map((d) => d.message)).to.deep.equal(['a decline needs a rule and a reason']);
    const old = refusal(() => compileProduct(withStep((s) => { s.noMatch = { action: 'refer', coefficient: '1.3', authority: 'x', reason: { zh: '未分档', en: 'unbanded' } }; })));
    expect(old.map((d) => d.message)).to.include('must NOT have additional properties');
  });

  it('refuses filed choices that are not ascending', () => {
    const def = structuredClone(loadDefinition('ip-patent-enforcement'));
    const field = def.form.fields.find((f) => f.key === 'deductibleRate')!;
    field.choices = { values: ['5', '0'] };
    expect(refusal(() => compileProduct(def)).map((d) => d.message)).to.include('choices must be ascending and distinct');
  });

  it('keeps every shipped table explicit about values outside its bands', () => {
    for (const name of ['first-set-equipment', 'first-batch-material', 'first-version-software', 'ip-patent-enforcement', 'ip-infringement-liability', 'ip-enforcement-infringed-loss', 'rd-project-failure', 'tech-transfer-cost']) {
      const def = loadDefinition(name);
      const tables = [...def.plan.steps.filter((s) => s.kind === 'bands'), ...(def.plan.period.table ? [def.plan.period.table] : [])] as { key: string; outsideBands?: unknown }[];
      for (const t of tables) expect(t.outsideBands, `${name} ${t.key}`).to.be.an('object');
    }
  });

  it('never returns a premium on a coefficient outside the filing: every priced line is a filed value', () => {
    const r: RatingResult = evaluateQuote(loadProduct('ip-enforcement-infringed-loss'), vectorInputs('ip-enforcement-infringed-loss'), undefined, ctx);
    for (const l of r.worksheet.filter((x) => x.kind === 'bands')) expect(l.matched?.row, l.step).to.match(/^b\d+$/);
  });
});

describe('versions published before outside-band rules', () => {
  it('read a table without a rule as refusing, and a provisional-coefficient noMatch as a decline that prices nothing', () => {
    const legacy = structuredClone(loadDefinition('ip-enforcement-infringed-loss')) as unknown as { plan: { steps: Record<string, unknown>[] } };
    for (const s of legacy.plan.steps) delete s.outsideBands;
    const ratio = legacy.plan.steps.find((s) => s.key === 'perEventRatio')!;
    ratio.noMatch = { action: 'refer', coefficient: '1.3', authority: 'head-office-underwriting', reason: { zh: '备案费率未规定比例 (1,2) 的系数', en: 'The filing leaves the ratio range (1,2) unbanded' } };
    expect(() => compileProduct(legacy)).to.throw(ProductCompileError);
    const product = compileProduct(upgradeStoredDefinition(legacy));
    const base = { ...vectorInputs('ip-enforcement-infringed-loss'), annualAggregateLimit: 300 };
    const r = evaluateQuote(product, { ...base, perEventLimit: 200 }, undefined, ctx);
    expect(r.decision.outcome).to.equal('declined');
    expect(r.decision.reasons.map((x) => x.rule)).to.deep.equal(['perEventRatio']);
    expect(r.grossPremiumFen).to.equal(0);
    const growth = product.stepsByKey.get('salesGrowth') as { outside?: { above: { action: string } } };
    expect(growth.outside?.above.action).to.equal('refuse');
  });
});
