// Quote lists on keyed logs (#25): every stored quote is appended, as a small immutable entry (its
// parties and product), to the list of everyone who may see it (scope.ts listKeysOf) and, when
// referred, to its lead insurer's referral queue; what a list shows is the quote's summary, kept
// by `_id` in `quoteSummaries` (its status updated there by underwriting and bind). A page reads
// its list's newest chunk and one summary per row: its cost follows the page, never the book
// (src/db/log-pages.ts). Appends are idempotent (by quote id), so a replayed create or a re-run
// migration adds nothing twice.
import { decodeStoredQuote } from './stored-context.ts';
import type { Caller } from '../auth/caller.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { BUSINESS_SHORT_NAMES, listKeysOf, scopedList, statusListKeysOf, type BusinessEntry } from '../auth/scope.ts';
import { findByIds } from '../db/by-ids.ts';
import { isDuplicateKeyError, upsertById } from '../db/duplicate-key.ts';
import { fromJsonText, toDictionaryPackedJson } from '../db/json-text.ts';
import { createInsertBatcher, insertEach } from '../db/insert-batcher.ts';
import { defineKeyedLog, shortFieldNames, type KeyedAppend, type LogEntry } from '../db/keyed-log.ts';
import { logPage, type LogPage } from '../db/log-pages.ts';
import { observeInsertBatch } from '../http/metrics.ts';
import { chinaDate } from '../rating/calendar.ts';
import type { CoInsuranceShare, RatingResult } from '../rating/index.ts';
import { QuoteModel, QuoteSummaryModel, type RawStoredQuote, type StoredQuote, type StoredQuoteSummary } from './quote-model.ts';
import type { QuoteRecord, QuoteSummary } from './quote-schemas.ts';

/** The quote list entries: per list key (`all`, `broker:…`, `enterprise:…`, `insurer:…`, `referred:…`). */
export const quoteListLog = defineKeyedLog<BusinessEntry>('QuoteListEntry', 'quoteLists', { codec: shortFieldNames(BUSINESS_SHORT_NAMES) });

/** What a summary is made from: a quote's record, or a bulk save's document as it was stored. */
export type SummarySource = Pick<QuoteRecord, 'id' | 'quoteNumber' | 'status' | 'productCode' | 'productVersion' | 'line' | 'enterpriseOrganisationId' | 'enterpriseName' | 'brokerOrganisationId' | 'insurerOrganisationId' | 'poolMemberIds' | 'quoteDate' | 'startDate' | 'endDate' | 'validUntil' | 'createdAt' | 'policyId'> & {
  readonly result: RatingResult;
  readonly underwriting?: { readonly action?: string; readonly originalResult?: RatingResult };
};

/** The summary's stored fields besides its status (JSON text `v`): everything but what changes. */
type SummaryFields = Omit<QuoteSummary, 'status' | 'expired' | 'insurerName' | 'policyId' | 'myShare'> & { shares?: CoInsuranceShare[] };

const wasReferred = (q: SummarySource) => q.status === 'referred' || Boolean(q.underwriting?.action) || q.result.decision.outcome === 'referred';

function summaryFieldsOf(q: SummarySource): SummaryFields {
  const r = q.result;
  // An approval re-rates; the rules that referred it are those of the original result.
  const rated = q.underwriting?.originalResult ?? r;
  return {
    id: q.id, quoteNumber: q.quoteNumber, productCode: q.productCode, productVersion: q.productVersion, line: q.line,
    enterpriseId: q.enterpriseOrganisationId, enterpriseName: q.enterpriseName,
    brokerOrganisationId: q.brokerOrganisationId, insurerOrganisationId: q.insurerOrganisationId,
    ...(q.poolMemberIds?.length ? { poolMemberIds: [...q.poolMemberIds] } : {}),
    insurer: r.insurer,
    grossPremiumFen: r.grossPremiumFen, netPremiumFen: r.netPremiumFen, vatFen: r.vatFen,
    expectedSubsidyFen: r.subsidies.totalFen, enterprisePaysFen: r.enterprisePaysFen, expectedNetCostFen: r.expectedNetCostFen,
    decision: r.decision.outcome, decisionReasons: rated.decision.reasons.map((reason) => reason.rule), referred: wasReferred(q),
    quoteDate: q.quoteDate, startDate: q.startDate, endDate: q.endDate, validUntil: q.validUntil, createdAt: q.createdAt.toISOString(),
    ...(r.coInsurance?.length ? { shares: r.coInsurance.map((s) => ({ ...s })) } : {}),
  };
}

/** A quote's summary as stored: exactly what QuoteSummaryModel would cast it to (written without casting). */
export function summaryDocumentOf(q: SummarySource): StoredQuoteSummary {
  return { _id: q.id, status: q.status, ...(q.policyId ? { policyId: q.policyId } : {}), v: toDictionaryPackedJson(summaryFieldsOf(q), q.productCode) };
}

