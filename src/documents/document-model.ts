import mongoose, { Schema } from 'mongoose';

/**
 * A rendered policy schedule, one per policy and language, written once and never updated: the
 * unique (policyId, lang) index makes concurrent first renders (bind hook, first download, other
 * instances) settle on a single stored copy, which is then served byte for byte.
 */
const policyDocumentSchema = new Schema(
  {
    // `<policyId>:<lang>`: FerretDB 1.x answers _id lookups from its primary key, while other
    // filters may scan and decode every stored PDF.
    _id: { type: String, required: true },
    policyId: { type: String, required: true },
    lang: { type: String, required: true, enum: ['zh-CN', 'en'] },
    fileName: { type: String, required: true },
    sha256: { type: String, required: true },
    size: { type: Number, required: true },
    bytes: { type: Buffer, required: true },
    renderedAt: { type: Date, required: true },
    templateVersion: { type: String, required: true },
    rendererVersion: { type: String, required: true },
  },
  { collection: 'policyDocuments', versionKey: false },
);
policyDocumentSchema.index({ policyId: 1, lang: 1 }, { unique: true });

export const PolicyDocumentModel = mongoose.model('PolicyDocument', policyDocumentSchema);

/** The id of the stored schedule of a policy in a language. */
export const policyDocumentId = (policyId: string, lang: string) => `${policyId}:${lang}`;
