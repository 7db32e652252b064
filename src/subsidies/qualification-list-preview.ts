// Qualification lists, previewed before they are stored (#27 "Pages": "list uploads with a
// preview of what changes"). A department's upload is read and checked exactly as the API's, and
// compared with the department's newest version of that kind: enterprises added, removed, and
// those whose validity or level changed. The file waits as a draft — one per department and
// kind, `_id` `<organisation id>|<kind>`, replaced by the next preview — until the officer
// confirms it; the confirmation claims the preview's token once (an insert under a unique `_id`:
// a second click finds it gone) and stores it through uploadQualificationList, unless a newer
// version of that kind arrived since the preview (then the preview is stale: conflict). Drafts
// live in the database, not the process: any instance may take the confirmation.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { Caller } from '../auth/caller.ts';
import { readSheets, type SheetFormat } from '../catalogue/table-spreadsheets.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { AppError, forbidden, invalidInput } from '../http/app-error.ts';
import { defaultUploadLimits, type SheetLimits } from '../http/upload-limits.ts';
import { newestOwnQualificationList, parseQualificationRows, uploadQualificationList, type QualificationListKind, type QualificationListVersion, type QualificationRow } from './qualification-lists.ts';

/** An enterprise's terms in a list: its validity periods (`from~to`) and 首台（套） levels, sorted. */
export interface QualificationTerms { validity: string[]; levels: string[] }

export interface QualificationChange { creditCode: string; before: QualificationTerms; after: QualificationTerms; validityChanged: boolean; levelChanged: boolean }

/** What a new version changes against the one before it, by credit code (each list sorted by code). */
export interface QualificationListDiff {
  added: { creditCode: string; terms: QualificationTerms }[];
  removed: { creditCode: string; terms: QualificationTerms }[];
  changed: QualificationChange[];
  unchanged: number;
}

function termsByCode(rows: readonly QualificationRow[]): Map<string, QualificationTerms> {
  const grouped = new Map<string, QualificationRow[]>();
  for (const row of rows) grouped.set(row.creditCode, [...(grouped.get(row.creditCode) ?? []), row]);
  const unique = (values: string[]) => [...new Set(values)].sort();
  return new Map([...grouped].map(([code, list]) => [code, {
    validity: unique(list.map((r) => `${r.validFrom}~${r.validTo}`)),
    levels: unique(list.flatMap((r) => (r.level ? [r.level] : []))),
  }]));
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Compares two versions' rows by credit code (no `before`: every enterprise is added). Pure. */
export function diffQualificationRows(before: readonly QualificationRow[] | undefined, after: readonly QualificationRow[]): QualificationListDiff {
  const old = termsByCode(before ?? []);
  const now = termsByCode(after);
  const diff: QualificationListDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const [creditCode, terms] of now) {
    const was = old.get(creditCode);
    if (!was) { diff.added.push({ creditCode, terms }); continue; }
    const validityChanged = !same(was.validity, terms.validity);
    const levelChanged = !same(was.levels, terms.levels);
    if (validityChanged || levelChanged) diff.changed.push({ creditCode, before: was, after: terms, validityChanged, levelChanged });
    else diff.unchanged += 1;
  }
  for (const [creditCode, terms] of old) if (!now.has(creditCode)) diff.removed.push({ creditCode, terms });
  const byCode = (a: { creditCode: string }, b: { creditCode: string }) => (a.creditCode < b.creditCode ? -1 : a.creditCode > b.creditCode ? 1 : 0);
  diff.added.sort(byCode); diff.removed.sort(byCode); diff.changed.sort(byCode);
  return diff;
}

const draftSchema = new mongoose.Schema({
  _id: { type: String, required: true },
  token: { type: String, required: true },
  kind: { type: String, required: true },
  format: { type: String, required: true },
  bytes: { type: Buffer, required: true },
  baseVersionId: { type: String, default: null },
  createdAt: { type: Date, required: true },
}, { collection: 'qualificationListDrafts', versionKey: false });
const QualificationListDraftModel = mongoose.model('QualificationListDraft', draftSchema);

