import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { resolveApiKey } from '../../src/auth/auth-service.ts';
import { createVersion, updateDraft } from '../../src/catalogue/product-versions.ts';
import { getVersion } from '../../src/catalogue/version-reads.ts';
import { createPoolMembership } from '../../src/pools/pool-membership.ts';
import { csvText, neutraliseCsvCell, restoreCsvCell } from '../../src/http/csv-export.ts';
import type { ProductDefinition } from '../../src/rating/index.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

/** Pools' side of the catalogue's PoolMembership port, as src/service.ts passes it. */
const pools = createPoolMembership();

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
/** Names a spreadsheet would run as formulas (OWASP CSV injection), as clients register them. */
const HOSTILE = ['=HYPERLINK("http://x")', '+1', '@SUM(1)', '-2+3'];
const FORMULA_START = /^[=+\-@\t\r]/;

/** Every cell of a CSV export (BOM first, once). */
function csvCells(text: string): string[] {
  expect(text.startsWith('\ufeff')).to.equal(true);
  expect(text.slice(1)).not.to.include('\ufeff');
  return (parse(text, { bom: true, relax_column_count: true }) as string[][]).flat();
}

/** No cell begins like a formula unless it is a plain number. */
function expectNeutral(cells: string[], what: string) {
  for (const cell of cells) if (FORMULA_START.test(cell)) expect(cell, `${what}: ${cell}`).to.match(/^-?\d+(\.\d+)?$/);
}

const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** Every text cell of a workbook is a string cell, never a formula; returns the texts. */
async function xlsxTexts(bytes: Buffer): Promise<string[]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as never);
  const texts: string[] = [];
  for (const sheet of book.worksheets) {
    sheet.eachRow((row) => row.eachCell((cell) => {
      expect(cell.type, `${sheet.name}!${cell.address}`).not.to.equal(ExcelJS.ValueType.Formula);
      expect(cell.formula, `${sheet.name}!${cell.address}`).to.equal(undefined);
      if (typeof cell.value === 'string') {
        expect(cell.type).to.equal(ExcelJS.ValueType.String);
        texts.push(cell.value);
      }
    }));
  }
  return texts;
}

