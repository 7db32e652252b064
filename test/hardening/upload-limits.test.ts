import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type { Archiver, ZipOptions } from 'archiver';
import ExcelJS from 'exceljs';
import supertest from 'supertest';
import yauzl from 'yauzl';
import { resolveApiKey } from '../../src/auth/auth-service.ts';
import { createVersion } from '../../src/catalogue/product-versions.ts';
import { getVersion } from '../../src/catalogue/version-reads.ts';
import { createPoolMembership } from '../../src/pools/pool-membership.ts';
import { findRateTable } from '../../src/catalogue/rate-tables.ts';
import { tablesToXlsx, tableToCsv } from '../../src/catalogue/table-spreadsheets.ts';
import { QuoteModel } from '../../src/quotes/quote-model.ts';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { expectErrorShape } from './error-shape.ts';

/** Pools' side of the catalogue's PoolMembership port, as src/service.ts passes it. */
const pools = createPoolMembership();

// archiver 7 exports a factory; @types/archiver 8 describes a class (as in src/subsidies/subsidy-application-pdf.ts).
const archiver = createRequire(import.meta.url)('archiver') as (format: 'zip', options?: ZipOptions) => Archiver;
const PRODUCT = 'FIRST-SET-EQUIPMENT';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MB = 1024 * 1024;
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** The entries of a zip, inflated (the test's own small workbooks only). */
async function entriesOf(zip: Buffer): Promise<Map<string, Buffer>> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const out = new Map<string, Buffer>();
  for await (const entry of file.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await file.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    out.set(entry.fileName, Buffer.concat(chunks));
  }
  return out;
}

/** A sheet XML of `mb` megabytes of identical rows, streamed (it compresses about 1000:1). */
function hugeSheetXml(mb: number): Readable {
  const row = '<row><c t="inlineStr"><is><t>0</t></is></c></row>';
  const block = Buffer.from(row.repeat(Math.floor(MB / row.length)));
  return Readable.from((function* () {
    yield Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>');
    for (let i = 0; i < mb; i++) yield block;
    yield Buffer.from('</sheetData></worksheet>');
  })());
}

/** A small valid workbook whose sheet entry is replaced by one that inflates to `mb` megabytes. */
async function zipBomb(workbook: Buffer, mb: number): Promise<Buffer> {
  const archive = archiver('zip', { zlib: { level: 9 } });
  const chunks: Buffer[] = [];
  archive.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve, reject) => { archive.on('end', resolve); archive.on('error', reject); });
  for (const [name, bytes] of await entriesOf(workbook)) {
    archive.append(name === 'xl/worksheets/sheet1.xml' ? hugeSheetXml(mb) : bytes, { name });
  }
  await archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/**
 * A zip whose first local entry is left out of the central directory: archiver writes `hidden`
 * first, then its directory record is cut out (the other entries' offsets do not move).
 */
async function withHiddenEntry(workbook: Buffer, hidden: { name: string; text: string }): Promise<Buffer> {
  const archive = archiver('zip', { zlib: { level: 9 } });
  const chunks: Buffer[] = [];
  archive.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => archive.on('end', resolve));
  archive.append(Buffer.from(hidden.text), { name: hidden.name });
  for (const [name, bytes] of await entriesOf(workbook)) archive.append(bytes, { name });
  await archive.finalize();
  await ended;
  const zip = Buffer.concat(chunks);
  const eocd = zip.length - 22;
  expect(zip.readUInt32LE(eocd)).to.equal(0x06054b50);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  const first = 46 + zip.readUInt16LE(cdOffset + 28) + zip.readUInt16LE(cdOffset + 30) + zip.readUInt16LE(cdOffset + 32);
  const end = Buffer.from(zip.subarray(eocd));
  end.writeUInt16LE(end.readUInt16LE(8) - 1, 8);
  end.writeUInt16LE(end.readUInt16LE(10) - 1, 10);
  end.writeUInt32LE(end.readUInt32LE(12) - first, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([zip.subarray(0, cdOffset), zip.subarray(cdOffset + first, eocd), end]);
}

interface Outcome { status: number; ms: number; rssGrowthMb: number; readyz: number[]; readyzMaxMs: number; body: unknown; text: string }