/** The entry a quote is listed by: its parties and product (never changing). */
function listEntryOf(q: SummarySource): BusinessEntry {
  return {
    brokerOrganisationId: q.brokerOrganisationId, insurerOrganisationId: q.insurerOrganisationId, enterpriseOrganisationId: q.enterpriseOrganisationId,
    ...(q.poolMemberIds?.length ? { poolMemberIds: [...q.poolMemberIds] } : {}), productCode: q.productCode,
  };
}

/**
 * The statuses kept as lists of their own (`<status>|<key>`). Not `quoted` (#25, bytes and bulk
 * load): a quote is `quoted` only if it was created so and nothing has happened to it since, so
 * the `quoted|` lists held the same quotes in the same order as the lists themselves, less those
 * referred, bound or decided — a second copy of most of the book (half of every quote's entries).
 * A `status=quoted` filter reads the caller's list and keeps the summaries still quoted instead.
 */
const STATUS_LISTS: ReadonlySet<string> = new Set(['referred', 'approved', 'declined', 'bound']);

/** The statuses a quote has been in that have lists: its referral, its decision, where it is now. */
function statusesOf(q: SummarySource): string[] {
  const been = [...(wasReferred(q) ? ['referred'] : []), ...(q.underwriting?.action ? [q.underwriting.action === 'approve' ? 'approved' : 'declined'] : []), q.status];
  return [...new Set(been.filter((status) => STATUS_LISTS.has(status)))];
}

/** Appends a quote to the lists of `statuses` (idempotent: again adds nothing). */
async function appendStatusEntries(entry: BusinessEntry, quoteId: string, statuses: readonly string[]): Promise<void> {
  const keys = statuses.filter((status) => STATUS_LISTS.has(status)).flatMap((status) => statusListKeysOf(entry, status));
  await Promise.all(keys.map((key) => quoteListLog.append(key, quoteId, entry)));
}

/** The entries of a quote: one in every list it belongs to, and in those of each status it has been in. */
function listAppendsOf(q: SummarySource): KeyedAppend<BusinessEntry>[] {
  const entry = listEntryOf(q);
  const keys = [...listKeysOf(entry), ...statusesOf(q).flatMap((status) => statusListKeysOf(entry, status))];
  return keys.map((key) => ({ key, ref: q.id, value: entry }));
}

/** Appends a quote to every list it belongs to, and to those of each status it has been in (idempotent). */
async function appendListEntries(q: SummarySource): Promise<void> {
  await Promise.all(listAppendsOf(q).map((a) => quoteListLog.append(a.key, a.ref, a.value)));
}

// Concurrent quote creations share insert commands for their summaries too (src/db/insert-batcher.ts).
const summaryInserts = createInsertBatcher(QuoteSummaryModel, { onBatch: observeInsertBatch });

/** Lists a quote just stored (createQuote): its summary, then its list entries. */
export async function listNewQuote(q: SummarySource): Promise<void> {
  // Side by side: a page that meets an entry before its summary skips it (load: null) for that moment.
  await Promise.all([
    summaryInserts.insertStored(summaryDocumentOf(q) as unknown as Record<string, unknown>).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    }),
    appendListEntries(q),
  ]);
}

/**
 * Lists a batch of quotes (a bulk save's, or a replay's): summaries in one insert (those already
 * there are kept: their status may have moved on), then every list entry.
 */
export async function listQuotesStored(quotes: readonly SummarySource[]): Promise<void> {
  if (quotes.length === 0) return;
  const failures = await insertEach(QuoteSummaryModel, quotes.map((q) => summaryDocumentOf(q) as unknown as Record<string, unknown>));
  const failed = failures.find((f) => f && !isDuplicateKeyError(f));
  if (failed) throw failed;
  // Every list entry of the batch in one insert (src/db/keyed-log.ts appendAll), not one per list.
  await quoteListLog.appendAll(quotes.flatMap(listAppendsOf));
}

/** Rewrites a quote's summary after an underwriting decision (the approval re-rated its premium). */
export async function rewriteSummary(q: SummarySource): Promise<void> {
  const doc = summaryDocumentOf(q);
  await upsertById(QuoteSummaryModel.collection, q.id, { replace: doc as unknown as Record<string, unknown> });
  await appendStatusEntries(listEntryOf(q), q.id, [q.status]);
}

