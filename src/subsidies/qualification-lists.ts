// Qualification lists (#27): a subsidy department uploads the lists it keeps — high-tech
// enterprises (高新技术企业), the 首台（套） catalogue, 专精特新 enterprises — as CSV or XLSX; each
// upload is a new version of that kind for the department's regions. Quotes read the newest
// version covering the enterprise's region on the quote's start date instead of the declared fact.
// Storage, all read by `_id` (docs/database.md): the version with its rows; one record per
// version and credit code (`<version>|<credit code>`) for quotes; keyed logs of versions per
// department (its own versions); and, for quotes, the newest version per `<kind>|<region prefix>`
// in one document per kind (which list covers a region).
import mongoose from 'mongoose';
import type { AuthorityCoverage, Caller } from '../auth/caller.ts';
import { qualificationListKeysCovering, qualificationRegionKeysOf, regionsCoveredBy, scopedQualificationLists } from '../auth/scope.ts';
import { findByIds } from '../db/by-ids.ts';
import { upsertById } from '../db/duplicate-key.ts';
import { readSheets, type SheetFormat } from '../catalogue/table-spreadsheets.ts';
import { columnLetter } from '../catalogue/spreadsheet-reader.ts';
import { defineKeyedLog } from '../db/keyed-log.ts';
import { announceRevision, cachedRead } from '../db/revision-cache.ts';
import { logPage, type LogPage, type LogPageQuery } from '../db/log-pages.ts';
import { AppError, forbidden, invalidInput, type ErrorDetail } from '../http/app-error.ts';
import { defaultUploadLimits, type SheetLimits } from '../http/upload-limits.ts';
import { chinaDate } from '../rating/calendar.ts';
import type { QualificationListCheck } from '../rating/index.ts';
import type { QualificationRunMemo } from '../quotes/qualification-source.ts';

export const QUALIFICATION_LIST_KINDS = ['high-tech', 'first-set-catalogue', 'specialised'] as const;
export type QualificationListKind = (typeof QUALIFICATION_LIST_KINDS)[number];

/** One row of a list: who, which certificate or catalogue entry, valid from/to (inclusive). */
export interface QualificationRow {
  creditCode: string;
  certificateNumber?: string;
  entryId?: string;
  /** first-set-catalogue: international, domestic or provincial (首台（套） level). */
  level?: 'international' | 'domestic' | 'provincial';
  validFrom: string;
  validTo: string;
}

interface Column { id: keyof QualificationRow; names: string[]; required: boolean }
const col = (id: keyof QualificationRow, required: boolean, ...names: string[]): Column => ({ id, names: [id, ...names].map((n) => n.toLowerCase()), required });
const creditCode = col('creditCode', true, '统一社会信用代码', 'credit code');
const validFrom = col('validFrom', true, '有效期起', 'valid from');
const validTo = col('validTo', true, '有效期止', 'valid to');

/** The columns of each kind of list (header names: the id, or its Chinese or English label). */
const COLUMNS: Record<QualificationListKind, Column[]> = {
  'high-tech': [creditCode, col('certificateNumber', true, '证书编号', 'certificate number'), validFrom, validTo],
  'first-set-catalogue': [creditCode, col('entryId', false, '目录条目', '产品名称', 'catalogue entry'), col('level', true, '级别', 'level'), validFrom, validTo],
  specialised: [creditCode, validFrom, validTo],
};

/** The qualification codes (products/subsidies/*.json) each kind of list decides. */
const CODES_DECIDED: Record<QualificationListKind, string[]> = {
  'high-tech': ['high-tech'],
  'first-set-catalogue': ['first-international', 'first-domestic', 'first-provincial'],
  specialised: ['specialised-sme'],
};

const CREDIT_CODE = /^[0-9A-Z]{18}$/;
const LEVEL_NAMES: Record<string, NonNullable<QualificationRow['level']>> = { international: 'international', domestic: 'domestic', provincial: 'provincial', 国际: 'international', 国内: 'domestic', 省内: 'provincial' };

