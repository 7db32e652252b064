import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { organisationKinds, roles } from './caller.ts';

const organisationSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    kind: { type: String, required: true, enum: organisationKinds },
    name: { type: String, required: true },
    nameEn: { type: String },
    // Enterprises' region and qualifications decide which subsidy programmes they may claim.
    province: { type: String },
    city: { type: String },
    regionCode: { type: String },
    qualifications: { type: [String], default: [] },
    unifiedSocialCreditCode: { type: String },
    // Printed on documents (insurers: registered address and customer-service line).
    address: { type: String },
    addressEn: { type: String },
    servicePhone: { type: String },
  },
  { timestamps: true, collection: 'organisations' },
);
organisationSchema.index({ kind: 1, code: 1 });
// An enterprise found by its unified social credit code (a broker adding a client), with or without its kind.
organisationSchema.index({ unifiedSocialCreditCode: 1, kind: 1 });

const apiKeySchema = new Schema(
  {
    // The public half of the key, used to find the record; the secret half is stored only as a hash.
    keyId: { type: String, required: true, unique: true },
    secretHash: { type: String, required: true },
    userName: { type: String, required: true },
    role: { type: String, required: true, enum: roles },
    organisationId: { type: Schema.Types.ObjectId, required: true, ref: 'Organisation' },
    createdBy: { type: String },
    revokedAt: { type: Date },
  },
  { timestamps: true, collection: 'apiKeys' },
);
apiKeySchema.index({ organisationId: 1, createdAt: -1 });

export type OrganisationRecord = InferSchemaType<typeof organisationSchema>;
export type ApiKeyRecord = InferSchemaType<typeof apiKeySchema>;
export const OrganisationModel = mongoose.model('Organisation', organisationSchema);
export const ApiKeyModel = mongoose.model('ApiKey', apiKeySchema);
