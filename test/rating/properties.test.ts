// Property tests: invariants that must hold for any amounts, shares and picks.
import { expect } from 'chai';
import fc from 'fast-check';
import { computeSubsidies, evaluateQuote, splitCoInsurance, splitVat } from '../../src/rating/index.ts';
import { loadDefinition, loadProduct, loadProgramme } from './fixtures.ts';

describe('properties', () => {
  it('net + VAT = gross, and net is gross ÷ 1.06 to within half a fen', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e13 }), (gross) => {
      const { netFen, vatFen } = splitVat(gross, { num: 6, exp: 0 });
      expect(netFen + vatFen).to.equal(gross);
      expect(Math.abs(netFen * 106 - gross * 100)).to.be.at.most(53);
    }));
  });

  it('co-insurance parts add up to the whole premium; followers get their share rounded down', () => {
    const shares = fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 3 }).map((cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), 100];
      return points.slice(1).map((p, i) => p - (points[i] as number));
    });
    fc.assert(fc.property(shares, fc.integer({ min: 0, max: 1e12 }), (parts, gross) => {
      const net = Math.round(gross / 1.06);
      const members = parts.map((s, i) => ({ insurer: `I${i}`, role: i === 0 ? 'lead' as const : 'follower' as const, sharePercent: String(s), share: { num: s, exp: 2 } }));
      const split = splitCoInsurance(members, gross, net);
      expect(split.reduce((s, m) => s + m.grossPremiumFen, 0)).to.equal(gross);
      expect(split.reduce((s, m) => s + m.netPremiumFen, 0)).to.equal(net);
      split.slice(1).forEach((m, i) => expect(m.grossPremiumFen).to.equal(Math.floor((gross * (parts[i + 1] as number)) / 100)));
    }));
  });

  it('each subsidy layer is at most share × premium and its caps; all layers at most the premium', () => {
    const programmes = [loadProgramme('CN-FIRST-SET'), loadProgramme('SD-FIRST-SET'), loadProgramme('SD-JINAN-TOPUP')];
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 1e10 }), fc.integer({ min: 1, max: 1e12 }), fc.integer({ min: 0, max: 6e8 }),
      (premium, sumInsured, received) => {
        const s = computeSubsidies({ line: 'first-set-equipment', grossPremiumFen: premium, sumInsuredFen: sumInsured, contractFen: sumInsured, programmes, enterprise: { regionCode: '370105', receivedThisYear: [{ programme: 'SD-FIRST-SET', amountFen: received }] } });
        expect(s.layers).to.have.length(3);
        for (const layer of s.layers) {
          const share = Number(layer.sharePercent) / 100;
          expect(layer.amountFen).to.be.at.most(Math.floor(share * premium + 0.5));
          expect(layer.amountFen).to.be.at.most(Math.floor(share * sumInsured * 0.03 + 0.5));
          expect(layer.amountFen).to.be.at.least(0);
          for (const cap of layer.caps) if (cap.kind !== 'rate' && cap.kind !== 'limit') expect(layer.amountFen).to.be.at.most(cap.limitFen);
        }
        const sd = s.layers.find((l) => l.programme === 'SD-FIRST-SET')!;
        expect(sd.amountFen).to.be.at.most(Math.max(0, 500 * 1_000_000 - received));
        expect(s.totalFen).to.be.at.most(premium);
      }));
  });

  it('the premium grows (weakly) with every coefficient pick', () => {
    const product = loadProduct('first-set-equipment');
    const inputs = loadDefinition('first-set-equipment').testVectors[0]!.inputs;
    // Filed ranges of the rows the vector matches, in hundredths.
    const ranges: Record<string, [number, number]> = {
      equipmentType: [130, 150], transactionAmount: [150, 200], equipmentLossLimit: [80, 90], thirdPartyLimit: [50, 80],
      deductible: [120, 150], qualityManagement: [70, 100], lossRatio: [50, 70], channel: [70, 100],
    };
    const keys = Object.keys(ranges);
    const picksArb = fc.record(Object.fromEntries(keys.map((k) => [k, fc.integer({ min: ranges[k]![0], max: ranges[k]![1] })]))) as fc.Arbitrary<Record<string, number>>;
    fc.assert(fc.property(picksArb, fc.constantFrom(...keys), fc.integer({ min: 0, max: 50 }), (base, key, step) => {
      const lower = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, (v / 100).toFixed(2)]));
      const higherValue = Math.min(ranges[key]![1], (base[key] as number) + step);
      const higher = { ...lower, [key]: (higherValue / 100).toFixed(2) };
      const a = evaluateQuote(product, inputs, lower, { asOf: '2025-06-01' }).grossPremiumFen;
      const b = evaluateQuote(product, inputs, higher, { asOf: '2025-06-01' }).grossPremiumFen;
      expect(b).to.be.at.least(a);
    }), { numRuns: 300 });
  });
});