function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Reads and checks every row of a list; every problem is named by row, column and rule. Pure. */
export function parseQualificationRows(kind: QualificationListKind, rows: string[][], sheet: string): QualificationRow[] {
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const columns = COLUMNS[kind];
  const at = new Map<Column, number>();
  const problems: ErrorDetail[] = [];
  for (const c of columns) {
    const i = header.findIndex((h) => c.names.includes(h));
    if (i >= 0) at.set(c, i);
    else if (c.required) problems.push({ path: `${sheet}!1`, message: `sheet ${sheet}, row 1: must have a column ${c.id} (required column)` });
  }
  if (problems.length > 0) throw invalidInput('The list is missing columns.', problems);
  const out: QualificationRow[] = [];
  rows.slice(1).forEach((cells, index) => {
    const rowNumber = index + 2;
    if (cells.every((c) => c.trim() === '')) return;
    const cell = (c: Column) => (at.has(c) ? (cells[at.get(c)!] ?? '').trim() : '');
    const problem = (c: Column, rule: string) => problems.push({ path: `${sheet}!${columnLetter(at.get(c)!)}${rowNumber}`, message: `sheet ${sheet}, row ${rowNumber}, column ${columnLetter(at.get(c)!)} (${c.id}): ${rule}` });
    const row: Partial<QualificationRow> = {};
    for (const c of at.keys()) {
      const text = cell(c);
      if (text === '') { if (c.required) problem(c, 'must not be empty (required)'); continue; }
      if (c.id === 'creditCode' && !CREDIT_CODE.test(text)) { problem(c, 'must be an 18-character unified social credit code (creditCode)'); continue; }
      if ((c.id === 'validFrom' || c.id === 'validTo') && !isDate(text)) { problem(c, 'must be a date YYYY-MM-DD (date)'); continue; }
      if (c.id === 'level') {
        const level = LEVEL_NAMES[text.toLowerCase()];
        if (!level) { problem(c, 'must be international, domestic or provincial (level)'); continue; }
        row.level = level;
        continue;
      }
      (row as Record<string, string>)[c.id] = text;
    }
    if (row.validFrom && row.validTo && row.validTo < row.validFrom) problem(validTo, `must be on or after validFrom ${row.validFrom} (order)`);
    out.push(row as QualificationRow);
  });
  if (problems.length > 0) throw invalidInput(`The list has ${problems.length} problem(s); nothing was stored.`, problems.slice(0, 100));
  if (out.length === 0) throw invalidInput('The list has no rows.', [{ path: `${sheet}!2`, message: `sheet ${sheet}, row 2: must hold at least one row (minRows)` }]);
  return out;
}

/** A stored version of a list. */
export interface QualificationListVersion {
  id: string;
  kind: QualificationListKind;
  authorityId: string;
  authorityCode: string;
  regionPrefixes: string[];
  /** Upload date (YYYY-MM-DD, China time): the version's date. */
  date: string;
  uploadedAt: string;
  rowCount: number;
}

const versionSchema = new mongoose.Schema({
  _id: { type: String, required: true },
  kind: { type: String, required: true },
  authorityId: { type: String, required: true },
  authorityCode: { type: String, required: true },
  regionPrefixes: { type: [String], default: [] },
  date: { type: String, required: true },
  uploadedAt: { type: Date, required: true },
  rowCount: { type: Number, required: true },
  /** Versions stored before their rows were chunked (qualificationListRows) hold them here. */
  rows: { type: mongoose.Schema.Types.Mixed },
  /** Its rows are in qualificationListRows. */
  chunked: { type: Boolean },
}, { collection: 'qualificationLists', versionKey: false });
const QualificationListModel = mongoose.model('QualificationList', versionSchema);

/** Rows of one version for one credit code: `_id` `<version id>|<credit code>`. */
const entrySchema = new mongoose.Schema({ _id: { type: String, required: true }, rows: { type: mongoose.Schema.Types.Mixed, required: true } }, { collection: 'qualificationListEntries', versionKey: false });
const QualificationListEntryModel = mongoose.model('QualificationListEntry', entrySchema);

