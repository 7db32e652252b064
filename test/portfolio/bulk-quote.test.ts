import { expect } from 'chai';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { QuoteModel } from '../../src/quotes/quote-model.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const base = baseVector!.inputs as Record<string, unknown> & { equipment: Record<string, unknown>[] };

const scalarKeys = Object.keys(base).filter((k) => k !== 'equipment');
const header = ['reference', 'productCode', 'enterpriseCode', 'startDate', ...scalarKeys, 'equipment.0.name', 'equipment.0.model', 'equipment.0.units'];
const cell = (v: unknown) => {
  const s = String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
/** A CSV line of the base risk with some cells replaced. */
function line(changes: Record<string, unknown> = {}): string {
  const values: Record<string, unknown> = { reference: 'R', productCode: PRODUCT, enterpriseCode: 'HZZZ', startDate: today(), ...base, 'equipment.0.name': base.equipment[0]!.name, 'equipment.0.model': base.equipment[0]!.model, 'equipment.0.units': base.equipment[0]!.units, ...changes };
  return header.map((h) => cell(values[h])).join(',');
}
const csv = (...lines: string[]) => [header.join(','), ...lines].join('\r\n') + '\r\n';

interface ResultRow { row: string; reference: string; status: string; decision: string; grossPremiumFen: string; vatFen: string; subsidyFen: string; netCostFen: string; quoteNumber: string; errors: string }

describe('Bulk quoting (CSV)', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  before(async function () {
    this.timeout(120_000);
    await publishShippedProducts();
  });

  async function bulk(body: string | Buffer, query = '', key: keyof typeof t.keys = 'broker') {
    return t.http.post(`/v1/pricing/bulk${query}`).set(as(key)).set('Content-Type', 'text/csv').send(body);
  }
  const rowsOf = (text: string) => parse(text, { columns: true, bom: true }) as ResultRow[];

  it('prices every good row and reports bad rows by row and column, without stopping the batch', async () => {
    const body = csv(
      line({ reference: 'good-1' }),
      line({ reference: 'neg', contractAmount: '-5' }),
      line({ reference: 'text-number', lossRatio: 'thirty' }),
      line({ reference: 'bad-enum', equipmentType: 'spaceship' }),
      `${line({ reference: 'extra-cell' })},surplus`,
      line({ reference: 'good-2', contractAmount: '1,500', lossRatio: '30%' }),
      line({ reference: 'bad-item', 'equipment.0.units': 'two' }),
    );
    const res = await bulk(body);
    expect(res.status, res.text).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/csv/);
    expect(res.text.charCodeAt(0)).to.equal(0xfeff); // BOM for Excel
    const rows = rowsOf(res.text);
    expect(rows.map((r) => [r.row, r.reference, r.status])).to.deep.equal([
      ['2', 'good-1', 'priced'], ['3', 'neg', 'error'], ['4', 'text-number', 'error'], ['5', 'bad-enum', 'error'],
      ['6', '', 'error'], ['7', 'good-2', 'priced'], ['8', 'bad-item', 'error'],
    ]);
    const good = rows[0]!;
    expect(Number(good.grossPremiumFen)).to.equal(baseVector!.expected.grossPremiumFen);
    expect(good.decision).to.equal('quoted');
    expect(Number(good.vatFen)).to.be.greaterThan(0);
    expect(Number(good.netCostFen)).to.equal(Number(good.grossPremiumFen) - Number(good.subsidyFen));
    expect(rows[1]!.errors).to.match(/^row 3, column contractAmount: must be between/);
    expect(rows[2]!.errors).to.equal('row 4, column lossRatio: must be a number (got "thirty")');
    expect(rows[3]!.errors).to.match(/^row 5, column equipmentType: must be one of power-generation/);
    expect(rows[4]!.errors).to.equal(`row 6: has ${header.length + 1} cells but the header has ${header.length} columns`);
    expect(Number(rows[5]!.grossPremiumFen)).to.be.greaterThan(0);
    expect(rows[6]!.errors).to.equal('row 8, column equipment.0.units: must be a number (got "two")');
    expect(await QuoteModel.countDocuments()).to.equal(0);
  });

  it('names an unknown column on the rows that fill it', async () => {
    const body = [`${header.join(',')},contractAmout`, `${line({ reference: 'typo' })},900`, `${line({ reference: 'empty-typo' })},`].join('\n');
    const rows = rowsOf((await bulk(body)).text);
    expect(rows[0]!.status).to.equal('error');
    expect(rows[0]!.errors).to.match(/^row 2, column contractAmout: is not a column of product FIRST-SET-EQUIPMENT/);
    expect(rows[1]!.status).to.equal('priced');
  });

  it('reads a file with a BOM, a product for the whole file, JSON lists and 是/否 cells, and answers JSON', async () => {
    const cols = ['contractAmount', 'aggregateLimit', 'perEventEquipmentLimit', 'perEventThirdPartyLimit', 'deductibleAmount', 'deductibleRate', 'equipmentType', 'qualityManagement', 'lossRatio', 'channel', 'userOrder', 'catalogueEntry', 'equipment'];
    const values = cols.map((c) => cell(c === 'equipment' ? JSON.stringify(base.equipment) : base[c]));
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${cols.join(',')}\n${values.join(',')}\n`)]);
    const res = await bulk(body, `?product=${PRODUCT}&format=json`);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.columns[0]).to.equal('contractAmount');
    expect(res.body.rows).to.have.length(1);
    expect(res.body.rows[0]).to.include({ row: 2, status: 'priced', decision: 'quoted', grossPremiumFen: baseVector!.expected.grossPremiumFen });
    expect(res.body.summary).to.include({ rows: 1, priced: 1, failed: 0, grossPremiumFen: baseVector!.expected.grossPremiumFen });
  });

  it('answers 400 for an empty file, a header without rows or without a product, and 415 for JSON', async () => {
    const empty = await bulk('');
    expect(empty.status).to.equal(400);
    expect(empty.body.error.message).to.match(/The CSV file is empty/);
    const bomOnly = await bulk(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bomOnly.status).to.equal(400);
    const headerOnly = await bulk(`${header.join(',')}\n`);
    expect(headerOnly.status).to.equal(400);
    expect(headerOnly.body.error.message).to.match(/header but no rows/);
    const noProduct = await bulk('contractAmount\n100\n');
    expect(noProduct.status).to.equal(400);
    expect(noProduct.body.error.details[0].path).to.equal('header.productCode');
    const json = await t.http.post('/v1/pricing/bulk').set(as('broker')).send({ rows: [] });
    expect(json.status).to.equal(415);
  });

  it('saves one quote per row, and a re-run of the same batch returns the same quotes', async () => {
    const body = csv(line({ reference: 'a' }), line({ reference: 'b', contractAmount: 2000, aggregateLimit: 2000, perEventEquipmentLimit: 2000 }), line({ reference: 'bad', userOrder: 'x' }));
    const first = rowsOf((await bulk(body, '?save=true&batchId=park-2025-07')).text);
    expect(first.map((r) => r.status)).to.deep.equal(['saved', 'saved', 'error']);
    expect(first[0]!.quoteNumber).to.match(/^Q\d{8}[A-Z2-9]{6}$/);
    expect(await QuoteModel.countDocuments()).to.equal(2);
    const again = rowsOf((await bulk(body, '?save=true&batchId=park-2025-07')).text);
    expect(again.map((r) => r.status)).to.deep.equal(['replayed', 'replayed', 'error']);
    expect(again.map((r) => r.quoteNumber)).to.deep.equal(first.map((r) => r.quoteNumber));
    expect(await QuoteModel.countDocuments()).to.equal(2);
  });

  it('saves a file of several batches (two in flight) with its rows in file order, and replays it whole', async () => {
    const broker = await t.services.auth.resolveApiKey(t.keys.broker);
    const body = csv(...Array.from({ length: 9 }, (_, i) => line(i === 4 ? { reference: 'bad', userOrder: 'x' } : { reference: `m${i}`, contractAmount: 1000 + i })));
    const run = async () => {
      const started = await t.services.portfolio.startBulkQuote(broker, () => Readable.from([body]), { save: true, batchId: 'several-batches', saveBatchSize: 2 });
      const rows = [];
      for await (const r of started.rows) rows.push(r);
      return { rows, summary: started.summary };
    };
    const first = await run();
    expect(first.rows.map((r) => [r.row, r.reference, r.status])).to.deep.equal(Array.from({ length: 9 }, (_, i) => [i + 2, i === 4 ? 'bad' : `m${i}`, i === 4 ? 'error' : 'saved']));
    expect(first.summary).to.include({ rows: 9, saved: 8, failed: 1 });
    expect(await QuoteModel.countDocuments({ idempotencyScope: { $regex: ':bulk:several-batches:' } })).to.equal(8);
    const again = await run();
    expect(again.rows.map((r) => r.status)).to.deep.equal(first.rows.map((r) => (r.status === 'saved' ? 'replayed' : 'error')));
    expect(again.rows.map((r) => r.quoteId)).to.deep.equal(first.rows.map((r) => r.quoteId));
  });

  it('refuses save without a batch id, and save by anyone but a broker', async () => {
    expect((await bulk(csv(line()), '?save=true')).status).to.equal(400);
    expect((await bulk(csv(line()), '?save=true&batchId=x', 'underwriter')).status).to.equal(403);
  });

  it('reports an unknown enterprise code and an unknown product on their columns', async () => {
    const rows = rowsOf((await bulk(csv(line({ enterpriseCode: 'NOPE' }), line({ productCode: 'NO-SUCH-PRODUCT' })))).text);
    expect(rows[0]!.errors).to.equal('row 2, column enterpriseCode: no enterprise has the code NOPE');
    expect(rows[1]!.errors).to.equal('row 3, column productCode: The product NO-SUCH-PRODUCT was not found.');
  });

  it('reads list items from <list>.<n>.<field> columns, skips empty items, and names a bad item cell', async () => {
    const [vector] = shippedVectors('ip-patent-enforcement.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
    const inputs = vector!.inputs as Record<string, unknown> & { patents: Record<string, string>[] };
    const scalars = Object.keys(inputs).filter((k) => k !== 'patents');
    const patentCols = [0, 1, 2].flatMap((n) => ['patentNo', 'title', 'type'].map((f) => `patents.${n}.${f}`));
    const patentCells = (patents: Record<string, string>[]) => [0, 1, 2].flatMap((n) => ['patentNo', 'title', 'type'].map((f) => patents[n]?.[f] ?? ''));
    const body = [
      ['productCode', ...scalars, ...patentCols].join(','),
      ['IP-PATENT-ENFORCEMENT', ...scalars.map((k) => String(inputs[k])), ...patentCells(inputs.patents)].join(','),
      ['IP-PATENT-ENFORCEMENT', ...scalars.map((k) => String(inputs[k])), ...patentCells([inputs.patents[0]!, { ...inputs.patents[1]!, type: 'trade-secret' }])].join(','),
    ].join('\n');
    const rows = rowsOf((await bulk(body)).text);
    expect(rows[0]!.status, rows[0]!.errors).to.equal('priced');
    expect(Number(rows[0]!.grossPremiumFen)).to.equal(vector!.expected.grossPremiumFen);
    expect(rows[1]!.errors).to.match(/^row 3, column patents\.1\.type: must be one of /);
  });
});
