// What was recorded about the subsidy applications: the enterprise's (or its broker's) submission
// and withdrawal, the department's decision (#27). Append-only steps
// under deterministic _ids, so every write is exactly-once without transactions (FerretDB 1.x):
// `<policyId>:<programme>:submitted` and `<policyId>:<programme>:outcome` — granted and refused
// share the outcome _id, so only one outcome can ever be recorded, and a retry loses the insert
// race to its own first attempt (E11000) instead of counting twice.
import mongoose, { Schema } from 'mongoose';

const applicationStepSchema = new Schema(
  {
    _id: { type: String, required: true },
    policyId: { type: String, required: true },
    programme: { type: String, required: true },
    enterpriseId: { type: String, required: true },
    status: { type: String, required: true, enum: ['submitted', 'granted', 'refused', 'withdrawn'] },
    /** Submitted: the amount applied for; granted: the amount granted (integer fen). */
    amountFen: { type: Number },
    reason: { type: String },
    reference: { type: String },
    /** The day it happened (YYYY-MM-DD, China), as the enterprise states it. */
    on: { type: String, required: true },
    at: { type: Date, required: true },
    by: { keyId: String, userName: String, organisationId: String },
    // Who recorded an outcome (#27): the department that decided it, or — for outcomes recorded
    // before departments were users, marked so by the migration — the enterprise (or its broker).
    recordedBy: { type: String, enum: ['authority', 'enterprise'] },
    // Submitted: the enterprise's region code at submission, which the departments' lists hold it
    // under (a later change of region does not move an application to another department).
    regionCode: { type: String },
  },
  { collection: 'subsidyApplicationSteps', versionKey: false },
);
export const SubsidyApplicationStepModel = mongoose.model('SubsidyApplicationStep', applicationStepSchema);

export interface ApplicationStep {
  /** The policy's enterprise (stored on every step). */
  enterpriseId?: string;
  status: 'submitted' | 'granted' | 'refused' | 'withdrawn';
  amountFen?: number;
  reason?: string;
  reference?: string;
  on: string;
  at: Date;
  recordedBy?: 'authority' | 'enterprise';
  /** Submitted: the enterprise's region at submission (steps written before it was kept have none). */
  regionCode?: string;
  by?: { keyId?: string; userName?: string; organisationId?: string };
}

/** The _id of one step of one application. */
export const stepId = (policyId: string, programme: string, step: 'submitted' | 'outcome') => `${policyId}:${programme}:${step}`;

/**
 * An Idempotency-Key used on a status change: `_id` is `<organisationId>:<key>`, so a replay is
 * one index read; the request's hash tells a replay from a key reused for another request.
 */
const idempotencySchema = new Schema(
  {
    _id: { type: String, required: true },
    requestHash: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'subsidyIdempotencyKeys', versionKey: false },
);
export const SubsidyIdempotencyModel = mongoose.model('SubsidyIdempotencyKey', idempotencySchema);