/** Rows of a version per chunk, in file order: `_id` `<version id>#<chunk>`, ROWS_PER_CHUNK each, so a page reads one or two chunks. */
const ROWS_PER_CHUNK = 500;
const chunkSchema = new mongoose.Schema({ _id: { type: String, required: true }, rows: { type: mongoose.Schema.Types.Mixed, required: true } }, { collection: 'qualificationListRows', versionKey: false });
const QualificationListRowsModel = mongoose.model('QualificationListRows', chunkSchema);
const chunkId = (versionId: string, chunk: number) => `${versionId}#${chunk}`;

/** Rows [offset, offset + limit) of a version: the chunks they lie in, by `_id`. */
async function rowsOf(versionId: string, rowCount: number, offset: number, limit: number): Promise<QualificationRow[]> {
  const end = Math.min(offset + limit, rowCount);
  if (end <= offset) return [];
  const first = Math.floor(offset / ROWS_PER_CHUNK);
  const last = Math.floor((end - 1) / ROWS_PER_CHUNK);
  const ids = Array.from({ length: last - first + 1 }, (_, i) => chunkId(versionId, first + i));
  const chunks = await Promise.all(ids.map((id) => QualificationListRowsModel.findById(id).lean()));
  const rows = chunks.flatMap((c) => (c?.rows ?? []) as QualificationRow[]);
  return rows.slice(offset - first * ROWS_PER_CHUNK, end - first * ROWS_PER_CHUNK);
}

interface VersionRef { id: string; date: string }
/**
 * A department's own versions, per `authority|<organisation id>` (scope.ts scopedQualificationLists).
 * Until session 12 each version was also appended under `<kind>|<region prefix>` for quotes to find;
 * quotes read qualificationListNewest now, and those older entries are read by nothing.
 */
const qualificationListIndex = defineKeyedLog<VersionRef>('QualificationListIndex', 'qualificationListIndex');

/**
 * The newest version per region key (`<kind>|<region prefix>`), one document per kind: `_id` the
 * kind, `v` region key → `<version id>|<date>`. A quote reads one document per kind it asks about
 * instead of the tops of four index logs (#25, bench:api: those were a fifth of a quote creation's
 * database commands). Written with `$max` at upload: version ids are ObjectIds of one fixed length,
 * so the greatest is the newest upload whichever of two racing uploads writes last.
 */
const newestSchema = new mongoose.Schema({ _id: { type: String, required: true }, v: { type: mongoose.Schema.Types.Mixed } }, { collection: 'qualificationListNewest', versionKey: false });
const QualificationListNewestModel = mongoose.model('QualificationListNewest', newestSchema);

/**
 * The revision the newest-version documents are read behind (src/db/revision-cache.ts): an upload
 * announces it, so this instance reads the new version at once and every other instance within
 * about half a second — as subsidy programmes and the catalogue are read. A quote then costs no
 * read for them at all (#25, bench:api).
 */
export const QUALIFICATION_LISTS_REVISION = 'qualification-lists';

/** Records `ref` as the newest version of `kind` under each of `regionKeys` where it is newer than what is there. */
async function noteNewest(kind: string, regionKeys: readonly string[], ref: VersionRef): Promise<void> {
  await upsertById(QualificationListNewestModel.collection, kind, { update: { $max: Object.fromEntries(regionKeys.map((key) => [`v.${key}`, `${ref.id}|${ref.date}`])) } });
}

/**
 * Offline (book:migrate): the newest-version documents from the stored versions (idempotent: a
 * version older than what is recorded changes nothing). Versions are few (one per upload).
 */
export async function buildNewestQualificationLists(): Promise<{ versions: number }> {
  let versions = 0;
  for await (const doc of QualificationListModel.find({}, { kind: 1, regionPrefixes: 1, date: 1 }).lean().cursor()) {
    await noteNewest(doc.kind, qualificationRegionKeysOf(doc.regionPrefixes ?? [], doc.kind), { id: String(doc._id), date: doc.date });
    versions += 1;
  }
  await announceRevision(QUALIFICATION_LISTS_REVISION);
  return { versions };
}

function viewOf(doc: { _id: string; kind: string; authorityId: string; authorityCode: string; regionPrefixes?: string[] | null; date: string; uploadedAt: Date; rowCount: number }): QualificationListVersion {
  return { id: doc._id, kind: doc.kind as QualificationListKind, authorityId: doc.authorityId, authorityCode: doc.authorityCode, regionPrefixes: [...(doc.regionPrefixes ?? [])], date: doc.date, uploadedAt: doc.uploadedAt.toISOString(), rowCount: doc.rowCount };
}

