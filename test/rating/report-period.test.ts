// Issue #27: the pure parts of the insurers' report — the periods (half years, a year; the half a
// China date falls in), a policy's sum insured from its product's aggregate limits, and the
// province a region code names.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { provinceCodeOf, provinceName } from '../../src/i18n/provinces.ts';
import { halfYearOf, reportPeriod, sumInsuredFen, type ProductDefinition } from '../../src/rating/index.ts';

const product = (file: string) => JSON.parse(readFileSync(`products/${file}`, 'utf8')) as ProductDefinition;

describe('Report periods, sum insured and provinces (#27)', () => {
  it('reads 2026H1, 2026H2 and 2026 as their China dates and refuses anything else', () => {
    expect(reportPeriod('2026H1')).to.deep.equal({ code: '2026H1', from: '2026-01-01', to: '2026-06-30', halves: ['2026H1'] });
    expect(reportPeriod('2026H2')).to.deep.equal({ code: '2026H2', from: '2026-07-01', to: '2026-12-31', halves: ['2026H2'] });
    expect(reportPeriod('2026')).to.deep.equal({ code: '2026', from: '2026-01-01', to: '2026-12-31', halves: ['2026H1', '2026H2'] });
    for (const bad of ['2026H3', '2026H', '26H1', '2026-H1', 'H1', '']) expect(reportPeriod(bad), bad).to.equal(undefined);
  });

  it('puts 30 June in the first half and 1 July in the second', () => {
    expect(halfYearOf('2026-01-01')).to.equal('2026H1');
    expect(halfYearOf('2026-06-30')).to.equal('2026H1');
    expect(halfYearOf('2026-07-01')).to.equal('2026H2');
    expect(halfYearOf('2025-12-31')).to.equal('2025H2');
  });

  it('counts each aggregate limit once: a shared field once, separate limits added, none as 0', () => {
    // 首台（套）: the quality cover's aggregate limit (万元) is the sum insured.
    expect(sumInsuredFen(product('first-set-equipment.json'), { aggregateLimit: 1000 })).to.equal(1000 * 1_000_000);
    // IP enforcement and infringed loss: four covers, four limits of their own.
    expect(sumInsuredFen(product('ip-enforcement-infringed-loss.json'), { limitA: 100, limitB: 100, limitC: 200, limitD: 300 })).to.equal(700 * 1_000_000);
    // Patent enforcement: investigation and legal costs under one aggregateLimit field — counted once.
    expect(sumInsuredFen(product('ip-patent-enforcement.json'), { aggregateLimit: 80 })).to.equal(80 * 1_000_000);
    // R&D project failure declares no aggregate limit.
    expect(sumInsuredFen(product('rd-project-failure.json'), {})).to.equal(0);
  });

  it('names the province of a region code, and an unknown or missing one as not recorded', () => {
    expect(provinceCodeOf('330106')).to.equal('33');
    expect(provinceName('33')).to.deep.equal({ zh: '浙江省', en: 'Zhejiang' });
    expect(provinceName(provinceCodeOf('370102'))).to.deep.equal({ zh: '山东省', en: 'Shandong' });
    expect(provinceCodeOf('990000')).to.equal(undefined);
    expect(provinceCodeOf(undefined)).to.equal(undefined);
    expect(provinceName(undefined)).to.deep.equal({ zh: '地区未登记', en: 'Region not recorded' });
  });
});