/** A confirmed preview's token (`_id`): the one write that decides which confirmation stores it. */
const claimSchema = new mongoose.Schema({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { collection: 'qualificationListClaims', versionKey: false });
const QualificationListClaimModel = mongoose.model('QualificationListClaim', claimSchema);

/** A lean read gives the driver's Binary (its bytes in `buffer`), not a Buffer. */
const bytesOf = (stored: unknown): Buffer => (Buffer.isBuffer(stored) ? stored : Buffer.from((stored as { buffer: Uint8Array }).buffer));

/** A draft older than this is not stored: preview again. */
const DRAFT_LIFETIME_MS = 24 * 3_600_000;

function checkAuthority(caller: Caller): void {
  if (caller.role !== 'authority-officer' || !caller.authority) throw forbidden('Only a subsidy department keeps qualification lists.');
}

/** The department's newest version of a kind, if it has one. */
async function newestOwn(caller: Caller, kind: QualificationListKind): Promise<QualificationListVersion | undefined> {
  return (await newestOwnQualificationList(caller, kind))?.version;
}

export interface QualificationListPreview {
  kind: QualificationListKind;
  /** Confirms this preview (and no later one). */
  token: string;
  rowCount: number;
  /** The version compared with; none when this is the department's first list of the kind. */
  base?: QualificationListVersion;
  diff: QualificationListDiff;
}

/** Reads and checks a list as the upload would (a bad row: 400 naming row, column and rule), diffs it against the department's newest of its kind, and keeps it as a draft. */
export async function previewQualificationList(caller: Caller, kind: QualificationListKind, format: SheetFormat, bytes: Buffer, limits: SheetLimits = defaultUploadLimits.sheet, now = new Date()): Promise<QualificationListPreview> {
  checkAuthority(caller);
  const sheet = (await readSheets(bytes, format, kind, limits))[0];
  if (!sheet) throw invalidInput('The workbook has no sheet.', [{ path: 'body', message: 'must hold a sheet (minSheets)' }]);
  const rows = parseQualificationRows(kind, sheet.rows, sheet.name);
  const newest = await newestOwnQualificationList(caller, kind);
  const base = newest?.version;
  const baseRows = newest?.rows;
  const token = randomBytes(16).toString('hex');
  await QualificationListDraftModel.replaceOne({ _id: `${caller.organisationId}|${kind}` }, { token, kind, format, bytes, baseVersionId: base?.id ?? null, createdAt: now }, { upsert: true });
  return { kind, token, rowCount: rows.length, ...(base ? { base } : {}), diff: diffQualificationRows(baseRows, rows) };
}

/** Stores the previewed draft `token` as a new version, once; stale or replaced previews are refused. */
export async function confirmQualificationList(caller: Caller, kind: QualificationListKind, token: string, limits: SheetLimits = defaultUploadLimits.sheet, now = new Date()): Promise<QualificationListVersion> {
  checkAuthority(caller);
  const _id = `${caller.organisationId}|${kind}`;
  const gone = () => new AppError('not_found', 'The preview was already stored, replaced by a newer one, or has expired; upload the file again.', [{ path: 'body.token', message: 'must name the latest preview of this kind (preview)' }]);
  const draft = await QualificationListDraftModel.findById(_id).lean();
  if (!draft || draft.token !== token || now.getTime() - draft.createdAt.getTime() > DRAFT_LIFETIME_MS) throw gone();
  if ((await newestOwn(caller, kind))?.id !== (draft.baseVersionId ?? undefined)) {
    throw new AppError('conflict', 'A newer version of this list was stored after the preview; upload the file again to see what it changes.', [{ path: 'body.token', message: 'must preview against the newest version (stale)' }]);
  }
  // Claimed once by an insert under the unique `_id` (FerretDB's findOneAndDelete is not atomic):
  // of two confirmations of the same preview, one stores it and the other finds it gone.
  try {
    await QualificationListClaimModel.create({ _id: token, at: now });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw gone();
    throw err;
  }
  await QualificationListDraftModel.deleteOne({ _id, token });
  return uploadQualificationList(caller, kind, draft.format as SheetFormat, bytesOf(draft.bytes), limits, now);
}
