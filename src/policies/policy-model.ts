import mongoose, { Schema } from 'mongoose';
import { jsonText } from '../db/json-text.ts';
import { partyFields } from '../db/party-fields.ts';

/** An issued policy. The unique quoteId index is what makes binding exactly-once under concurrency. */
const policySchema = new Schema(
  {
    policyNumber: { type: String, required: true, unique: true },
    quoteId: { type: String, required: true, unique: true },
    quoteNumber: { type: String, required: true },
    productCode: { type: String, required: true },
    productVersion: { type: String, required: true },
    line: { type: String, required: true },
    ...partyFields,
    startDate: { type: String, required: true },
    endDate: { type: String, required: true },
    issuedAt: { type: Date, required: true },
    boundBy: { keyId: String, userName: String },
    grossPremiumFen: { type: Number, required: true },
    netPremiumFen: { type: Number, required: true },
    vatFen: { type: Number, required: true },
    expectedSubsidyFen: { type: Number, required: true },
    expectedNetCostFen: { type: Number, required: true },
    // Per programme, so later quotes can apply per-enterprise annual caps.
    subsidies: { type: [{ programme: String, amountFen: Number, _id: false }], default: [] },
    poolShares: { type: [{ insurer: String, role: String, sharePercent: String, grossPremiumFen: Number, netPremiumFen: Number, vatFen: Number, _id: false }], default: undefined },
    // Stored as the quote's are (src/db/json-text.ts): the result, inputs and context packed with the
    // product's dictionary, the context naming its subsidy programmes by snapshot id
    // (src/quotes/stored-context.ts). Policies stored before hold them as text or objects.
    result: { type: Schema.Types.Mixed, required: true, ...jsonText },
    inputs: { type: Schema.Types.Mixed, required: true, ...jsonText },
    picks: { type: Schema.Types.Mixed, default: {} },
    context: { type: Schema.Types.Mixed, required: true, ...jsonText },
    // `<organisation>:<Idempotency-Key>` of the bind that issued it: a retry with the key gets this policy back.
    idempotencyScope: { type: String },
    // #26: the policy this one renews (bound from a renewal quote): the renewal chain is walked
    // back through it by `_id` (policy-renewal.ts), never by a query.
    renewalOf: { type: String },
    // #26: `cancelled` once cancelled (cancellation-service.ts sets it by `_id`); absent: issued.
    status: { type: String },
  },
  { timestamps: true, collection: 'policies', minimize: false },
);
// Lists read keyed logs by `_id` (policy-lists.ts); the offline migration that builds them reads
// oldest first. Only what a query uses is declared: each index is a write on every insert
// (docs/scale.md, test/db/query-indexes.test.ts).
policySchema.index({ issuedAt: -1, _id: -1 });
policySchema.index({ productCode: 1, productVersion: 1 });

export const PolicyModel = mongoose.model('Policy', policySchema);

/**
 * A bind's Idempotency-Key claimed for one quote: `_id` derived from the key's scope
 * (`<organisationId>:<key>`), so a key reused for another quote is found by `_id`, the one read
 * FerretDB 1.x answers from an index, instead of a scan of every policy.
 */
const bindKeySchema = new Schema({ _id: { type: Schema.Types.ObjectId, required: true }, quoteId: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });
export const PolicyBindKeyModel = mongoose.model('PolicyBindKey', bindKeySchema, 'policyBindKeys');
/** A policy as stored (read with `.lean()`): JSON-text fields still as text. */
export type StoredPolicy = mongoose.InferSchemaType<typeof policySchema> & { _id: mongoose.Types.ObjectId };
