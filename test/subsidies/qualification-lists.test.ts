// Qualification lists (#27): a department uploads its lists (CSV/XLSX) as versions; a quote for an
// enterprise in its regions reads the newest list on the start date instead of the declared fact,
// and says what each layer was verified against; a bad row names its row and column and stores
// nothing; another department cannot read the versions; enterprises and brokers cannot upload.
import { expect } from 'chai';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { addDays } from '../../src/rating/calendar.ts';
import { announceRevision } from '../../src/db/revision-cache.ts';
import { createServiceScope } from '../../src/db/service-scope.ts';
import { checkQualificationLists, QUALIFICATION_LISTS_REVISION } from '../../src/subsidies/qualification-lists.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, inTestService, useTestApp } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
function binary(res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
const squash = (s: string) => s.replace(/\s+/g, '');
const HZZZ_CREDIT_CODE = '91330106MA2H7K3Q0L';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

interface Evidence { verification?: { kind: string; listId: string; listDate: string; held: boolean }[]; declared?: string[] }
interface Layer extends Evidence { programme: string; amountFen: number }
interface Ineligible extends Evidence { programme: string; kind?: string; reason: string }
interface Subsidies { layers: Layer[]; ineligible: Ineligible[] }

describe('Qualification lists: departments\' lists decide the facts quotes read (#27)', function () {
  this.timeout(300_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  const upload = (key: keyof typeof t.keys, kind: string, body: string | Buffer, type = 'text/csv') =>
    t.http.post(`/v1/qualification-lists?kind=${kind}`).set(as(key)).set('Content-Type', type).send(body);
  const validTo = addDays(today(), 10);

  async function subsidiesOn(startDate: string, qualifications = ['first-domestic']): Promise<Subsidies> {
    const res = await t.http.post('/v1/pricing/preview').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: structuredClone(baseVector!.inputs), startDate, enterprise: { qualifications } });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.subsidies as Subsidies;
  }
  const zjLayer = (s: Subsidies) => s.layers.find((l) => l.programme === 'ZJ-FIRST-SET');
  const zjRefusal = (s: Subsidies) => s.ineligible.find((l) => l.programme === 'ZJ-FIRST-SET');

  before(async () => { await publishShippedProducts(); });

  it('with no list, a typed fact is shown as declared, not verified', async () => {
    const layer = zjLayer(await subsidiesOn(addDays(today(), 1)));
    expect(layer, 'ZJ-FIRST-SET applies on the declared qualification').to.not.equal(undefined);
    expect(layer!.declared).to.deep.equal(['first-domestic']);
    expect(layer!.verification).to.equal(undefined);
  });

  it('refuses a bad file naming row, column and rule, and stores nothing', async () => {
    const csv = `creditCode,level,validFrom,validTo\n${HZZZ_CREDIT_CODE},domestic,2026-01-01,2027-01-01\nNOT-A-CODE,domestic,2026-01-01,2027-01-01\n${HZZZ_CREDIT_CODE},sideways,2026-02-30,2025-01-01\n`;
    const res = await upload('provincialAuthority', 'first-set-catalogue', csv);
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    const details = res.body.error.details as { path: string; message: string }[];
    expect(details.map((d) => d.path)).to.deep.equal(['first-set-catalogue!A3', 'first-set-catalogue!B4', 'first-set-catalogue!C4']);
    expect(details[0]!.message).to.contain('row 3, column A (creditCode)').and.contain('(creditCode)');
    expect(details[1]!.message).to.contain('row 4, column B (level)').and.contain('(level)');
    expect(details[2]!.message).to.contain('(date)');
    const missing = await upload('provincialAuthority', 'high-tech', `creditCode,validFrom,validTo\n${HZZZ_CREDIT_CODE},2026-01-01,2027-01-01\n`);
    expect(missing.status).to.equal(400);
    expect(missing.body.error.details[0].message).to.contain('certificateNumber (required column)');
    expect((await t.http.get('/v1/qualification-lists').set(as('provincialAuthority'))).body.items).to.deep.equal([]);
  });

  it('refuses an upload over SHEET_MAX_BYTES with 413, before parsing', async () => {
    const res = await upload('provincialAuthority', 'specialised', Buffer.alloc(6 * 1024 * 1024, 'a'));
    expect(res.status).to.equal(413);
    expect(res.body.error.code).to.equal('payload_too_large');
  });

  it('enterprises and brokers cannot upload or read lists (403)', async () => {
    const csv = `creditCode,validFrom,validTo\n${HZZZ_CREDIT_CODE},2026-01-01,2027-01-01\n`;
    for (const key of ['enterprise', 'broker'] as const) {
      expect((await upload(key, 'specialised', csv)).status, key).to.equal(403);
      expect((await t.http.get('/v1/qualification-lists').set(as(key))).status, key).to.equal(403);
    }
  });

  let listId = '';
  let shandongListId = '';
  it('a list flips the layer between verified-eligible and not eligible on the quote\'s start date', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('首台套目录');
    sheet.addRow(['统一社会信用代码', '目录条目', '级别', '有效期起', '有效期止']);
    sheet.addRow([HZZZ_CREDIT_CODE, 'ZJ-2026-001', '国内', addDays(today(), -100), validTo]);
    sheet.addRow(['91330100MA0000000X', 'ZJ-2026-002', 'provincial', '2026-01-01', '2030-12-31']);
    const res = await upload('provincialAuthority', 'first-set-catalogue', Buffer.from(await book.xlsx.writeBuffer()), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ kind: 'first-set-catalogue', authorityCode: 'ZJ-EIT', date: today(), rowCount: 2 });
    expect(res.body.regionPrefixes).to.deep.equal(['33']);
    listId = res.body.id;

    const before = zjLayer(await subsidiesOn(validTo));
    expect(before, 'valid on the start date: eligible').to.not.equal(undefined);
    expect(before!.verification).to.deep.equal([{ kind: 'first-set-catalogue', listId, listDate: today(), held: true }]);
    expect(before!.declared).to.equal(undefined);

    const after = await subsidiesOn(addDays(validTo, 1));
    expect(zjLayer(after), 'expired on the start date: not eligible whatever is declared').to.equal(undefined);
    const refusal = zjRefusal(after)!;
    expect(refusal.kind).to.equal('anyQualification');
    expect(refusal.verification).to.deep.equal([{ kind: 'first-set-catalogue', listId, listDate: today(), held: false }]);
    expect(refusal.reason).to.contain(`first-set-catalogue list of ${today()}`);

    // Not declared at all, yet listed: the list decides (eligible, verified).
    expect(zjLayer(await subsidiesOn(addDays(today(), 1), []))?.verification?.[0]?.held).to.equal(true);
  });

  it('quotes find the newest version in one document per kind; a folder stored without it gets it from book:migrate (#25)', async () => {
    const newest = mongoose.connection.collection('qualificationListNewest');
    const stored = await newest.findOne({ _id: 'first-set-catalogue' as never });
    expect(stored?.v).to.deep.equal({ 'first-set-catalogue|33': `${listId}|${today()}` });
    await newest.deleteMany({});
    // As another instance's change would: every instance reads the documents behind a revision token.
    await inTestService(() => announceRevision(QUALIFICATION_LISTS_REVISION));
    const unlisted = zjLayer(await subsidiesOn(addDays(validTo, 1)));
    expect(unlisted?.declared, 'without the document, the list is not read: the declared fact').to.deep.equal(['first-domestic']);
    expect(await inTestService(() => t.services.subsidies.migrateQualificationLists())).to.deep.equal({ versions: 1 });
    expect(await newest.findOne({ _id: 'first-set-catalogue' as never })).to.deep.equal(stored);
    expect(zjLayer(await subsidiesOn(addDays(validTo, 1))), 'the list decides again: expired').to.equal(undefined);
  });

  it('a saved quote keeps what its layers were verified against, its PDF and the application say so', async () => {
    const res = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: structuredClone(baseVector!.inputs), startDate: addDays(today(), 1), enterprise: { qualifications: ['first-domestic'] } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const read = await t.http.get(`/v1/quotes/${res.body.id}`).set(as('broker'));
    expect(zjLayer(read.body.result?.subsidies ?? read.body.subsidies)?.verification?.[0]).to.include({ listId, held: true });
    // The quotation PDF prints the line under the layer, in each language.
    for (const [lang, line] of [['zh-CN', `已核对首台（套）目录（${today()}版）`], ['en', `Verified against the first-set catalogue of ${today()}`]] as const) {
      const pdf = await t.http.get(`/v1/quotes/${res.body.id}/pdf?lang=${lang}`).set(as('broker')).buffer(true).parse(binary as never);
      expect(pdf.status).to.equal(200);
      expect(squash(await extractPdfText(pdf.body as Buffer)), lang).to.contain(squash(line));
    }
    // So does the subsidy application (补贴申请材料) of the policy bound from it.
    const bound = await t.http.post(`/v1/quotes/${res.body.id}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    const application = await t.http.get(`/v1/policies/${bound.body.id}/subsidy-applications/ZJ-FIRST-SET/pdf`).set(as('broker')).buffer(true).parse(binary as never);
    expect(application.status).to.equal(200);
    expect(squash(await extractPdfText(application.body as Buffer))).to.contain(squash(`资格核对：已核对首台（套）目录（${today()}版）`));
  });

  it('lists the department\'s own versions and pages a version\'s rows; another department reads none of them', async () => {
    const own = await t.http.get('/v1/qualification-lists').set(as('provincialAuthority'));
    expect(own.status).to.equal(200);
    expect(own.body.items.map((v: { id: string }) => v.id)).to.deep.equal([listId]);
    const page = await t.http.get(`/v1/qualification-lists/${listId}?offset=1&limit=5`).set(as('provincialAuthority'));
    expect(page.status, JSON.stringify(page.body)).to.equal(200);
    expect(page.body.rows).to.deep.equal([{ creditCode: '91330100MA0000000X', entryId: 'ZJ-2026-002', level: 'provincial', validFrom: '2026-01-01', validTo: '2030-12-31' }]);
    expect((await t.http.get(`/v1/qualification-lists/${listId}`).set(as('otherProvincialAuthority'))).status).to.equal(404);
    expect((await t.http.get('/v1/qualification-lists').set(as('otherProvincialAuthority'))).body.items).to.deep.equal([]);
  });

  it('a list of another province does not decide a Zhejiang enterprise\'s facts', async () => {
    const csv = `creditCode,level,validFrom,validTo\n91370102MA3C8N5R2L,domestic,2026-01-01,2030-12-31\n`;
    const shandong = await upload('otherProvincialAuthority', 'first-set-catalogue', csv);
    expect(shandong.status).to.equal(201);
    shandongListId = shandong.body.id;
    const layer = zjLayer(await subsidiesOn(addDays(today(), 1)));
    expect(layer?.verification).to.deep.equal([{ kind: 'first-set-catalogue', listId, listDate: today(), held: true }]);
  });

  // A bulk run reads each region's newest list once for all its rows (BatchQuoteCache's run memo):
  // what it remembers is per kind and region, so rows of two provinces, interleaved, are each
  // checked against their own province's list.
  it('one run\'s checks of two provinces, interleaved, each read their own province\'s list', async () => {
    const remembered = new Map<string, Promise<unknown>>();
    const run = <T>(key: string, read: () => Promise<T>): Promise<T> => {
      if (!remembered.has(key)) remembered.set(key, read());
      return remembered.get(key) as Promise<T>;
    };
    const date = addDays(today(), 1);
    const hangzhou = { regionCode: '330106', creditCode: HZZZ_CREDIT_CODE };
    const jinan = { regionCode: '370102', creditCode: '91370102MA3C8N5R2L' };
    for (const [enterprise, list] of [[hangzhou, listId], [jinan, shandongListId], [hangzhou, listId], [jinan, shandongListId]] as const) {
      const checks = await inTestService(() => checkQualificationLists(enterprise, date, ['first-domestic'], run));
      expect(checks, enterprise.regionCode).to.deep.equal([{ kind: 'first-set-catalogue', decides: ['first-international', 'first-domestic', 'first-provincial'], held: ['first-domestic'], listId: list, listDate: today() }]);
    }
    expect([...remembered.keys()].sort()).to.deep.equal(['first-set-catalogue|330106', 'first-set-catalogue|370102']);
  });

  it('a bulk file\'s rows are verified against the list, as a single quote\'s are', async () => {
    const enterprises = [t.organisations.HZZZ!, t.organisations.JNXC!, t.organisations.HZZZ!];
    const rows = enterprises.map((enterpriseId) => {
      const cells: Record<string, string> = { productCode: PRODUCT, enterpriseId, startDate: addDays(today(), 1), 'enterprise.qualifications': '["first-domestic"]' };
      for (const [key, value] of Object.entries(baseVector!.inputs as Record<string, unknown>)) cells[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
      return cells;
    });
    const body = stringify(rows, { header: true, columns: Object.keys(rows[0]!) });
    const res = await t.http.post('/v1/pricing/bulk?save=true&format=json&batchId=two-provinces').set(as('broker')).set('Content-Type', 'text/csv').send(body);
    expect(res.status, res.text).to.equal(200);
    const saved = res.body.rows as { status: string; quoteId: string }[];
    expect(saved.map((r) => r.status), res.text).to.deep.equal(['saved', 'saved', 'saved']);
    const subsidiesOf = async (id: string) => {
      const quote = await t.http.get(`/v1/quotes/${id}`).set(as('broker'));
      return (quote.body.result?.subsidies ?? quote.body.subsidies) as Subsidies;
    };
    for (const i of [0, 2]) expect(zjLayer(await subsidiesOf(saved[i]!.quoteId))?.verification, `row ${i + 1}`).to.deep.equal([{ kind: 'first-set-catalogue', listId, listDate: today(), held: true }]);
    // The Jinan enterprise's own province's programme asks no qualification; Zhejiang's is not its.
    expect(zjLayer(await subsidiesOf(saved[1]!.quoteId)), 'row 2').to.equal(undefined);
  });

  it('pages a long version\'s rows across its chunks in file order, and the department\'s versions by cursor', async () => {
    const before = (await t.http.get('/v1/qualification-lists').set(as('otherProvincialAuthority'))).body.total as number;
    const codes = Array.from({ length: 990 }, (_, i) => `91370100MA${String(i).padStart(8, '0')}`);
    const csv = `creditCode,validFrom,validTo\n${codes.map((c) => `${c},2026-01-01,2030-12-31`).join('\n')}\n`;
    const older = await upload('otherProvincialAuthority', 'specialised', csv);
    expect(older.status, JSON.stringify(older.body)).to.equal(201);
    const newer = await upload('otherProvincialAuthority', 'specialised', `creditCode,validFrom,validTo\n${codes[0]},2026-01-01,2030-12-31\n`);
    expect(newer.status, JSON.stringify(newer.body)).to.equal(201);
    // Rows 496 to 505: the end of the first chunk of 500 and the start of the second.
    const page = await t.http.get(`/v1/qualification-lists/${older.body.id}?offset=495&limit=10`).set(as('otherProvincialAuthority'));
    expect(page.status, JSON.stringify(page.body)).to.equal(200);
    expect(page.body.rows.map((r: { creditCode: string }) => r.creditCode)).to.deep.equal(codes.slice(495, 505));
    const tail = await t.http.get(`/v1/qualification-lists/${older.body.id}?offset=985&limit=100`).set(as('otherProvincialAuthority'));
    expect(tail.body.rows.map((r: { creditCode: string }) => r.creditCode)).to.deep.equal(codes.slice(985));
    const first = await t.http.get('/v1/qualification-lists?limit=1').set(as('otherProvincialAuthority'));
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body).to.include({ total: before + 2, limit: 1, offset: 0 });
    expect(first.body.items.map((v: { id: string }) => v.id)).to.deep.equal([newer.body.id]);
    const second = await t.http.get(`/v1/qualification-lists?limit=1&after=${first.body.next}`).set(as('otherProvincialAuthority'));
    expect(second.body.items.map((v: { id: string }) => v.id)).to.deep.equal([older.body.id]);
    expect(second.body.next === undefined).to.equal(before === 0);
  });
  // Every instance reads the newest-version documents behind a revision token (as subsidy
  // programmes): an upload on one instance is read there at once and by the others once they next
  // check the token (every half second).
  it('a list uploaded through one instance decides the checks of another once it checks the revision', async () => {
    const other = createServiceScope();
    const date = addDays(today(), 1);
    const hangzhou = { regionCode: '330106', creditCode: HZZZ_CREDIT_CODE };
    const newestSeen = async () => (await other.run(() => checkQualificationLists(hangzhou, date, ['first-domestic'])))[0]?.listId;
    const before = await newestSeen();
    const csv = `creditCode,level,validFrom,validTo\n${HZZZ_CREDIT_CODE},provincial,2026-01-01,2030-12-31\n`;
    const res = await upload('provincialAuthority', 'first-set-catalogue', csv);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(before).to.not.equal(res.body.id);
    // The uploading instance reads it at once.
    const here = await inTestService(() => checkQualificationLists(hangzhou, date, ['first-domestic']));
    expect(here[0]).to.include({ listId: res.body.id }).and.to.have.property('held').that.deep.equals(['first-provincial']);
    let seen = before;
    for (let tries = 0; tries < 40 && seen !== res.body.id; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await newestSeen();
    }
    expect(seen, 'the other instance reads the new version within four seconds').to.equal(res.body.id);
  });
});