/** The caller's own lists (scope.ts), or 403 for anyone but a department. */
function listsOf(caller: Caller): NonNullable<ReturnType<typeof scopedQualificationLists>> & { authority: AuthorityCoverage } {
  const scoped = scopedQualificationLists(caller);
  if (!scoped || !caller.authority) throw forbidden('Only a subsidy department keeps qualification lists.');
  return { ...scoped, authority: caller.authority };
}

/** Stores an uploaded list as a new version of its kind for the caller's regions; a bad row stores nothing. */
export async function uploadQualificationList(caller: Caller, kind: QualificationListKind, format: SheetFormat, bytes: Buffer, limits: SheetLimits = defaultUploadLimits.sheet, now = new Date()): Promise<QualificationListVersion> {
  const { key: ownKey, authority } = listsOf(caller);
  const sheets = await readSheets(bytes, format, kind, limits);
  const sheet = sheets[0];
  if (!sheet) throw invalidInput('The workbook has no sheet.', [{ path: 'body', message: 'must hold a sheet (minSheets)' }]);
  const rows = parseQualificationRows(kind, sheet.rows, sheet.name);
  const id = new mongoose.Types.ObjectId().toHexString();
  const byCode = new Map<string, QualificationRow[]>();
  for (const row of rows) byCode.set(row.creditCode, [...(byCode.get(row.creditCode) ?? []), row]);
  // Entries (by credit code, for quotes) and row chunks (in file order, for the department's pages)
  // first, the version and its index last: a version is visible only once complete.
  await QualificationListEntryModel.insertMany([...byCode].map(([code, entries]) => ({ _id: `${id}|${code}`, rows: entries })), { ordered: false });
  const chunks = Array.from({ length: Math.ceil(rows.length / ROWS_PER_CHUNK) }, (_, c) => ({ _id: chunkId(id, c), rows: rows.slice(c * ROWS_PER_CHUNK, (c + 1) * ROWS_PER_CHUNK) }));
  await QualificationListRowsModel.insertMany(chunks, { ordered: false });
  const doc = { _id: id, kind, authorityId: caller.organisationId, authorityCode: caller.organisationCode, regionPrefixes: regionsCoveredBy(authority), date: chinaDate(now), uploadedAt: now, rowCount: rows.length, chunked: true };
  await QualificationListModel.create(doc);
  const ref = { id, date: doc.date };
  // What quotes read first, then the index the department's pages read: an upload cut short
  // between the two is applied to quotes but not listed, and the department uploads it again.
  await noteNewest(kind, qualificationRegionKeysOf(doc.regionPrefixes, kind), ref);
  await announceRevision(QUALIFICATION_LISTS_REVISION);
  await qualificationListIndex.append(ownKey, id, ref);
  return viewOf(doc);
}

/** A page of the caller's department's own versions, newest first (its index log, src/db/log-pages.ts). */
export async function listOwnQualificationLists(caller: Caller, query: LogPageQuery): Promise<LogPage<QualificationListVersion>> {
  const { key, accept } = listsOf(caller);
  return logPage(qualificationListIndex, key, query, {
    // The page's versions in one `$in` read (src/db/by-ids.ts), each re-checked against the caller.
    load: async (entries) => (await findByIds<Parameters<typeof viewOf>[0]>(QualificationListModel.collection, entries.map((e) => e.value.id), { rows: 0 }))
      .map((doc) => (doc && accept(doc) ? viewOf(doc) : null)),
  });
}

/** One version with a page of its rows (from its chunks); another department's version is not found. */
export async function getQualificationList(caller: Caller, id: string, page: { offset?: number | undefined; limit?: number | undefined }): Promise<QualificationListVersion & { rows: QualificationRow[]; offset: number; limit: number }> {
  const { accept } = listsOf(caller);
  const doc = await QualificationListModel.findById(id, { rows: 0 }).lean();
  if (!doc || !accept(doc)) throw new AppError('not_found', 'The qualification list was not found.', [{ path: 'params.id', message: 'must be a list your department uploaded (exists)' }]);
  const offset = page.offset ?? 0;
  const limit = page.limit ?? 100;
  // A version stored before its rows were chunked holds them itself.
  const rows = doc.chunked ? await rowsOf(id, doc.rowCount, offset, limit) : (((await QualificationListModel.findById(id, { rows: 1 }).lean())?.rows ?? []) as QualificationRow[]).slice(offset, offset + limit);
  return { ...viewOf(doc as never), rows, offset, limit };
}

