// VAT, co-insurance and subsidy layers with hand-checked amounts, including the worked readings
// of shared/domain/subsidies-and-money.md; plus the errors a caller sees.
import { expect } from 'chai';
import { compileProduct, computeSubsidies, evaluateQuote, ProductCompileError, RatingInputError, splitCoInsurance, splitVat } from '../../src/rating/index.ts';
import { loadDefinition, loadProduct, loadProgramme, minimalDefinition } from './fixtures.ts';

const SIX = { num: 6, exp: 0 };
const ctx = { asOf: '2025-06-01' };

describe('VAT split', () => {
  it('nets VAT out of the gross premium, half-up to the fen', () => {
    expect(splitVat(25_000_000, SIX)).to.deep.equal({ netFen: 23_584_906, vatFen: 1_415_094 });
    expect(splitVat(106, SIX)).to.deep.equal({ netFen: 100, vatFen: 6 });
    expect(splitVat(9, SIX)).to.deep.equal({ netFen: 8, vatFen: 1 });
    expect(splitVat(1, SIX)).to.deep.equal({ netFen: 1, vatFen: 0 });
  });
});

describe('co-insurance split', () => {
  const pool = (...shares: string[]) => shares.map((s, i) => ({ insurer: `INS-${i}`, role: i === 0 ? 'lead' as const : 'follower' as const, sharePercent: s, share: { num: Number(s.replace('.', '')), exp: (s.split('.')[1]?.length ?? 0) + 2 } }));
  it('gives the remainder fen to the lead', () => {
    expect(splitCoInsurance(pool('40', '30', '30'), 101, 95).map((m) => m.grossPremiumFen)).to.deep.equal([41, 30, 30]);
    expect(splitCoInsurance(pool('40', '30', '30'), 1, 1).map((m) => m.grossPremiumFen)).to.deep.equal([1, 0, 0]);
    expect(splitCoInsurance(pool('33.34', '33.33', '33.33'), 100, 94).map((m) => m.grossPremiumFen)).to.deep.equal([34, 33, 33]);
  });
  it('splits the shipped 首台（套） pool 40/30/30 and VAT consistently', () => {
    const r = evaluateQuote(loadProduct('first-set-equipment'), loadDefinition('first-set-equipment').testVectors[0]!.inputs, undefined, ctx);
    const members = r.coInsurance!;
    const filed = loadDefinition('first-set-equipment').coInsurance!.members;
    expect(members.map((m) => [m.insurer, m.role, m.sharePercent])).to.deep.equal(filed.map((m) => [m.insurer, m.role, m.sharePercent]));
    expect(members.map((m) => m.sharePercent)).to.deep.equal(['40', '30', '30']);
    expect(members.reduce((s, m) => s + m.grossPremiumFen, 0)).to.equal(r.grossPremiumFen);
    expect(members.reduce((s, m) => s + m.vatFen, 0)).to.equal(r.vatFen);
    expect(members[1]!.grossPremiumFen).to.equal(Math.floor(r.grossPremiumFen * 0.3));
  });
});

describe('subsidies: worked readings', () => {
  const central = loadProgramme('CN-FIRST-SET');

  it('contract 1000万 at 2.5% → premium 25万, subsidy 20万, net cost 5万', () => {
    const r = evaluateQuote(compileProduct(minimalDefinition('2.5')), { contractAmount: 1000 }, undefined, { ...ctx, programmes: [central] });
    expect(r.grossPremiumFen).to.equal(25_000_000);
    expect(r.subsidies.layers[0]).to.deep.include({ programme: 'CN-FIRST-SET', amountFen: 20_000_000, countedPremiumFen: 25_000_000, capBit: false });
    expect(r.enterprisePaysFen).to.equal(25_000_000);
    expect(r.expectedNetCostFen).to.equal(5_000_000);
  });

  it('at 4% → premium 40万, the rate counted stops at 3%: subsidy 24万, net cost 16万', () => {
    const r = evaluateQuote(compileProduct(minimalDefinition('4')), { contractAmount: 1000 }, undefined, { ...ctx, programmes: [central] });
    expect(r.grossPremiumFen).to.equal(40_000_000);
    const layer = r.subsidies.layers[0]!;
    expect(layer.amountFen).to.equal(24_000_000);
    expect(layer.countedPremiumFen).to.equal(30_000_000);
    expect(layer.caps.find((c) => c.kind === 'rate')).to.deep.equal({ kind: 'rate', limitFen: 30_000_000, bit: true });
    expect(r.expectedNetCostFen).to.equal(16_000_000);
  });
});

