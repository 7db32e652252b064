import mongoose, { Schema } from 'mongoose';

/**
 * A policy's cancellation (退保), once: `_id` `cancel:<policyId>`, so of any number of concurrent
 * cancels only one insert succeeds (E11000 = already cancelled: 409). Read by `_id` only. `v` is
 * the cancellation as JSON text (its answer).
 */
const cancellationSchema = new Schema(
  {
    _id: { type: String, required: true },
    policyId: { type: String, required: true },
    v: { type: String, required: true },
  },
  { collection: 'policyCancellations', versionKey: false },
);
export const PolicyCancellationModel = mongoose.model('PolicyCancellation', cancellationSchema);

export const cancellationId = (policyId: string) => `cancel:${policyId}`;
