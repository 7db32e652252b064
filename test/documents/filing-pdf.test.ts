import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Response } from 'supertest';
import { buildFilingView } from '../../src/documents/filing-view.ts';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

interface Band { key: string; label: { zh: string }; lower?: string; lowerInclusive?: boolean; upper?: string; upperInclusive?: boolean; range: { min: string; max: string }; values?: string[] }
interface Step { kind: string; label: { zh: string }; unit?: string; rows: Band[] }
const definition = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as {
  code: string; version: string; plan: { steps: Step[]; sections: { ratePercent: string }[]; period: { scale: { months: number; percent: string }[] } }; underwriting: { reason: { zh: string } }[];
};

function binary(res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

const UNIT: Record<string, string> = { '万元': '万元', '%': '%' };
/** How the filing states a band's bound: the value, its unit and whether it is inclusive; "—" for an open end. */
function boundText(value: string | undefined, inclusive: boolean, unit: string | undefined): string {
  if (value === undefined) return '—';
  if (!(unit! in UNIT)) throw new Error(`unexpected unit ${unit}`);
  return `${value}${UNIT[unit!]}（${inclusive ? '含' : '不含'}）`;
}

describe('documents: the filing document (费率表)', function () {
  this.timeout(60_000);
  const t = useTestApp();
  const path = `/v1/products/${definition.code}/versions/${definition.version}/filing.pdf`;
  const get = (key: keyof typeof t.keys) => t.http.get(path).set(bearer(t.keys[key])).buffer(true).parse(binary as never) as unknown as Promise<Response>;
  let text: string;

  before(async () => {
    await publishShippedProducts();
    const res = await get('underwriter');
    expect(res.status, String(res.body)).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/pdf/);
    expect(res.headers['content-disposition']).to.contain(`filename*=UTF-8''${encodeURIComponent(`费率表-${definition.code}-${definition.version}.pdf`)}`);
    text = await extractPdfText(res.body as Buffer, { layout: true });
  });

  it('shows every band of every table with its bounds (inclusive or not) and its filed range, table by table', () => {
    const steps = definition.plan.steps;
    expect(steps.length).to.be.at.least(5);
    for (const [i, step] of steps.entries()) {
      const start = text.search(new RegExp(`表 ${i + 1}\\s+${step.label.zh.replace(/[()（）]/g, '.')}`));
      expect(start, `heading of table ${i + 1} ${step.label.zh}`).to.be.greaterThan(-1);
      const end = i + 1 < steps.length ? start + text.slice(start).search(new RegExp(`表 ${i + 2}\\s`)) : text.indexOf('短期费率表', start);
      expect(end, `end of table ${i + 1}`).to.be.greaterThan(start);
      const lines = text.slice(start, end).split('\n');
      for (const row of step.rows) {
        const range = `${row.range.min} – ${row.range.max}`;
        if (step.kind === 'bands') {
          const lower = boundText(row.lower, row.lowerInclusive === true, step.unit);
          const upper = boundText(row.upper, row.upperInclusive !== false, step.unit);
          const line = lines.find((l) => l.includes(lower) && l.includes(upper) && l.includes(range));
          expect(line, `${step.label.zh} ${row.key}: ${lower} ${upper} ${range}`).to.be.a('string');
        } else {
          expect(lines.some((l) => l.includes(range)), `${step.label.zh} ${row.key}: ${range}`).to.equal(true);
        }
      }
    }
  });

  it('shows the base rate, the short-period scale and the underwriting rules in words', () => {
    expect(text).to.contain(`${definition.plan.sections[0]!.ratePercent}%`);
    const scale = text.slice(text.indexOf('短期费率表'));
    for (const { months, percent } of definition.plan.period.scale) {
      expect(scale).to.contain(`${months} 个月`);
      expect(scale).to.contain(`${percent}%`);
    }
    for (const rule of definition.underwriting) expect(text.replace(/\s+/g, '')).to.contain(rule.reason.zh.replace(/\s+/g, ''));
    expect(text).to.contain('拒保');
    expect(text).to.contain('转人工核保');
  });

  it('is for the insurer\'s own staff: 403 for brokers, 404 for another insurer', async () => {
    expect((await get('broker')).status).to.equal(403);
    expect((await get('otherInsurerAdmin')).status).to.equal(404);
  });

  it('builds the filing view of a stored draft whose steps, rows or rules lack labels (keys instead), never throwing', () => {
    const draft = structuredClone(definition) as unknown as { plan: { steps: { key: string; label?: unknown; rows?: { key: string; label?: unknown }[] }[] }; underwriting: { key: string; reason?: unknown }[] };
    const step = draft.plan.steps.find((s) => s.rows?.length)!;
    delete step.label;
    delete step.rows![0]!.label;
    delete draft.underwriting[0]!.reason;
    const view = buildFilingView(draft as never, '科创', 'draft', { today: '2026-12-06' });
    const table = view.tables.find((t) => t.label === step.key)!;
    expect(table, 'the step is shown by its key').to.not.equal(undefined);
    expect(table.rows[0]!.label).to.equal(step.rows![0]!.key);
    expect(view.rules[0]!.reason).to.equal(draft.underwriting[0]!.key);
  });
});
