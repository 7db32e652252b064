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
    // Subsidy departments (kind authority, #27): level, regions covered (code prefixes), programmes administered.
    level: { type: String },
    regionPrefixes: { type: [String], default: undefined },
    programmes: { type: [String], default: undefined },
  },
  { timestamps: true, collection: 'organisations' },
);
organisationSchema.index({ kind: 1, code: 1 });

/**
 * A unified social credit code claimed by the organisation that holds it: `_id` = the code, so
 * finding an enterprise by its code (a broker adding a client) is a read by `_id` — the one read
 * FerretDB 1.x answers from an index — and two registrations of one code at once end with one
 * organisation (the second insert is an E11000).
 */
const creditCodeSchema = new Schema(
  { _id: { type: String, required: true }, organisationId: { type: String, required: true } },
  { collection: 'organisationCreditCodes', versionKey: false },
);

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
export const CreditCodeModel = mongoose.model('OrganisationCreditCode', creditCodeSchema);
