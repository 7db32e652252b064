import mongoose, { Schema } from 'mongoose';

/**
 * A policy's endorsements (批单), a keyed log with its positions chosen by the writer: `_id`
 * `<policyId>#<n>` (n = 1, 2, …), so numbers are gapless per policy (n is written only after
 * n − 1 was read) and two endorsements computed on the same terms cannot both be stored (the
 * second meets E11000 on n). Every read is by `_id`. `v` is the endorsement as JSON text: its
 * answer and the policy's terms after it.
 */
const endorsementSchema = new Schema(
  {
    _id: { type: String, required: true },
    policyId: { type: String, required: true },
    n: { type: Number, required: true },
    // `<organisation>:<Idempotency-Key>` of the request that made it: a retry gets this endorsement back.
    idempotencyScope: { type: String },
    v: { type: String, required: true },
  },
  { collection: 'policyEndorsements', versionKey: false },
);
export const PolicyEndorsementModel = mongoose.model('PolicyEndorsement', endorsementSchema);

/** An endorsement's Idempotency-Key claimed for one policy (`_id` derived from the key's scope), as a bind's is. */
const endorsementKeySchema = new Schema({ _id: { type: Schema.Types.ObjectId, required: true }, policyId: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });
export const PolicyEndorsementKeyModel = mongoose.model('PolicyEndorsementKey', endorsementKeySchema, 'policyEndorsementKeys');
