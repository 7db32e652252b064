// Where payments of premium are kept: the claim of a payment reference per insurer (exactly once,
// by a derived `_id`) and each policy's payments in a keyed log (src/db/keyed-log.ts). Both are
// read by `_id` alone (docs/database.md).
import mongoose, { Schema } from 'mongoose';
import { defineKeyedLog } from '../db/keyed-log.ts';

/**
 * A payment reference claimed by an insurer: `_id` = `<insurer organisation id>:<reference>`, the
 * payment's facts beside it. The insert is the exactly-once point: a second recording of the
 * reference meets E11000 and reads the claim by `_id` to tell a replay from a different payment.
 */
const referenceSchema = new Schema(
  {
    _id: { type: String, required: true },
    policyId: { type: String, required: true },
    reference: { type: String, required: true },
    amountFen: { type: Number, required: true },
    receivedOn: { type: String, required: true },
    recordedAt: { type: Date, required: true },
    recordedBy: { keyId: String, userName: String, organisationId: String },
  },
  { versionKey: false },
);
export const PaymentReferenceModel = mongoose.model('PaymentReference', referenceSchema, 'paymentReferences');
export type StoredPaymentClaim = mongoose.InferSchemaType<typeof referenceSchema>;

/** A payment as a policy's log keeps it (immutable, small). */
export interface LoggedPayment {
  reference: string;
  amountFen: number;
  receivedOn: string;
  /** ISO time it was recorded. */
  recordedAt: string;
  recordedBy: string;
}

/**
 * Each policy's payments, key = the policy id, in the order recorded. The n-th entry is appended
 * with ref `#n` by a writer that saw n entries: the log's unique ref lets only one payment take
 * place n, so the check "received never exceeds the gross premium" holds under concurrency
 * (policy-payments.ts).
 */
export const paymentLog = defineKeyedLog<LoggedPayment>('PolicyPaymentEntry', 'policyPayments');
