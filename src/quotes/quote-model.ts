import mongoose, { Schema } from 'mongoose';
import { fromJsonText, jsonText } from '../db/json-text.ts';
import { partyFields } from '../db/party-fields.ts';

/**
 * A stored quote: the pinned product version, what was entered and picked, the context it was
 * rated in (subsidy programmes included, as they stood: by snapshot id), and the full result with
 * its worksheet, so it can be re-rated to the same fen years later.
 *
 * Since session 10 (#25 "Smaller documents") a new quote stores as fields only what a query, an
 * index or an update names (COLD below says which are not); the rest — parties, dates, inputs,
 * picks, context, result, creator — is one value `z`, packed with the product's dictionary
 * (src/db/json-text.ts). FerretDB on SQLite stores a type for every field beside its name and
 * value: a quote of 25 fields took 3.2 kB of text, one SQLite page of 4 kB each; as 10 fields
 * and `z` it takes ~1.8 kB, two to a page. expandStoredQuote gives every reader the fields back;
 * quotes stored before hold them as fields and read as they are. An approval sets the new picks,
 * context and result as fields, which win over those `z` holds (the result as rated before stays
 * in `underwriting.originalResult` too).
 */
const coldFields = {
  requestHash: { type: String },
  line: { type: String },
  // The parties (as src/db/party-fields.ts; not required here: a new quote keeps them in `z`).
  insurerOrganisationId: { type: String },
  brokerOrganisationId: { type: String },
  enterpriseOrganisationId: { type: String },
  enterpriseName: { type: String },
  poolMemberIds: partyFields.poolMemberIds,
  createdBy: { type: new Schema({ keyId: String, userName: String, role: String, organisationId: String }, { _id: false }), default: undefined },
  quoteDate: { type: String },
  startDate: { type: String },
  endDate: { type: String },
  validUntil: { type: String },
  // JSON text as well: as nested fields, FerretDB stored a type for each (~0.8 kB of a quote).
  inputs: { type: Schema.Types.Mixed, ...jsonText },
  picks: { type: Schema.Types.Mixed },
  // Read whole and never queried (src/db/json-text.ts): the context as JSON text, its subsidy
  // programmes as snapshot ids (stored-context.ts); the result as packed JSON (deflated, binary).
  // Quotes stored before read as they are (programmes' text, a result as text or an object).
  context: { type: Schema.Types.Mixed, ...jsonText },
  result: { type: Schema.Types.Mixed, ...jsonText },
  decisionReasons: { type: [String], default: undefined },
  // #26: a renewal quote's policy (bound, its policy carries it on) and the inputs the record
  // decided, as JSON text (read whole, never queried).
  renewalOf: { type: String },
  derived: { type: String },
} as const;
/** The fields a new quote keeps in `z` (none of them queried, indexed or updated alone). */
export const COLD_QUOTE_FIELDS = Object.freeze(Object.keys(coldFields)) as readonly (keyof typeof coldFields)[];

const quoteSchema = new Schema(
  {
    quoteNumber: { type: String, required: true, unique: true },
    // `<broker org>:<Idempotency-Key>` or `auto:<quote id>`: the unique index makes a retried
    // create return the first quote instead of writing a second one.
    idempotencyScope: { type: String, required: true, unique: true },
    status: { type: String, required: true, enum: ['quoted', 'referred', 'declined', 'approved', 'bound'] },
    productCode: { type: String, required: true },
    productVersion: { type: String, required: true },
    grossPremiumFen: { type: Number, required: true },
    // The cold fields, packed (since session 10): see above.
    z: { type: Schema.Types.Mixed },
    ...coldFields,
    // Single nested (since session 10): absent until an underwriter decides, where the nested path
    // stored `{ by: {} }` in every quote.
    underwriting: {
      type: new Schema({
        action: { type: String, enum: ['approve', 'decline'] },
        by: { keyId: String, userName: String },
        at: Date,
        reason: String,
        originalResult: { type: Schema.Types.Mixed, ...jsonText },
        originalPicks: Schema.Types.Mixed,
      }, { _id: false, minimize: false }),
      default: undefined,
    },
    policyId: { type: String },
    // The audit entry of the quote's creation, carried by the quote's own insert: it exists exactly
    // when the quote does, and costs no insert of its own. The audit trail reads it from here
    // (src/audit/audit-service.ts); later actions (approve, decline, bind) go to the audit log.
    // Quotes stored before it have their creation entry in the audit log instead. Since session 10
    // new quotes do not store it: every field of it is the quote's own (createdAt, createdBy, the
    // status and premium before any decision: quoteRecordOf), ~0.5 kB a quote on FerretDB.
    createdEntry: {
      type: new Schema({
        at: Date,
        actor: { keyId: String, userName: String, role: String, organisationId: String },
        status: String,
        grossPremiumFen: Number,
      }, { _id: false }),
      default: undefined,
    },
  },
  { timestamps: true, collection: 'quotes', minimize: false },
);
// Lists read keyed logs by `_id` (quote-lists.ts); the one scan left is the offline migration that
// builds them (oldest first). Every index is also a write on each insert — FerretDB 1.x (SQLite)
// maintains them all and reads none but `_id` (docs/scale.md) — so only what a query uses is declared
// (test/db/query-indexes.test.ts).
quoteSchema.index({ createdAt: -1, _id: -1 });
// The rating book's rebuild and the rate-change impact read a version's quotes.
quoteSchema.index({ productCode: 1, productVersion: 1 });