/**
 * Sends a bad upload while /readyz is asked every 25 ms: the upload's status and time, the
 * largest RSS growth seen while it ran, and what /readyz answered meanwhile.
 */
async function underWatch(http: ReturnType<typeof supertest> | ReturnType<typeof supertest.agent>, send: () => PromiseLike<supertest.Response>): Promise<Outcome> {
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let done = false;
  const readyz: number[] = [];
  let readyzMaxMs = 0;
  const watch = (async () => {
    while (!done) {
      const at = Date.now();
      readyz.push((await http.get('/readyz')).status);
      readyzMaxMs = Math.max(readyzMaxMs, Date.now() - at);
      peak = Math.max(peak, process.memoryUsage().rss);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const started = Date.now();
  const res = await send();
  const ms = Date.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);
  done = true;
  await watch;
  return { status: res.status, ms, rssGrowthMb: (peak - rss0) / MB, readyz, readyzMaxMs, body: res.body, text: res.text };
}

function expectBounded(o: Outcome, status: number): void {
  expect(o.status, o.text.slice(0, 500)).to.equal(status);
  // Bounded is shown by memory (a bomb read whole would grow RSS by gigabytes) and by the service
  // answering /readyz throughout; wall time on a shared 2-core machine is no proof either way
  // (the time is in the message of any failure below and in EVIDENCE.md's upload figures).
  expect(o.rssGrowthMb, `RSS growth (MB), answered in ${o.ms} ms`).to.be.below(100);
  expect(o.readyz.length).to.be.at.least(1);
  expect(o.readyz.every((s) => s === 200), `readyz: ${o.readyz.join(',')}`).to.equal(true);
}

const detailsOf = (o: Outcome) => (o.body as { error: { details: { path: string; message: string }[] } }).error.details;

describe('Hardening: uploads bounded before parsing (zip bombs, oversized files)', function () {
  this.timeout(120_000);
  const t = useTestApp({ BULK_MAX_BYTES: '8mb' });
  let draft: string;
  let workbook: Buffer; // one sheet: period.scale
  let bomb: Buffer; // the same workbook, its sheet inflating to 300 MB
  const oversized = Buffer.alloc(6 * MB, 0x50); // over SHEET_MAX_BYTES (5mb by default)
  const tableBase = () => `/v1/products/${PRODUCT}/versions/${draft}/tables`;

  before(async () => {
    await publishShippedProducts();
    const admin = await resolveApiKey(t.keys.insurerAdmin);
    draft = (await createVersion(pools, admin, PRODUCT, { cloneFrom: '2025.1' })).version;
    const { definition } = await getVersion(admin, PRODUCT, draft);
    workbook = await tablesToXlsx(definition, [findRateTable(definition, 'period.scale')!]);
    bomb = await zipBomb(workbook, 300);
    expect(bomb.length).to.be.below(2 * MB);
    // Warm up (modules the readers load on first use), so that the timings below are the uploads'.
    const warm = await t.http.put(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin)).set('Content-Type', XLSX).send(workbook);
    expect(warm.status, JSON.stringify(warm.body)).to.equal(200);
  });

  describe('rate table XLSX through the API (PUT …/tables/{table})', () => {
    it('refuses a zip bomb at the inflated size of its sheet entry, counted while inflating', async () => {
      const o = await underWatch(t.http, () => t.http.put(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin)).set('Content-Type', XLSX).send(bomb));
      expectBounded(o, 400);
      expect(detailsOf(o)).to.deep.equal([{ path: 'body', message: 'inflated entry xl/worksheets/sheet1.xml must be at most 10 MB (maxEntryInflatedBytes)' }]);
    });

    it('refuses a file over SHEET_MAX_BYTES with 413', async () => {
      const o = await underWatch(t.http, () => t.http.put(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin)).set('Content-Type', XLSX).send(oversized));
      expectBounded(o, 413);
      expect(detailsOf(o)).to.deep.equal([{ path: 'body', message: 'the file must be at most 5 MB (maxBytes)' }]);
    });

    it('stops reading a sheet at its first row past SHEET_MAX_ROWS', async () => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('period.scale');
      sheet.addRow(['months', 'percent']);
      for (let i = 1; i <= 5000; i++) sheet.addRow([String(i), '100']);
      const res = await t.http.put(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin)).set('Content-Type', XLSX).send(Buffer.from(await book.xlsx.writeBuffer()));
      expect(res.status).to.equal(400);
      expectErrorShape(res);
      expect(res.body.error.details).to.deep.equal([{ path: 'body', message: 'sheet period.scale must be at most 1000 rows (maxRows)' }]);
    });

    it('parses exactly the entries it checked: an entry left out of the zip directory never reaches the parser', async () => {
      const before = (await t.http.get(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin))).body;
      const cell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
      const text = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">${cell('A1', 'months')}${cell('B1', 'percent')}</row><row r="2">${cell('A2', '12')}${cell('B2', '77')}</row></sheetData></worksheet>`;
      const smuggled = await withHiddenEntry(workbook, { name: 'xl/worksheets/sheet1.xml', text });
      const res = await t.http.put(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin)).set('Content-Type', XLSX).send(smuggled);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect((await t.http.get(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin))).body).to.deep.equal(before);
    });

    it('still imports an exported workbook (the happy path)', async () => {
      const res = await t.http.put(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin)).set('Content-Type', XLSX).send(workbook);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    });
  });

  describe('version workbook through the API (PUT …/tables)', () => {
    it('refuses a zip bomb', async () => {
      const o = await underWatch(t.http, () => t.http.put(tableBase()).set(bearer(t.keys.insurerAdmin)).set('Content-Type', XLSX).send(bomb));
      expectBounded(o, 400);
      expect(detailsOf(o)[0]!.message).to.match(/\(maxEntryInflatedBytes\)$/);
    });

    it('refuses an oversized file with 413', async () => {
      const o = await underWatch(t.http, () => t.http.put(tableBase()).set(bearer(t.keys.insurerAdmin)).set('Content-Type', XLSX).send(oversized));
      expectBounded(o, 413);
    });

    it('refuses a workbook whose entries together inflate past SHEET_MAX_INFLATED_BYTES', async () => {
      const archive = archiver('zip', { zlib: { level: 9 } });
      const chunks: Buffer[] = [];
      archive.on('data', (c: Buffer) => chunks.push(c));
      const ended = new Promise((resolve) => archive.on('end', resolve));
      for (const [name, bytes] of await entriesOf(workbook)) archive.append(bytes, { name });
      for (let i = 0; i < 6; i++) archive.append(hugeSheetXml(9), { name: `xl/media/filler${i}.xml` }); // 9 MB each: under the per-entry limit, 54 MB together
      await archive.finalize();
      await ended;
      const res = await t.http.put(tableBase()).set(bearer(t.keys.insurerAdmin)).set('Content-Type', XLSX).send(Buffer.concat(chunks));
      expect(res.status).to.equal(400);
      expect(res.body.error.details).to.deep.equal([{ path: 'body', message: 'the inflated workbook must be at most 50 MB (maxInflatedBytes)' }]);
    });
  });

  describe('rate table CSV through the API', () => {
    it('refuses a CSV with a million rows at row 1001, before the draft is touched', async () => {
      const before = (await t.http.get(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin))).body;
      const body = Buffer.from(`months,percent\n${'1,2\n'.repeat(1_000_000)}`);
      const o = await underWatch(t.http, () => t.http.put(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin)).set('Content-Type', 'text/csv').send(body));
      expectBounded(o, 400);
      expect(detailsOf(o)).to.deep.equal([{ path: 'body', message: 'sheet period.scale must be at most 1000 rows (maxRows)' }]);
      expect((await t.http.get(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin))).body).to.deep.equal(before);
    });

    it('refuses an oversized CSV with 413, and a cell longer than SHEET_MAX_CELL_LENGTH with 400', async () => {
      const o = await underWatch(t.http, () => t.http.put(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin)).set('Content-Type', 'text/csv').send(oversized));
      expectBounded(o, 413);
      const long = await t.http.put(`${tableBase()}/period.scale`).set(bearer(t.keys.insurerAdmin)).set('Content-Type', 'text/csv').send(`months,percent\n1,${'9'.repeat(10_001)}\n`);
      expect(long.status).to.equal(400);
      expect(long.body.error.details).to.deep.equal([{ path: 'period.scale!B2', message: 'sheet period.scale, cell B2 must be at most 10000 characters (maxCellLength)' }]);
    });
  });

  describe('bulk quoting CSV (POST /v1/pricing/bulk)', () => {
    const bulk = (body: Buffer | string, query = '') => t.http.post(`/v1/pricing/bulk${query}`).set(bearer(t.keys.broker)).set('Content-Type', 'text/csv').send(body);

    it('refuses a file past BULK_MAX_ROWS up front: 400 naming the limit, no row priced or saved', async () => {
      const body = Buffer.from(`productCode,reference\n${`${PRODUCT},r\n`.repeat(150_000)}`);
      const o = await underWatch(t.http, () => bulk(body, '?save=true&batchId=too-many'));
      expectBounded(o, 400);
      expect(detailsOf(o)).to.deep.equal([{ path: 'body', message: 'the CSV file must be at most 100000 rows (maxRows)' }]);
      expect(await QuoteModel.countDocuments()).to.equal(0);
    });

    it('refuses a file over BULK_MAX_BYTES with 413, by its Content-Length or while it streams in', async () => {
      const body = Buffer.from(`productCode\n${`${PRODUCT}\n`.repeat(Math.ceil((9 * MB) / (PRODUCT.length + 1)))}`);
      const o = await underWatch(t.http, () => bulk(body));
      expectBounded(o, 413);
      expect(detailsOf(o)).to.deep.equal([{ path: 'body', message: 'the file must be at most 8 MB (maxBytes)' }]);

      // Chunked, without a length: counted as it arrives.
      const server = http.createServer(t.app).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST', path: '/v1/pricing/bulk', headers: { ...bearer(t.keys.broker), 'Content-Type': 'text/csv' } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          const slice = body.subarray(0, MB);
          for (let i = 0; i < 9; i++) req.write(slice);
          req.end();
        });
        expect(status).to.equal(413);
      } finally {
        server.close();
      }
    });

    it('reads the whole file before pricing: a body that outlasts the server\'s requestTimeout gets 408 before any row, never a cut-off 200', async () => {
      // What cut a million-row file off after 64,551 rows: pricing pulled the body, so the request
      // was still arriving when Node's requestTimeout passed; the connection was destroyed under a
      // 200 whose rows had started, with no summary. Here: 10 rows, then a pause past the timeout.
      const server = http.createServer({ requestTimeout: 1500, connectionsCheckingInterval: 100 }, t.app).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST', path: '/v1/pricing/bulk?format=json', headers: { ...bearer(t.keys.broker), 'Content-Type': 'text/csv' } }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => { body += c; });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.write(`productCode,reference\n${`${PRODUCT},r\n`.repeat(10)}`);
          setTimeout(() => req.end(`${PRODUCT},r\n`), 2500);
        });
        expect(answer.status).to.equal(408);
        expect(answer.body).not.to.include('"rows"');
      } finally {
        server.close();
      }
    });

    it('refuses a row wider than BULK_MAX_COLUMNS or a cell longer than BULK_MAX_CELL_LENGTH', async () => {
      const wide = await bulk(`productCode,${Array.from({ length: 600 }, (_, i) => `c${i}`).join(',')}\n${PRODUCT}\n`);
      expect(wide.status).to.equal(400);
      expect(wide.body.error.details).to.deep.equal([{ path: 'body', message: 'row 1 must be at most 500 columns (maxColumns)' }]);
      const long = await bulk(`productCode,reference\n${PRODUCT},${'x'.repeat(2001)}\n`);
      expect(long.status).to.equal(400);
      expect(long.body.error.details).to.deep.equal([{ path: 'body', message: 'row 2, cell 2 must be at most 2000 characters (maxCellLength)' }]);
    });
  });

  describe('the import pages (multipart/form-data, read by busboy)', () => {
    async function adminAgent() {
      const agent = supertest.agent(t.app);
      expect((await agent.post('/sign-in').type('form').send({ apiKey: t.keys.insurerAdmin })).status).to.equal(303);
      const grid = await agent.get(`/products/${PRODUCT}/versions/${draft}/tables/period.scale`);
      expect(grid.status).to.equal(200);
      return { agent, token: csrfOf(grid.text) };
    }
    const tablePage = () => `/products/${PRODUCT}/versions/${draft}/tables/period.scale`;

    it('refuses a zip bomb on the table import page and says so in the reader\'s language', async () => {
      const { agent, token } = await adminAgent();
      const o = await underWatch(agent, () => agent.post(`${tablePage()}/import`).field('_csrf', token).attach('file', bomb, { filename: 'rates.xlsx', contentType: XLSX }));
      expectBounded(o, 400);
      expect(o.text).to.include('工作簿中的 xl/worksheets/sheet1.xml解压后超过 10 MB，文件未被读取（上限 maxEntryInflatedBytes）。');
      expect(o.text).to.include('id="import-form"'); // the grid and its import form are shown again
      const en = await agent.post(`${tablePage()}/import?lang=en`).field('_csrf', token).attach('file', bomb, { filename: 'rates.xlsx', contentType: XLSX });
      expect(en.status).to.equal(400);
      expect(en.text).to.include('The workbook part xl/worksheets/sheet1.xml inflates to more than 10 MB; the file was not read (maxEntryInflatedBytes).');
    });

    it('refuses an oversized file while it streams in (413), on the table and the workbook import pages', async () => {
      const { agent, token } = await adminAgent();
      const o = await underWatch(agent, () => agent.post(`${tablePage()}/import`).field('_csrf', token).attach('file', oversized, { filename: 'big.xlsx', contentType: XLSX }));
      expectBounded(o, 413);
      expect(o.text).to.include('文件超过 5 MB，未被读取（上限 maxBytes）。');
      const workbookPage = await agent.post(`/products/${PRODUCT}/versions/${draft}/import?lang=en`).field('_csrf', token).attach('file', oversized, { filename: 'big.xlsx', contentType: XLSX });
      expect(workbookPage.status).to.equal(413);
      expect(workbookPage.text).to.include('The file is larger than 5 MB and was not read (maxBytes).');
    });

    it('refuses a zip bomb on the workbook import page with the limit in the reader\'s language', async () => {
      const { agent, token } = await adminAgent();
      const o = await underWatch(agent, () => agent.post(`/products/${PRODUCT}/versions/${draft}/import`).field('_csrf', token).attach('file', bomb, { filename: 'book.xlsx', contentType: XLSX }));
      expectBounded(o, 400);
      expect(o.text).to.include('（上限 maxEntryInflatedBytes）');
    });

    it('names the limit, not the CSRF token, when a form is refused before its token arrived', async () => {
      const { agent, token } = await adminAgent();
      const res = await agent.post(`${tablePage()}/import?lang=en`).attach('file', oversized, { filename: 'big.xlsx', contentType: XLSX }).field('_csrf', token);
      expect(res.status).to.equal(413);
      expect(res.text).to.include('The file is larger than 5 MB and was not read (maxBytes).');
      const forged = await agent.post(`${tablePage()}/import?lang=en`).field('_csrf', 'not-the-token').attach('file', Buffer.from('months,percent\n'), 'a.csv');
      expect(forged.status).to.equal(403); // a token that is there must still be the session's
    });

    it('refuses more files than FORM_MAX_FILES, and still imports a good CSV', async () => {
      const { agent, token } = await adminAgent();
      const two = await agent.post(`${tablePage()}/import?lang=en`).field('_csrf', token).attach('file', Buffer.from('a'), 'a.csv').attach('other', Buffer.from('b'), 'b.csv');
      expect(two.status).to.equal(400);
      expect(two.text).to.include('The form has more than 1 files (maxFiles).');
      const admin = await resolveApiKey(t.keys.insurerAdmin);
      const { definition } = await getVersion(admin, PRODUCT, draft);
      const csv = tableToCsv(definition, findRateTable(definition, 'period.scale')!);
      const good = await agent.post(`${tablePage()}/import?lang=en`).field('_csrf', token).attach('file', Buffer.from(csv), { filename: 'period.csv', contentType: 'text/csv' });
      expect(good.status, good.text.slice(0, 300)).to.equal(200);
      expect(good.text).to.include('Imported and saved.');
    });
  });
});
