// #26 Instalments, pure: a declared schedule laid on a start date and a gross premium to the fen
// (shares rounded half-up, the last instalment takes the remainder), payments allocated oldest
// first, and the compile checks of a declared schedule.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { sampleQuoteSource } from '../../bench/fixtures/sample-quote.ts';
import { compileDocumentTemplates } from '../../src/documents/document-templates.ts';
import { yuanDigits } from '../../src/documents/document-view.ts';
import { allocatePayments, checkInstalmentRules, compileProduct, instalmentSchedule, ProductCompileError } from '../../src/rating/index.ts';

const amounts = (rules: Parameters<typeof instalmentSchedule>[0], gross: number) => instalmentSchedule(rules, '2025-01-31', gross).map((i) => i.amountFen);

describe('Instalments (#26): schedule to the fen and allocation oldest first', () => {
  it('rounds each share half-up to the fen and gives the last the remainder, so they add up to the gross premium', () => {
    const thirds = [{ dueOffsetDays: 0, percent: '33.33' }, { dueOffsetDays: 30, percent: '33.33' }, { dueOffsetDays: 60, percent: '33.34' }];
    expect(amounts(thirds, 100)).to.deep.equal([33, 33, 34]);
    expect(amounts(thirds, 1_000_001)).to.deep.equal([333_300, 333_300, 333_401]); // 333,300.33 each, the last 1,000,001 − 666,600
    const halves = [{ dueOffsetDays: 0, percent: '50' }, { dueOffsetMonths: 6, percent: '50' }];
    expect(amounts(halves, 5)).to.deep.equal([3, 2]); // 2.5 → 3 (half-up), the last takes 2
    const quarter = [{ dueOffsetDays: 0, percent: '40' }, { dueOffsetMonths: 3, percent: '30' }, { dueOffsetMonths: 6, percent: '30' }];
    expect(amounts(quarter, 3_600_001)).to.deep.equal([1_440_000, 1_080_000, 1_080_001]);
  });

  it('dates each instalment from the start date, a month-end start clamped to the month\'s last day', () => {
    const rules = [{ dueOffsetDays: 0, percent: '25' }, { dueOffsetMonths: 1, percent: '25' }, { dueOffsetDays: 45, percent: '25' }, { dueOffsetMonths: 12, percent: '25' }];
    expect(instalmentSchedule(rules, '2025-01-31', 400).map((i) => i.dueDate)).to.deep.equal(['2025-01-31', '2025-02-28', '2025-03-17', '2026-01-31']);
    expect(instalmentSchedule(rules, '2024-01-31', 400)[1]!.dueDate).to.equal('2024-02-29');
  });

  it('allocates payments in the order received, each filling the earliest instalment not yet paid', () => {
    const schedule = instalmentSchedule([{ dueOffsetDays: 0, percent: '40' }, { dueOffsetMonths: 3, percent: '30' }, { dueOffsetMonths: 6, percent: '30' }], '2025-01-01', 1_000_000);
    // Recorded out of order: B (received later) is recorded first; allocation goes by the day received.
    const allocated = allocatePayments(schedule, [
      { reference: 'B', amountFen: 350_000, receivedOn: '2025-03-01' },
      { reference: 'A', amountFen: 450_000, receivedOn: '2025-01-05' },
    ], '2025-08-01');
    expect(allocated.map((i) => [i.n, i.dueDate, i.amountFen, i.receivedFen, i.outstandingFen, i.status, i.overdue])).to.deep.equal([
      [1, '2025-01-01', 400_000, 400_000, 0, 'paid', false],
      [2, '2025-04-01', 300_000, 300_000, 0, 'paid', false],
      [3, '2025-07-01', 300_000, 100_000, 200_000, 'part-paid', true],
    ]);
    expect(allocated.map((i) => i.payments)).to.deep.equal([
      [{ reference: 'A', amountFen: 400_000 }],
      [{ reference: 'A', amountFen: 50_000 }, { reference: 'B', amountFen: 250_000 }],
      [{ reference: 'B', amountFen: 100_000 }],
    ]);
    expect(allocatePayments(schedule, [], '2025-01-01').map((i) => [i.status, i.overdue])).to.deep.equal([['unpaid', false], ['unpaid', false], ['unpaid', false]]);
  });

  it('refuses a schedule whose shares do not add up to 100, that is out of order or names no due offset', () => {
    expect(checkInstalmentRules([{ dueOffsetDays: 0, percent: '50' }, { dueOffsetDays: 30, percent: '49.99' }])).to.deep.equal([{ path: '/instalments', message: 'instalment shares must add up to 100' }]);
    expect(checkInstalmentRules([{ dueOffsetMonths: 2, percent: '50' }, { dueOffsetDays: 30, percent: '50' }])).to.deep.equal([{ path: '/instalments/1', message: 'must fall due after the instalment before it' }]);
    expect(checkInstalmentRules([{ percent: '50' }, { dueOffsetDays: 30, dueOffsetMonths: 1, percent: '50' }]).map((p) => p.message)).to.deep.equal(['needs exactly one of dueOffsetDays or dueOffsetMonths', 'needs exactly one of dueOffsetDays or dueOffsetMonths']);
    // compileProduct reports them with the definition's other problems.
    const definition = { ...JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')), instalments: [{ dueOffsetDays: 0, percent: '60' }, { dueOffsetDays: 90, percent: '30' }] };
    expect(() => compileProduct(definition)).to.throw(ProductCompileError).with.property('details').that.deep.includes({ path: '/instalments', message: 'instalment shares must add up to 100' });
    expect(() => compileProduct({ ...definition, instalments: [{ dueOffsetDays: 0, percent: '60' }, { dueOffsetMonths: 6, percent: '40' }] })).not.to.throw();
  });

  it('prints the schedule on the policy schedule in both languages (due dates, shares, amounts to the fen)', () => {
    const templates = compileDocumentTemplates();
    const plain = sampleQuoteSource();
    const rules = [{ dueOffsetDays: 0, percent: '33.33' }, { dueOffsetMonths: 4, percent: '33.33' }, { dueOffsetMonths: 8, percent: '33.34' }];
    const source = { ...plain, kind: 'policy' as const, policyNumber: 'P2025INSTALMENT', issuedOn: '2025-06-01', definition: { ...plain.definition, instalments: rules } };
    const gross = source.result.grossPremiumFen;
    const expected = instalmentSchedule(rules, source.startDate, gross);
    expect(expected.reduce((sum, i) => sum + i.amountFen, 0)).to.equal(gross);
    for (const [lang, heading, method] of [['zh-CN', '分期缴费计划', '分期缴费（共 3 期'], ['en', 'Instalment schedule', 'By instalments (3 in all']] as const) {
      const html = templates.renderHtml(templates.view(source, lang));
      expect(html).to.contain(heading).and.contain(method);
      for (const i of expected) expect(html, `${lang} instalment ${i.n}`).to.contain(`<td>${i.n}</td><td>${i.dueDate}</td><td class="num">${i.percent}%</td><td class="num">${yuanDigits(i.amountFen)}</td>`);
    }
    expect(expected.map((i) => i.dueDate)).to.deep.equal([source.startDate, '2025-10-01', '2026-02-01']);
    // Without a schedule: paid in one sum, no schedule printed.
    const lump = templates.renderHtml(templates.view({ ...source, definition: plain.definition }, 'zh-CN'));
    expect(lump).to.contain('一次性缴清').and.not.contain('分期缴费计划');
  });
});