/**
 * The underwriter's decision on a referred quote, inserted once: the unique quoteId makes
 * approve/decline races end with one decision, as FerretDB has no transactions.
 */
const underwritingDecisionSchema = new Schema(
  {
    quoteId: { type: String, required: true, unique: true },
    action: { type: String, required: true, enum: ['approve', 'decline'] },
    at: { type: Date, required: true },
  },
  { collection: 'underwritingDecisions', versionKey: false },
);

/**
 * A subsidy programme as quotes' contexts held it when they were rated, by a hash of its JSON text
 * (src/quotes/stored-context.ts): written once, never changed, so each quote stores the programme's
 * id instead of its ~2 kB of text, which every quote of a line used to repeat.
 */
const programmeSnapshotSchema = new Schema(
  {
    _id: { type: String, required: true },
    text: { type: String, required: true },
  },
  { collection: 'programmeSnapshots', versionKey: false },
);

/**
 * A quote's summary, what its lists show (quote-lists.ts, #25): by `_id` = the quote's id, its
 * status (changed by underwriting and bind) beside one value of the rest, so a page of 50
 * decodes 50 small documents of three fields on FerretDB (docs/database.md). Read only by `_id`.
 * `v` is JSON packed with the product's dictionary since session 10 (~0.35 kB where its text was
 * ~1 kB); JSON text before, read the same (src/db/json-text.ts).
 */
const quoteSummaryStoreSchema = new Schema(
  { _id: { type: String, required: true }, status: { type: String, required: true }, policyId: String, v: { type: Schema.Types.Mixed, required: true } },
  { collection: 'quoteSummaries', versionKey: false },
);

export const QuoteModel = mongoose.model('Quote', quoteSchema);
export const ProgrammeSnapshotModel = mongoose.model('ProgrammeSnapshot', programmeSnapshotSchema);
export const QuoteSummaryModel = mongoose.model('QuoteSummary', quoteSummaryStoreSchema);
/** A quote's summary as stored. */
export interface StoredQuoteSummary { _id: string; status: string; policyId?: string; v: unknown }
export const UnderwritingDecisionModel = mongoose.model('UnderwritingDecision', underwritingDecisionSchema);
/** A quote as stored (read with `.lean()`, or the document its insert wrote): JSON-text fields still as text. */
export type RawStoredQuote = mongoose.InferSchemaType<typeof quoteSchema> & { _id: mongoose.Types.ObjectId };
/** The cold fields every quote has (required before they moved into `z`). */
type EveryQuoteHas = 'requestHash' | 'line' | 'insurerOrganisationId' | 'brokerOrganisationId' | 'enterpriseOrganisationId' | 'enterpriseName' | 'quoteDate' | 'startDate' | 'endDate' | 'validUntil' | 'decisionReasons';
/** A quote as stored, its cold fields out of `z` (expandStoredQuote). */
export type StoredQuote = Omit<RawStoredQuote, 'z' | EveryQuoteHas> & { [K in EveryQuoteHas]-?: NonNullable<RawStoredQuote[K]> };

/**
 * A quote as read (lean) with its cold fields back out of `z`: what was packed, then the fields
 * stored as such (a field given beside `z` wins: the record of a quote just written is built with
 * its result and context as rated). A quote stored before `z` is returned as it is.
 */
export function expandStoredQuote<T extends { z?: unknown }>(stored: T): Omit<T, 'z'> {
  if (stored.z === undefined || stored.z === null) return stored;
  const { z, ...fields } = stored;
  return { ...fromJsonText<Record<string, unknown>>(z), ...fields } as Omit<T, 'z'>;
}