describe('subsidies: caps, eligibility and stacking', () => {
  const base = { line: 'first-set-equipment', grossPremiumFen: 25_000_000, sumInsuredFen: 1_000_000_000, contractFen: 1_000_000_000 };

  it('stacks Zhejiang (domestic first, 2% rate cap) on the central layer but never above the premium', () => {
    const s = computeSubsidies({ ...base, programmes: [loadProgramme('ZJ-FIRST-SET'), loadProgramme('CN-FIRST-SET')], enterprise: { regionCode: '330106', qualifications: ['first-domestic'] } });
    expect(s.layers.map((l) => [l.programme, l.variant, l.uncappedFen, l.amountFen])).to.deep.equal([
      ['CN-FIRST-SET', undefined, 20_000_000, 20_000_000],
      ['ZJ-FIRST-SET', 'domestic', 16_000_000, 5_000_000],
    ]);
    expect(s.layers[1]!.caps.find((c) => c.kind === 'premium')?.bit).to.equal(true);
    expect(s.totalFen).to.equal(25_000_000);
  });

  it('rules out Zhejiang after its application award, outside Zhejiang, and the central layer after 3 years', () => {
    const s = computeSubsidies({ ...base, programmes: [loadProgramme('ZJ-FIRST-SET'), loadProgramme('CN-FIRST-SET')], enterprise: { regionCode: '330106', qualifications: ['first-domestic'], awards: ['ZJ-FIRST-SET-APPLICATION-AWARD'], supportYear: 4 } });
    expect(s.layers).to.have.length(0);
    expect(s.ineligible.map((i) => i.programme)).to.have.members(['ZJ-FIRST-SET', 'CN-FIRST-SET']);
    expect(computeSubsidies({ ...base, programmes: [loadProgramme('ZJ-FIRST-SET')], enterprise: { regionCode: '370102', qualifications: ['first-domestic'] } }).ineligible[0]!.reason).to.match(/outside 330000/);
  });

  it('applies the Shandong per-enterprise annual cap net of what was received this year', () => {
    const s = computeSubsidies({ ...base, programmes: [loadProgramme('SD-FIRST-SET')], enterprise: { regionCode: '370102', receivedThisYear: [{ programme: 'SD-FIRST-SET', amountFen: 490 * 1_000_000 }] } });
    expect(s.layers[0]).to.deep.include({ uncappedFen: 20_000_000, amountFen: 10_000_000, capBit: true });
    expect(s.layers[0]!.caps.find((c) => c.kind === 'annual')).to.deep.equal({ kind: 'annual', limitFen: 10_000_000, bit: true });
  });

  it('counts at most 5 × contract and 5亿 of the limit for 首批次', () => {
    const programmes = [loadProgramme('CN-FIRST-BATCH')];
    const small = computeSubsidies({ line: 'first-batch-material', grossPremiumFen: 20_000_000, sumInsuredFen: 1_000_000_000, contractFen: 100_000_000, programmes, enterprise: {} });
    // limit counted 500万 of 1000万; rate 2% < 3% → counted 10万, subsidy 8万
    expect(small.layers[0]).to.deep.include({ countedPremiumFen: 10_000_000, amountFen: 8_000_000 });
    const big = computeSubsidies({ line: 'first-batch-material', grossPremiumFen: 4_000_000_000, sumInsuredFen: 200_000_000_000, contractFen: 20_000_000_000, programmes, enterprise: {} });
    // 5 × 2亿 = 10亿 but at most 5亿; counted 5亿 × 2% = 1000万, subsidy 800万
    expect(big.layers[0]!.caps.find((c) => c.kind === 'limit')).to.deep.equal({ kind: 'limit', limitFen: 50_000_000_000, bit: true });
    expect(big.layers[0]!.amountFen).to.equal(800_000_000);
  });

  it('needs a Quanzhou premium of at least 1500元 and caps it at 5万 a year', () => {
    const programmes = [loadProgramme('QZ-IP')];
    const ip = { line: 'ip-patent-enforcement', sumInsuredFen: NaN, contractFen: NaN, programmes, enterprise: { regionCode: '350503' } };
    expect(computeSubsidies({ ...ip, grossPremiumFen: 149_999 }).layers).to.have.length(0);
    expect(computeSubsidies({ ...ip, grossPremiumFen: 150_000 }).layers[0]!.amountFen).to.equal(75_000);
    expect(computeSubsidies({ ...ip, grossPremiumFen: 20_000_000 }).layers[0]!.amountFen).to.equal(5_000_000);
  });

  it('limits stacked layers to 50% of the premium where the provincial programme says so', () => {
    const s = computeSubsidies({ line: 'rd-project-failure', grossPremiumFen: 100_000, sumInsuredFen: NaN, contractFen: NaN, programmes: [loadProgramme('SUZHOU-TECH'), loadProgramme('GENERIC-TECH-25')], enterprise: { regionCode: '320505', qualifications: ['provincial-tech-insurance-pilot'] } });
    expect(s.layers.map((l) => [l.programme, l.amountFen])).to.deep.equal([['GENERIC-TECH-25', 25_000], ['SUZHOU-TECH', 25_000]]);
    expect(s.layers[1]!.caps.find((c) => c.kind === 'stacking')).to.deep.equal({ kind: 'stacking', limitFen: 25_000, bit: true });
  });

  it('raises Shandong IP to 70% and a 30万 cap for high-value patents', () => {
    const s = computeSubsidies({ line: 'ip-patent-enforcement', grossPremiumFen: 50_000_000, sumInsuredFen: NaN, contractFen: NaN, programmes: [loadProgramme('SD-IP')], enterprise: { regionCode: '370200', qualifications: ['high-value-patent'] } });
    expect(s.layers[0]).to.deep.include({ variant: 'high-value', sharePercent: '70', uncappedFen: 35_000_000, amountFen: 30_000_000 });
  });
});