/** Marks a quote's summary bound (the quote's own update is markBound's). */
export async function markSummaryBound(quoteId: string, policyId: string): Promise<void> {
  await QuoteSummaryModel.collection.updateOne({ _id: quoteId as never }, { $set: { status: 'bound', policyId } });
  const doc = await QuoteSummaryModel.collection.findOne({ _id: quoteId as never }, { projection: { v: 1 } }) as { v: unknown } | null;
  if (!doc) return;
  const f = fromJsonText<SummaryFields>(doc.v);
  const entry: BusinessEntry = {
    brokerOrganisationId: f.brokerOrganisationId, insurerOrganisationId: f.insurerOrganisationId, enterpriseOrganisationId: f.enterpriseId,
    ...(f.poolMemberIds?.length ? { poolMemberIds: [...f.poolMemberIds] } : {}), productCode: f.productCode,
  };
  await appendStatusEntries(entry, quoteId, ['bound']);
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface QuoteListFilter {
  status?: string;
  productCode?: string;
  enterpriseId?: string;
  /** Only the business the caller's insurer leads (what it may decide), not a pool follower's share. */
  ownInsurerOnly?: boolean;
  limit: number;
  offset?: number;
  /** The `next` of the page before. */
  after?: string;
}

/** The summaries of a page's entries, by `_id` (one `$in` read: src/db/by-ids.ts), as the caller sees them. */
async function loadSummaries(caller: Caller, entries: readonly LogEntry<BusinessEntry>[], now: Date): Promise<(QuoteSummary | null)[]> {
  const [docs, names] = await Promise.all([
    findByIds<StoredQuoteSummary>(QuoteSummaryModel.collection, entries.map((e) => e.ref)),
    insurerDirectory(),
  ]);
  const today = chinaDate(now);
  return docs.map((doc) => {
    if (!doc) return null;
    const { shares, ...fields } = fromJsonText<SummaryFields>(doc.v);
    const insurerName = names.get(fields.insurer)?.name;
    const mine = shares?.find((s) => names.get(s.insurer)?.id === caller.organisationId);
    const named = mine && names.get(mine.insurer);
    return {
      ...fields, status: doc.status as QuoteSummary['status'], expired: doc.status !== 'bound' && fields.validUntil < today,
      ...(insurerName ? { insurerName } : {}), ...(doc.policyId ? { policyId: doc.policyId } : {}),
      ...(mine ? { myShare: { insurer: mine.insurer, ...(named ? { insurerName: named.name, ...(named.nameEn ? { insurerNameEn: named.nameEn } : {}) } : {}), role: mine.role, sharePercent: mine.sharePercent, grossPremiumFen: mine.grossPremiumFen, netPremiumFen: mine.netPremiumFen, vatFen: mine.vatFen } } : {}),
    };
  });
}

/**
 * A page of the quotes the caller may see, newest first (scope.ts scopedList names the list and
 * re-checks every entry). A status filter keeps summaries by their current status, reading the
 * status's own list where there is one (STATUS_LISTS: the referral queue — referred, own insurer —
 * reads the insurer's `referred|` list rather than all its business), else the caller's list.
 */
export async function listQuotes(caller: Caller, filter: QuoteListFilter, now: Date = new Date()): Promise<LogPage<QuoteSummary>> {
  const status = filter.status;
  const listed = status !== undefined && STATUS_LISTS.has(status) ? status : undefined;
  const list = scopedList(caller, { productCode: filter.productCode, enterpriseId: filter.enterpriseId, ownInsurerOnly: filter.ownInsurerOnly, status: listed });
  return logPage(quoteListLog, list.key, { limit: filter.limit, offset: filter.offset, after: filter.after }, {
    filtered: list.filtered || Boolean(status),
    accept: list.accept,
    load: (entries) => loadSummaries(caller, entries, now),
    ...(status ? { keep: (s: QuoteSummary) => s.status === status } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// Migration

/**
 * Builds the summaries and list entries of quotes stored before lists were kept (offline, once;
 * idempotent): quotes with a summary keep it, every quote is (re-)appended in creation order. A
 * scan of ids and dates, then each quote read by `_id`, a few hundred at a time.
 */
export async function buildQuoteLists(recordOf: (stored: StoredQuote) => SummarySource, batchSize = 200): Promise<{ quotes: number; summariesWritten: number }> {
  const ids = await QuoteModel.find({}, { _id: 1, createdAt: 1 }).lean<{ _id: unknown; createdAt?: Date }[]>();
  ids.sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0) || String(a._id).localeCompare(String(b._id)));
  let summariesWritten = 0;
  for (let i = 0; i < ids.length; i += batchSize) {
    const read = await Promise.all(ids.slice(i, i + batchSize).map(async (d) => {
      const [stored, summary] = await Promise.all([
        QuoteModel.findById(d._id).lean<RawStoredQuote>(),
        QuoteSummaryModel.collection.findOne({ _id: String(d._id) as never }, { projection: { _id: 1 } }),
      ]);
      return stored ? { record: recordOf(await decodeStoredQuote(stored)), listed: summary !== null } : null;
    }));
    const found = read.filter((r) => r !== null);
    const missing = found.filter((r) => !r.listed).map((r) => summaryDocumentOf(r.record));
    if (missing.length) {
      const failures = await insertEach(QuoteSummaryModel, missing as unknown as Record<string, unknown>[]);
      const failed = failures.find((f) => f && !isDuplicateKeyError(f));
      if (failed) throw failed;
    }
    summariesWritten += missing.length;
    // In creation order: a key's appends are queued in call order.
    await Promise.all(found.map((r) => appendListEntries(r.record)));
  }
  return { quotes: ids.length, summariesWritten };
}
