// Templates by their rendered HTML (no browser): escaping, order of the money, both languages.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { sampleQuoteSource } from '../../bench/fixtures/sample-quote.ts';
import { compileDocumentTemplates, DEFAULT_TEMPLATES_DIR } from '../../src/documents/document-templates.ts';
import { yuanDigits, moneyInputToFen } from '../../src/documents/document-view.ts';

describe('documents/templates', () => {
  const templates = compileDocumentTemplates();

  it('formats fen as yuan with two decimals and thousands separators, and 万元 inputs exactly', () => {
    expect(yuanDigits(0)).to.equal('0.00');
    expect(yuanDigits(5)).to.equal('0.05');
    expect(yuanDigits(16635679)).to.equal('166,356.79');
    expect(yuanDigits(100_000_000_00)).to.equal('100,000,000.00');
    expect(yuanDigits(-123456)).to.equal('-1,234.56');
    expect(moneyInputToFen(1000, '万元')).to.equal(10_000_000_00);
    expect(moneyInputToFen('0.01', '万元')).to.equal(100_00);
    expect(moneyInputToFen('12.34', '元')).to.equal(1234);
  });

  it('never uses the unescaped {{{ }}} form', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    for (const file of files(DEFAULT_TEMPLATES_DIR).filter((f) => f.endsWith('.hbs'))) {
      expect(readFileSync(file, 'utf8'), file).not.to.contain('{{{');
    }
  });

  it('escapes user text from names and form inputs', () => {
    const source = sampleQuoteSource({
      enterpriseName: '<img src="http://127.0.0.1:9/x">',
      inputs: { ...sampleQuoteSource().inputs, catalogueEntry: '<script>alert(1)</script>', equipment: [{ name: '"><iframe src=//x>', model: "a'b&c", units: 1 }] },
    });
    for (const lang of ['zh-CN', 'en'] as const) {
      const html = templates.renderHtml(templates.view(source, lang));
      expect(html).not.to.match(/<img|<script|<iframe/i);
      expect(html).to.contain('&lt;img src&#x3D;&quot;http://127.0.0.1:9/x&quot;&gt;');
      expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).to.contain('a&#x27;b&amp;c');
      expect(html).not.to.match(/(src|href)=["']?(https?:)?\/\//i);
    }
  });

  it('shows the money in the order of the domain notes: gross, VAT, subsidy layers, net cost, pool, worksheet', () => {
    const source = sampleQuoteSource();
    const r = source.result;
    const html = templates.renderHtml(templates.view(source, 'zh-CN'));
    const at = (s: string) => {
      const i = html.indexOf(s);
      expect(i, s).to.be.greaterThan(-1);
      return i;
    };
    const order = [
      at('保险费（含增值税，价税合计）'), at(yuanDigits(r.grossPremiumFen)), at('其中：增值税（税率 6%）'), at(yuanDigits(r.vatFen)),
      at('预计可申请补贴（非保费折扣）'), at(r.subsidies.layers[0]!.name.zh), at('预计可申请补贴合计'),
      at('扣除预计补贴后企业净成本'), at('共保体份额'), at('附录：费率计算表'),
    ];
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    expect(r.subsidies.layers.some((l) => l.capBit)).to.equal(true);
    expect(html).to.contain('已触及上限');
    expect(html).to.contain('杭州智造装备有限公司');
  });

  it('prints English labels in the en variant, the legal Chinese name beside the English one', () => {
    const view = templates.view(sampleQuoteSource(), 'en');
    const html = templates.renderHtml(view);
    expect(html).to.contain('<html lang="en">');
    expect(html).to.contain('Technology Insurance Quotation');
    expect(html).to.contain('Hangzhou Smart Equipment Co., Ltd. (杭州智造装备有限公司)');
    expect(html).not.to.contain('报价单号');
    expect(view.pdfTitle).to.equal('Technology Insurance Quotation Q20250601K7M2QX');
  });

  it('has a template version that changes with the template files', () => {
    expect(templates.version).to.match(/^[0-9a-f]{16}$/);
    expect(compileDocumentTemplates().version).to.equal(templates.version);
  });
});