describe('errors', () => {
  it('reports every compile problem with its path', () => {
    const def = structuredClone(loadDefinition('first-set-equipment')) as unknown as { plan: { steps: { rows: { lower?: string; values?: string[] }[] }[]; sections: { baseQuantity: string }[] }; coInsurance: { members: { sharePercent: string }[] } };
    def.plan.steps[1]!.rows[2]!.lower = '900';
    def.plan.steps[0]!.rows[0]!.values!.push('submarine');
    def.coInsurance.members[0]!.sharePercent = '41';
    def.plan.sections[0]!.baseQuantity = 'nothing';
    try {
      compileProduct(def);
      expect.fail('should not compile');
    } catch (error) {
      expect(error).to.be.instanceOf(ProductCompileError);
      expect((error as ProductCompileError).details.map((d) => d.path)).to.have.members([
        '/plan/steps/0/rows/0/values/6', '/plan/steps/1/rows/2', '/plan/sections/0/baseQuantity', '/coInsurance/members',
      ]);
    }
  });

  it('reports schema errors of a step only for the branch its kind selects', () => {
    const def = structuredClone(loadDefinition('first-set-equipment')) as unknown as { plan: { steps: Record<string, unknown>[] } };
    delete def.plan.steps[1]!.unit;
    expect(() => compileProduct(def)).to.throw(ProductCompileError).with.property('details').that.deep.equals([{ path: '/plan/steps/1/unit', message: "must have required property 'unit'" }]);
  });

  it('reports field-level input errors', () => {
    const p = loadProduct('first-set-equipment');
    const inputs = { ...loadDefinition('first-set-equipment').testVectors[0]!.inputs as object, contractAmount: '12.3456789', channel: 'phone', colour: 'red' };
    expect(() => evaluateQuote(p, inputs, undefined, ctx)).to.throw(RatingInputError).with.property('details').that.deep.equals([
      { path: '/inputs/colour', message: 'is not a field of this product' },
      { path: '/inputs/contractAmount', message: 'must be an amount in 万元 with at most 6 decimals' },
      { path: '/inputs/channel', message: 'must be one of direct, other' },
    ]);
  });

  it('refuses a pick outside its filed range, naming the table, the band and the range', () => {
    const p = loadProduct('first-set-equipment');
    const inputs = loadDefinition('first-set-equipment').testVectors[0]!.inputs;
    expect(() => evaluateQuote(p, inputs, { transactionAmount: '2.01' }, ctx)).to.throw(RatingInputError).with.property('details').that.deep.equals([
      { path: '/picks/transactionAmount', message: 'table transactionAmount: "2.01" is outside the filed range [1.5, 2] of band b2 ((500,1000] (10k CNY))' },
    ]);
  });

  it('refuses an open end of a range (0.6–<1.0) and accepts just below it', () => {
    const p = loadProduct('tech-transfer-cost');
    const inputs = { ...loadDefinition('tech-transfer-cost').testVectors[0]!.inputs as object, riskManagement: 'sound' };
    expect(() => evaluateQuote(p, inputs, { riskManagement: '1.0' }, ctx)).to.throw(RatingInputError, 'outside the filed range [0.6, 1)');
    expect(evaluateQuote(p, inputs, { riskManagement: '0.9999' }, ctx).worksheet.find((l) => l.step === 'riskManagement')?.value).to.equal('0.9999');
  });

  it('lets a broker change the channel factor but not the loss-ratio factor', () => {
    const p = loadProduct('first-set-equipment');
    const inputs = loadDefinition('first-set-equipment').testVectors[0]!.inputs;
    expect(evaluateQuote(p, inputs, { channel: '0.7' }, { ...ctx, role: 'broker' }).worksheet.find((l) => l.step === 'channel')).to.deep.include({ value: '0.7', picked: true });
    expect(() => evaluateQuote(p, inputs, { lossRatio: '0.5' }, { ...ctx, role: 'broker' })).to.throw(RatingInputError, 'broker may not change lossRatio');
  });

  it('declines a quote dated before the tariff takes effect and dates its validity', () => {
    const p = loadProduct('first-set-equipment');
    const inputs = loadDefinition('first-set-equipment').testVectors[0]!.inputs;
    expect(evaluateQuote(p, inputs, undefined, { asOf: '2024-12-31' }).decision.outcome).to.equal('declined');
    expect(evaluateQuote(p, inputs, undefined, { asOf: '2025-06-01' }).validUntil).to.equal('2025-07-01');
  });
});
