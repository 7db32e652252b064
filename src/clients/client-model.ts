import mongoose, { Schema } from 'mongoose';

/**
 * A broker firm acts for an enterprise: one row per (broker, enterprise). Its _id is derived from
 * the pair (see client-service.ts), so a second link of the same pair is a duplicate key.
 */
const clientLinkSchema = new Schema(
  {
    brokerOrganisationId: { type: String, required: true },
    enterpriseId: { type: String, required: true },
    linkedBy: { keyId: String, userName: String },
  },
  { timestamps: true, collection: 'clientLinks' },
);
clientLinkSchema.index({ brokerOrganisationId: 1, enterpriseId: 1 });

export const ClientLinkModel = mongoose.model('ClientLink', clientLinkSchema);
