import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { readdirSync, readFileSync } from 'node:fs';
import { resolveApiKey } from '../../src/auth/auth-service.ts';
import type { Caller } from '../../src/auth/caller.ts';
import { createVersion } from '../../src/catalogue/product-versions.ts';
import { createPoolMembership } from '../../src/pools/pool-membership.ts';
import { getVersion } from '../../src/catalogue/version-reads.ts';
import { saveRateTable } from '../../src/catalogue/rate-table-service.ts';
import { diffVersionTables } from '../../src/catalogue/table-diff.ts';
import { applyTableCells, listRateTables, locateCell, readTableCells } from '../../src/catalogue/rate-tables.ts';
import { applySheet, importTableSheet, importWorkbook, KEYS_SHEET, readSheets, sheetNameOf, tablesToXlsx, tableToCsv, type SheetWording } from '../../src/catalogue/table-spreadsheets.ts';
import { AppError } from '../../src/http/app-error.ts';
import type { ProductDefinition } from '../../src/rating/index.ts';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

/** Pools' side of the catalogue's PoolMembership port, as src/service.ts passes it. */
const pools = createPoolMembership();

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const shipped = readdirSync('products').filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(`products/${f}`, 'utf8')) as ProductDefinition);

async function refusal(run: Promise<unknown>): Promise<AppError> {
  try {
    await run;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('Catalogue: rating tables as grids and spreadsheets', () => {
  const t = useTestApp();
  let admin: Caller;
  let draft: string;

  before(async () => {
    await publishShippedProducts();
    admin = await resolveApiKey(t.keys.insurerAdmin);
    draft = (await createVersion(pools, admin, PRODUCT, { cloneFrom: '2025.1' })).version;
  });

  it('reads every table kind of every shipped product and writes the same cells back unchanged', () => {
    const kinds = new Set<string>();
    for (const definition of shipped) {
      for (const table of listRateTables(definition)) {
        kinds.add(table.kind);
        const applied = applyTableCells(definition, table, readTableCells(definition, table));
        expect(applied.errors, `${definition.code} ${table.id}`).to.deep.equal([]);
        expect(applied.definition, `${definition.code} ${table.id}`).to.deep.equal(definition);
      }
    }
    expect([...kinds].sort()).to.deep.equal(['bands', 'categories', 'co-insurance', 'deductibles', 'limits', 'rules', 'scale', 'sections', 'subsidies', 'vectors']);
  });

  it('CSV and XLSX round trips of every table of every shipped product change nothing', async () => {
    for (const definition of shipped) {
      const tables = listRateTables(definition);
      const workbook = await readSheets(await tablesToXlsx(definition), 'xlsx', '');
      expect(workbook.map((s) => s.name)).to.deep.equal(tables.map(sheetNameOf));
      let fromXlsx = definition;
      for (const table of tables) {
        const [csv] = await readSheets(Buffer.from(tableToCsv(definition, table)), 'csv', sheetNameOf(table));
        expect(applySheet(definition, table, csv!), `${definition.code} ${table.id} (CSV)`).to.deep.equal(definition);
        fromXlsx = applySheet(fromXlsx, table, workbook.find((s) => s.name === sheetNameOf(table))!);
      }
      expect(fromXlsx, `${definition.code} (XLSX)`).to.deep.equal(definition);
    }
  });

  it('writes number columns as numbers in XLSX, formatted with the decimals written; text stays text; a workbook for people reads back unchanged', async () => {
    const wording: SheetWording = { tableTitle: (table) => `表 ${table.id}`, columnLabel: (id) => `列 ${id}`, yes: '是', no: '否' };
    let numbers = 0;
    let withDecimals = 0;
    for (const definition of shipped) {
      const tables = listRateTables(definition);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await tablesToXlsx(definition, tables, wording)) as never);
      for (const table of tables) {
        const sheet = workbook.worksheets.find((w) => w.name === `表 ${table.id}`.slice(0, 31) || w.name === sheetNameOf(table))!;
        readTableCells(definition, table).forEach((cells, r) => cells.forEach((text, c) => {
          const cell = sheet.getRow(r + 3).getCell(c + 1);
          const where = `${definition.code} ${table.id} row ${r + 1} ${table.columns[c]!.id}`;
          if ((table.columns[c]!.kind === 'decimal' || table.columns[c]!.kind === 'integer') && /^-?\d+(\.\d+)?$/.test(text)) {
            expect(cell.value, where).to.equal(Number(text));
            const decimals = text.split('.')[1]?.length ?? 0;
            expect(cell.numFmt, where).to.equal(decimals ? `0.${'0'.repeat(decimals)}` : '0');
            numbers += 1;
            if (decimals) withDecimals += 1;
          } else expect(cell.value ?? '', where).to.be.a('string');
        }));
      }
      // Read back through the reader (labels in row 1, keys hidden in row 2, the _keys sheet): nothing changes.
      const sheets = await readSheets(await tablesToXlsx(definition, tables, wording), 'xlsx', '');
      const byTable = new Map((sheets.find((x) => x.name === KEYS_SHEET)?.rows ?? []).map((row) => [row[1]!, row[0]!]));
      let fromXlsx = definition;
      for (const table of tables) fromXlsx = applySheet(fromXlsx, table, sheets.find((x) => x.name === byTable.get(table.id))!);
      expect(fromXlsx, `${definition.code} (XLSX for people)`).to.deep.equal(definition);
    }
    expect(numbers).to.be.greaterThan(100);
    expect(withDecimals).to.be.greaterThan(20);
  });

  it('imports exported CSV and XLSX into the stored draft without changing it', async () => {
    const before = (await getVersion(admin, PRODUCT, draft)).definition;
    for (const table of listRateTables(before)) await importTableSheet(pools, admin, PRODUCT, draft, table.id, 'csv', Buffer.from(tableToCsv(before, table)));
    await importWorkbook(pools, admin, PRODUCT, draft, await tablesToXlsx(before));
    const after = await getVersion(admin, PRODUCT, draft);
    expect(after.definition).to.deep.equal(before);
  });

  it('refuses an overlapping band on its cell and leaves the stored draft unchanged', async () => {
    const before = await getVersion(admin, PRODUCT, draft);
    const tables = listRateTables(before.definition);
    const table = tables.find((x) => x.id === 'step.transactionAmount')!;
    const cells = readTableCells(before.definition, table);
    const lower = table.columns.findIndex((c) => c.id === 'lower');
    cells[1]![lower] = '400'; // (400, 1000] overlaps [0, 500]
    const err = await refusal(saveRateTable(pools, admin, PRODUCT, draft, table.id, cells));
    expect(err.kind).to.equal('invalid_input');
    expect(err.details.map((d) => locateCell(tables, d.path)).map((c) => c && { table: c.table.id, row: c.row, column: c.column })).to.deep.include({ table: 'step.transactionAmount', row: 1, column: 'lower' });
    expect((await getVersion(admin, PRODUCT, draft)).definitionHash).to.equal(before.definitionHash);
  });

  it('refuses min above max, a gap and a non-number, each on its cell', async () => {
    const before = await getVersion(admin, PRODUCT, draft);
    const tables = listRateTables(before.definition);
    const table = tables.find((x) => x.id === 'step.transactionAmount')!;
    const index = (id: string) => table.columns.findIndex((c) => c.id === id);
    const cases: [string, number, string, string][] = [['range.max', 0, '1.5', 'range.min'], ['lower', 2, '1200', 'lower'], ['range.min', 2, 'abc', 'range.min']];
    for (const [column, row, value, expected] of cases) {
      const cells = readTableCells(before.definition, table);
      cells[row]![index(column)] = value;
      const err = await refusal(saveRateTable(pools, admin, PRODUCT, draft, table.id, cells));
      const located = err.details.map((d) => locateCell(tables, d.path)).map((c) => c && `${c.table.id} ${c.row} ${c.column}`);
      expect(located, `${column}=${value}: ${JSON.stringify(err.details)}`).to.include(`step.transactionAmount ${row} ${expected}`);
    }
    expect((await getVersion(admin, PRODUCT, draft)).definitionHash).to.equal(before.definitionHash);
  });

  it('saves a good grid edit and names the sheet, row and column of a bad imported cell', async () => {
    const before = await getVersion(admin, PRODUCT, draft);
    const table = listRateTables(before.definition).find((x) => x.id === 'step.qualityManagement')!;
    const cells = readTableCells(before.definition, table);
    cells[0]![table.columns.findIndex((c) => c.id === 'range.max')] = '0.75';
    const saved = await saveRateTable(pools, admin, PRODUCT, draft, table.id, cells);
    expect((saved.definition.plan.steps[5] as { rows: { range: { max: string } }[] }).rows[0]!.range.max).to.equal('0.75');

    const csv = tableToCsv(saved.definition, table).replace('"1.0","2.0"', '"1.0","two"').replace('1.0,2.0', '1.0,two');
    const err = await refusal(importTableSheet(pools, admin, PRODUCT, draft, table.id, 'csv', Buffer.from(csv)));
    expect(err.details).to.have.length(1);
    expect(err.details[0]).to.deep.equal({ path: 'step.qualityManagement!F4', message: 'sheet step.qualityManagement, row 4, column F (range.max): "two" is not a number' });
    expect((await getVersion(admin, PRODUCT, draft)).definitionHash).to.equal(saved.definitionHash);
  });

  it('exports a table as CSV and XLSX over HTTP and imports a file body back, naming a bad cell', async () => {
    const base = `/v1/products/${PRODUCT}/versions/${draft}/tables`;
    const csv = await t.http.get(`${base}/period.scale?format=csv`).set(bearer(t.keys.insurerAdmin)).buffer(true);
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    expect(csv.text).to.include('months,percent');
    const xlsx = await t.http.get(`${base}?format=xlsx`).set(bearer(t.keys.insurerAdmin)).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(xlsx.status).to.equal(200);
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).to.equal('PK');
    const same = await t.http.put(base).set(bearer(t.keys.insurerAdmin)).set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(xlsx.body as Buffer);
    expect(same.status, JSON.stringify(same.body)).to.equal(200);
    const bad = await t.http.put(`${base}/period.scale`).set(bearer(t.keys.insurerAdmin)).set('Content-Type', 'text/csv').send(csv.text.replace('\n3,30', '\n3,thirty'));
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details).to.deep.equal([{ path: 'period.scale!B4', message: 'sheet period.scale, row 4, column B (percent): "thirty" is not a number' }]);
    const json = await t.http.get(`${base}/period.scale`).set(bearer(t.keys.insurerAdmin));
    expect(json.body.rows[2]).to.deep.equal(['3', '30']);
  });

  it('diffs two versions table by table: exactly the edited cells, old and new side by side', () => {
    const from = shipped.find((d) => d.code === PRODUCT)!;
    const tables = listRateTables(from);
    let to = structuredClone(from);
    to.version = '2025.2';
    for (const [id, row, column, value] of [['step.lossRatio', 1, 'range.max', '1.1'], ['period.scale', 8, 'percent', '86']] as const) {
      const table = tables.find((x) => x.id === id)!;
      const cells = readTableCells(to, table);
      cells[row]![table.columns.findIndex((c) => c.id === column)] = value;
      to = applyTableCells(to, table, cells).definition;
    }
    const diff = diffVersionTables(from, to);
    expect(diff.tables.map((d) => [d.table.id, d.changedCells, d.rows.map((r) => r.key)])).to.deep.equal([['step.lossRatio', 1, ['b2']], ['period.scale', 1, ['9']]]);
    const cell = diff.tables[0]!.rows[0]!.cells[diff.tables[0]!.table.columns.findIndex((c) => c.id === 'range.max')]!;
    expect(cell).to.deep.equal({ from: '1.0', to: '1.1', changed: true });
    expect(diff.otherChanges.map((c) => c.path)).to.deep.equal(['version']);
  });
});
