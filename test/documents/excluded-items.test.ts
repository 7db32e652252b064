// A blanket 首台（套） quotation lists the unit that is not insured, with its reason, in both
// languages; the premium it prints is that of the insured units (#29). Rendered HTML, no browser.
import { expect } from 'chai';
import { sampleQuoteSource } from '../../bench/fixtures/sample-quote.ts';
import { compileDocumentTemplates } from '../../src/documents/document-templates.ts';
import { yuanDigits } from '../../src/documents/document-view.ts';

describe('documents/excluded items', () => {
  const templates = compileDocumentTemplates();
  const equipment = [
    { name: '盾构机甲', model: 'ZTE6250', contractAmount: 400, userOrder: 1 },
    { name: '盾构机乙', model: 'ZTE6250', contractAmount: 350, userOrder: 2 },
    { name: '盾构机丙', model: 'ZTE6250', contractAmount: 250, userOrder: 4 },
  ];
  const source = () => sampleQuoteSource({ inputs: { ...sampleQuoteSource().inputs, equipment } });

  it('marks each unit insured or not insured with the reason, and prints the premium of the insured units', () => {
    const s = source();
    expect(s.result.excludedItems?.map((e) => e.index)).to.deep.equal([2]);
    const zh = templates.renderHtml(templates.view(s, 'zh-CN'));
    expect(zh).to.contain('<th>承保情况</th>');
    const rows = [...zh.matchAll(/<tr><td>(\d)<\/td><td>(盾构机.)<\/td>.*?<\/tr>/g)].map((m) => [m[2], /不予承保：([^<]+)/.exec(m[0])?.[1] ?? (m[0].includes('<td>承保</td>') ? '承保' : '')]);
    expect(rows).to.deep.equal([['盾构机甲', '承保'], ['盾构机乙', '承保'], ['盾构机丙', '购买方不在前三家用户之列，不属于首台（套）保险范围']]);
    expect(zh).to.contain(yuanDigits(s.result.grossPremiumFen));
    const en = templates.renderHtml(templates.view(s, 'en'));
    expect(en).to.contain('Not insured: The buyer is not among the first three users of the equipment');
  });

  it('adds no cover column when every unit is insured', () => {
    const zh = templates.renderHtml(templates.view(sampleQuoteSource(), 'zh-CN'));
    expect(zh).not.to.contain('承保情况');
  });
});