/** The caller's department's newest version of a kind with all its rows, if it has one (its own versions newest first, a page at a time). */
export async function newestOwnQualificationList(caller: Caller, kind: QualificationListKind): Promise<{ version: QualificationListVersion; rows: QualificationRow[] } | undefined> {
  let after: string | undefined;
  for (;;) {
    const page = await listOwnQualificationLists(caller, { limit: 50, ...(after !== undefined ? { after } : {}) });
    const version = page.items.find((v) => v.kind === kind);
    if (version) {
      const doc = await QualificationListModel.findById(version.id, { chunked: 1, rows: 1 }).lean();
      const rows = doc?.chunked ? await rowsOf(version.id, version.rowCount, 0, version.rowCount) : ((doc?.rows ?? []) as QualificationRow[]);
      return { version, rows };
    }
    if (page.next === undefined) return undefined;
    after = page.next;
  }
}

/** The newest version of a kind covering a region, if any (its kind's document, read once per revision; once per region in a run). */
function newestCovering(kind: QualificationListKind, regionCode: string, run?: QualificationRunMemo): Promise<VersionRef | undefined> {
  return run ? run(`${kind}|${regionCode}`, () => readNewestCovering(kind, regionCode)) : readNewestCovering(kind, regionCode);
}

async function readNewestCovering(kind: QualificationListKind, regionCode: string): Promise<VersionRef | undefined> {
  const doc = await cachedRead(QUALIFICATION_LISTS_REVISION, kind, async () => await QualificationListNewestModel.collection.findOne({ _id: kind as never }) as { v?: Record<string, string> } | null);
  // `<version id>|<date>`, the ids ObjectIds of one length: the greatest is the newest upload.
  const newest = qualificationListKeysCovering(kind, regionCode).map((key) => doc?.v?.[key]).filter((ref) => ref !== undefined).sort().at(-1);
  if (newest === undefined) return undefined;
  const bar = newest.indexOf('|');
  return { id: newest.slice(0, bar), date: newest.slice(bar + 1) };
}

/** Codes a row grants on a date (inclusive validity). */
function codesHeld(kind: QualificationListKind, rows: QualificationRow[], date: string): string[] {
  const valid = rows.filter((r) => r.validFrom <= date && date <= r.validTo);
  if (kind !== 'first-set-catalogue') return valid.length > 0 ? CODES_DECIDED[kind] : [];
  return [...new Set(valid.map((r) => `first-${r.level}`))];
}

/**
 * For the quotes' port: per kind whose codes `asked` names and whose list covers the enterprise's
 * region, the codes the enterprise holds on `date` per the newest version. Kinds with no list are
 * left out (their facts stay as declared).
 */
export async function checkQualificationLists(enterprise: { regionCode?: string | undefined; creditCode?: string | undefined }, date: string, asked: readonly string[], run?: QualificationRunMemo): Promise<QualificationListCheck[]> {
  if (!enterprise.regionCode) return [];
  const kinds = QUALIFICATION_LIST_KINDS.filter((k) => CODES_DECIDED[k].some((q) => asked.includes(q)));
  const checks = await Promise.all(kinds.map(async (kind): Promise<QualificationListCheck | undefined> => {
    const version = await newestCovering(kind, enterprise.regionCode!, run);
    if (!version) return undefined;
    const entry = enterprise.creditCode ? await QualificationListEntryModel.findById(`${version.id}|${enterprise.creditCode}`).lean() : null;
    const held = entry ? codesHeld(kind, entry.rows as QualificationRow[], date) : [];
    return { kind, decides: CODES_DECIDED[kind], held, listId: version.id, listDate: version.date };
  }));
  return checks.filter((c) => c !== undefined);
}