describe('Hardening: exports safe to open (issue #23)', () => {
  describe('the CSV writer (src/http/csv-export.ts)', () => {
    it('neutralises every cell that begins with = + - @ tab or CR, except a plain number, and restores it exactly', () => {
      expect(HOSTILE.map(neutraliseCsvCell)).to.deep.equal(HOSTILE.map((h) => `'${h}`));
      expect(['\tx', '\rx', '-', '+', '=', '@'].map(neutraliseCsvCell)).to.deep.equal(["'\tx", "'\rx", "'-", "'+", "'=", "'@"]);
      expect(['-12.50', '-3', '0', '12', 'text', '', "'plain", '中文'].map(neutraliseCsvCell)).to.deep.equal(['-12.50', '-3', '0', '12', 'text', '', "'plain", '中文']);
      const tricky = [...HOSTILE, "'=1", "''@x", "'-5", "'", "'a", '-5', '-1e5', '+5', '', 'a=b'];
      for (const text of tricky) expect(restoreCsvCell(neutraliseCsvCell(text)), JSON.stringify(text)).to.equal(text);
    });

    it('writes the BOM once and numbers as numbers', () => {
      const text = csvText([['=1+1', -2, '-2.50', '@SUM(1)']]);
      expect(text).to.equal("\ufeff'=1+1,-2,-2.50,'@SUM(1)\n");
    });
  });

  describe('every export', () => {
    const t = useTestApp();
    const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
    const year = today().slice(0, 4);

    before(async function () {
      this.timeout(120_000);
      await publishShippedProducts();
      // Each hostile name is a client of the demo broker with a bound policy on the shipped pool product.
      for (const [i, name] of HOSTILE.entries()) {
        const code = `91330106CSVINJ000${i}`;
        const linked = await t.http.post('/v1/clients').set(as('broker')).send({ unifiedSocialCreditCode: code, name, regionCode: '330106', qualifications: ['high-tech', 'specialised-sme'] });
        expect(linked.status, linked.text).to.equal(201);
        const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: linked.body.enterprise.id, inputs: structuredClone(baseVector!.inputs), startDate: today() });
        expect(quote.status, quote.text).to.equal(201);
        expect((await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'))).status).to.equal(201);
      }
    });

    it('neutralises the clients\' names in the pool statement CSV; the XLSX holds them as text', async () => {
      const query = `from=${year}-01-01&to=${today()}`;
      const csv = await t.http.get(`/v1/pools/statement?${query}&format=csv`).set(as('otherInsurerAdmin')).buffer(true);
      expect(csv.status).to.equal(200);
      const cells = csvCells(csv.text);
      for (const name of HOSTILE) expect(cells).to.include(`'${name}`);
      expectNeutral(cells, 'pool statement CSV');
      const xlsx = await t.http.get(`/v1/pools/statement?${query}&format=xlsx`).set(as('otherInsurerAdmin')).buffer(true).parse(binary as never);
      expect(xlsx.status).to.equal(200);
      expect(await xlsxTexts(xlsx.body as Buffer)).to.include.members(HOSTILE);
    });

    it('neutralises them in the subsidy-year CSV; the XLSX holds them as text', async () => {
      const csv = await t.http.get(`/v1/subsidies/years/${year}/export?format=csv`).set(as('broker'));
      expect(csv.status, csv.text).to.equal(200);
      const cells = csvCells(csv.text);
      for (const name of HOSTILE) expect(cells).to.include(`'${name}`);
      expectNeutral(cells, 'subsidy-year CSV');
      const xlsx = await t.http.get(`/v1/subsidies/years/${year}/export?format=xlsx`).set(as('broker')).buffer(true).parse(binary as never);
      expect(xlsx.status).to.equal(200);
      expect(await xlsxTexts(xlsx.body as Buffer)).to.include.members(HOSTILE);
    });

    it('neutralises what bulk quoting echoes (reference, codes, errors) in its result CSV', async () => {
      const inputs = baseVector!.inputs as Record<string, unknown> & { equipment: Record<string, unknown>[] };
      const scalars = Object.keys(inputs).filter((k) => k !== 'equipment');
      const header = ['reference', 'productCode', 'enterpriseCode', 'startDate', ...scalars, 'equipment.0.name', 'equipment.0.model', 'equipment.0.units'];
      const quoted = (v: unknown) => `"${String(v).replaceAll('"', '""')}"`;
      const line = (reference: string, enterpriseCode = 'HZZZ', productCode = PRODUCT) => [reference, productCode, enterpriseCode, today(), ...scalars.map((k) => inputs[k]), inputs.equipment[0]!.name, inputs.equipment[0]!.model, inputs.equipment[0]!.units].map(quoted).join(',');
      const body = [header.join(','), line('=1+1'), line('@SUM(1)'), line('+1'), line('-2+3'), line('=HYPERLINK("http://x")', '=HYPERLINK("http://x")'), line('-7', 'HZZZ', '@PRODUCT')].join('\r\n');
      const res = await t.http.post('/v1/pricing/bulk').set(as('broker')).set('Content-Type', 'text/csv').send(body);
      expect(res.status, res.text).to.equal(200);
      const rows = parse(res.text, { bom: true, columns: true }) as Record<string, string>[];
      expect(rows.map((r) => r.reference)).to.deep.equal(["'=1+1", "'@SUM(1)", "'+1", "'-2+3", '\'=HYPERLINK("http://x")', '-7']);
      expect(rows[5]!.status).to.equal('error');
      expectNeutral(csvCells(res.text), 'bulk result CSV');
    });

    it('round-trips rate-table CSVs whose text looks like formulas through import exactly; the XLSX holds it as text', async () => {
      const admin = await resolveApiKey(t.keys.insurerAdmin);
      const draft = (await createVersion(pools, admin, PRODUCT, { cloneFrom: '2025.1' })).version;
      const definition = structuredClone((await getVersion(admin, PRODUCT, draft)).definition) as ProductDefinition & { testVectors: { name: string }[] };
      definition.testVectors[0]!.name = '=HYPERLINK("http://x")';
      definition.testVectors[1]!.name = "'@SUM(1)";
      definition.testVectors[2]!.name = '-2+3';
      await updateDraft(pools, admin, PRODUCT, draft, definition);
      const saved = (await getVersion(admin, PRODUCT, draft)).definition;
      const path = `/v1/products/${PRODUCT}/versions/${draft}/tables/test-vectors`;
      const csv = await t.http.get(`${path}?format=csv`).set(as('insurerAdmin'));
      expect(csv.status, csv.text).to.equal(200);
      const cells = csvCells(csv.text);
      expect(cells).to.include.members(['\'=HYPERLINK("http://x")', "''@SUM(1)", "'-2+3"]);
      expectNeutral(cells, 'rate table CSV');

      const imported = await t.http.put(path).set(as('insurerAdmin')).set('Content-Type', 'text/csv').send(csv.text);
      expect(imported.status, imported.text).to.equal(200);
      expect((await getVersion(admin, PRODUCT, draft)).definition).to.deep.equal(saved);

      const xlsx = await t.http.get(`/v1/products/${PRODUCT}/versions/${draft}/tables?format=xlsx`).set(as('insurerAdmin')).buffer(true).parse(binary as never);
      expect(xlsx.status).to.equal(200);
      expect(await xlsxTexts(xlsx.body as Buffer)).to.include.members(['=HYPERLINK("http://x")', "'@SUM(1)", '-2+3']);
    });

    it('keeps negative numbers of rate tables numbers in the CSV and through import', async () => {
      const admin = await resolveApiKey(t.keys.insurerAdmin);
      const draft = (await createVersion(pools, admin, PRODUCT, { cloneFrom: '2025.1' })).version;
      const path = `/v1/products/${PRODUCT}/versions/${draft}/tables/step.transactionAmount`;
      const csv = (await t.http.get(`${path}?format=csv`).set(as('insurerAdmin'))).text;
      // The first band's lower bound, made negative: a number, written as such, read back as such.
      const rows = parse(csv, { bom: true }) as string[][];
      const lower = rows[0]!.indexOf('lower');
      rows[1]![lower] = '-5';
      const edited = csvText(rows);
      expect(edited).to.include(',-5,').and.not.include("'-5");
      const imported = await t.http.put(path).set(as('insurerAdmin')).set('Content-Type', 'text/csv').send(edited);
      expect(imported.status, imported.text).to.equal(200);
      const back = parse((await t.http.get(`${path}?format=csv`).set(as('insurerAdmin'))).text, { bom: true }) as string[][];
      expect(back[1]![lower]).to.equal('-5');
    });
  });
});
