// The tariff-fidelity report (npm run tariffs:check → docs/tariffs.md): every table of every
// shipped product walked through the rating engine. The committed page must be exactly what the
// products and the engine give today, so a change to either shows up as a diff to review.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { renderTariffPage, walkProducts } from '../../src/cli/tariff-fidelity-page.ts';
import type { ProductReport } from '../../src/cli/tariff-fidelity.ts';
import { InputBuilder } from '../../src/cli/tariff-inputs.ts';
import { Decimal } from 'decimal.js';

describe('tariff-fidelity report', () => {
  let reports: ProductReport[];
  before(() => {
    reports = walkProducts('products');
  });
  const table = (code: string, key: string) => {
    const t = reports.find((r) => r.definition.code === code)?.tables.find((x) => x.key === key);
    if (!t) throw new Error(`no table ${code}/${key}`);
    return t;
  };
  const probe = (code: string, key: string, value: string) => {
    const p = table(code, key).probes.find((x) => x.value === value);
    if (!p) throw new Error(`no probe ${value} in ${code}/${key}`);
    return p;
  };

  it('regenerates docs/tariffs.md exactly (run npm run tariffs:check after changing a product or the engine)', () => {
    const page = renderTariffPage(reports);
    expect(page === readFileSync('docs/tariffs.md', 'utf8'), 'docs/tariffs.md is out of date: npm run tariffs:check').to.equal(true);
    expect(renderTariffPage(walkProducts('products'))).to.equal(page);
  });

  it('walks every table of every shipped product, the period and the minimum premium', () => {
    expect(reports.map((r) => r.file)).to.have.length(14);
    for (const r of reports) {
      const steps = r.definition.plan.steps;
      const expected = steps.length + steps.filter((s) => s.altQuantity !== undefined).length + 1 + (r.definition.plan.minimumPremiumFen && steps.length === 0 ? 1 : 0);
      expect(r.tables, r.file).to.have.length(expected);
      for (const t of r.tables) expect(t.probes.length, `${r.file} ${t.key}`).to.be.at.least(1);
    }
  });

  it('probes each band edge just below, at and just above, on the row the filing gives', () => {
    expect(probe('FIRST-SET-EQUIPMENT', 'transactionAmount', '500 万元')).to.include({ outcome: 'priced', coefficient: '2–3 (default 2.5)' });
    expect(probe('FIRST-SET-EQUIPMENT', 'transactionAmount', '499.99 万元').row).to.match(/^b1 /);
    expect(probe('FIRST-SET-EQUIPMENT', 'transactionAmount', '500.01 万元')).to.include({ outcome: 'priced', coefficient: '1.5–2 (default 1.75)' });
    expect(probe('FIRST-SET-EQUIPMENT', 'transactionAmount', '0 万元').outcome).to.equal('refused');
  });

  it('shows that a gap the filing leaves unbanded is not priced: §4c ratio 1.5, §4b deductible 7.5%', () => {
    const ratio = probe('IP-ENFORCEMENT-INFRINGED-LOSS', 'perEventRatio', '1.5 ratio');
    expect(ratio.why).to.equal('gap (1,2)');
    expect(ratio.outcome).to.not.equal('priced');
    expect(probe('IP-INFRINGEMENT-LIABILITY-A', 'deductibleRate', '7.5 %').outcome).to.not.equal('priced');
    expect(probe('IP-INFRINGEMENT-LIABILITY-A', 'deductibleRate', '10 %')).to.include({ outcome: 'priced', coefficient: '1' });
  });

  it('rates every row of a category table and refuses a value that is not a filed choice', () => {
    const channel = table('FIRST-SET-EQUIPMENT', 'channel').probes;
    expect(channel.map((p) => [p.value, p.outcome])).to.deep.equal([['direct', 'priced'], ['other', 'priced'], ['not-a-filed-choice', 'refused']]);
    expect(channel[2]!.detail).to.match(/^400: \/inputs\/channel /);
  });

  it('walks the short-period scale month by month and refuses a 13th month', () => {
    const period = table('UFTL-PERFORMANCE-BOND', 'period').probes;
    expect(period.slice(0, 12).map((p) => p.coefficient)).to.deep.equal(['10%', '20%', '30%', '40%', '50%', '60%', '70%', '80%', '85%', '90%', '95%', '100%']);
    expect(period[12]).to.include({ value: '13 months', outcome: 'refused' });
  });

  it('shows where the product quality liability minimum premium (5,000 元) binds', () => {
    const probes = table('PRODUCT-QUALITY-LIABILITY', 'minimum-premium').probes;
    // 5,000 元 ÷ 0.3% = 1,666,666.67 元: 166.65万 and 166.66万 are raised to the minimum, 166.67万 is not.
    expect(probes.map((p) => [p.value, p.coefficient, p.detail])).to.deep.equal([
      ['166.65 万元', 'minimum applied', 'gross 5,000.00 元'],
      ['166.66 万元', 'minimum applied', 'gross 5,000.00 元'],
      ['166.67 万元', 'minimum not reached', 'gross 5,000.10 元'],
    ]);
  });

  describe('reaching a value', () => {
    const builder = new InputBuilder({
      form: { fields: [
        { key: 'aggregate', type: 'money', unit: '万元' }, { key: 'perEvent', type: 'money', unit: '万元' }, { key: 'contract', type: 'money', unit: '万元' },
        { key: 'deductible', type: 'enum', unit: '%', options: [{ value: '0' }, { value: '5' }, { value: '10' }] },
      ] },
      plan: { quantities: [{ key: 'ratio', op: 'ratio', of: ['aggregate', 'perEvent'] }, { key: 'cover', op: 'ratio', of: ['aggregate', 'contract'] }] },
    });
    const base = { aggregate: 300, perEvent: 100, contract: 600, deductible: '5' };

    it('reaches a ratio through its denominator when exact, else its numerator, holding the other ratios', () => {
      expect(builder.set('ratio', new Decimal('1.5'), base)).to.deep.include({ aggregate: 300, perEvent: '200' });
      const above = builder.set('ratio', new Decimal('3.01'), base)!;
      expect(builder.value('ratio', above)!.toFixed()).to.equal('3.01');
      // 300 ÷ 3.01 is no amount to the fen, so the aggregate moves, and the contract with it:
      // aggregate ÷ contract, read by another table, stays at the vector's 0.5.
      expect(above).to.deep.include({ aggregate: '301', perEvent: 100, contract: '602' });
      expect(builder.value('cover', above)!.toFixed()).to.equal('0.5');
    });

    it('sends a filed choice as its option and a value between choices as text for the engine to refuse', () => {
      expect(builder.set('deductible', new Decimal(10), base)).to.deep.include({ deductible: '10' });
      expect(builder.set('deductible', new Decimal('7.5'), base)).to.deep.include({ deductible: '7.5' });
    });
  });
});
