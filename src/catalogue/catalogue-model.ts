import mongoose, { Schema } from 'mongoose';

/** A product: the stable identity that versions hang off. Codes are unique across insurers. */
const productSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    insurerOrganisationId: { type: String, required: true },
    insurerCode: { type: String, required: true },
    line: { type: String, required: true },
    name: { zh: String, en: String },
  },
  { timestamps: true, collection: 'products' },
);
productSchema.index({ insurerOrganisationId: 1, code: 1 });

/**
 * One version of a product's definition. Drafts may be edited; a published version is a filed
 * contract and never changes (a change is a new version); retired versions stay for old quotes, as
 * do withdrawn ones (published for a later date, withdrawn before that date).
 */
const productVersionSchema = new Schema(
  {
    productCode: { type: String, required: true },
    version: { type: String, required: true },
    status: { type: String, required: true, enum: ['draft', 'published', 'retired', 'withdrawn'] },
    insurerOrganisationId: { type: String, required: true },
    line: { type: String, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    definitionHash: { type: String, required: true },
    // Hash of the products/ file a relabelled version came from, so an unchanged file stays a no-op.
    sourceHash: { type: String },
    effectiveFrom: { type: String, required: true },
    effectiveTo: { type: String },
    publishedAt: { type: Date },
    retiredAt: { type: Date },
    // A scheduled version withdrawn before its first day (see withdrawVersion).
    withdrawnAt: { type: Date },
    createdBy: { type: String },
    // The regulator's filing of this version (备案号, 备案日期), recorded when it is known; printed on its documents.
    filingReference: { type: String },
    filedOn: { type: String },
    // Four-eyes publishing (version-approval.ts): who submitted the draft for approval, when, and
    // the hash of what they submitted (the content without its first day, which the approver picks).
    submittedBy: { type: String },
    submittedByName: { type: String },
    submittedAt: { type: Date },
    submittedHash: { type: String },
  },
  { timestamps: true, collection: 'productVersions', minimize: false },
);
productVersionSchema.index({ productCode: 1, version: 1 }, { unique: true });
productVersionSchema.index({ status: 1, effectiveFrom: 1 });
// A product's versions by status, newest in force first (rating look-ups); its versions newest first (the version list).
productVersionSchema.index({ productCode: 1, status: 1, effectiveFrom: -1 });
productVersionSchema.index({ productCode: 1, createdAt: -1 });
// Product sync finds a definition already stored by either hash.
productVersionSchema.index({ productCode: 1, definitionHash: 1 });
productVersionSchema.index({ productCode: 1, sourceHash: 1 });

/**
 * Publications are inserted, never updated: the unique (productCode, sequence) index serialises
 * publishes of one product across instances, and (productCode, version) makes a version publish
 * exactly once — FerretDB has no transactions and its findAndModify is read-then-write.
 */
const publicationSchema = new Schema(
  {
    productCode: { type: String, required: true },
    sequence: { type: Number, required: true },
    version: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'publications', versionKey: false },
);
publicationSchema.index({ productCode: 1, sequence: 1 }, { unique: true });
publicationSchema.index({ productCode: 1, version: 1 }, { unique: true });

export const ProductModel = mongoose.model('Product', productSchema);
export const ProductVersionModel = mongoose.model('ProductVersion', productVersionSchema);
export const PublicationModel = mongoose.model('Publication', publicationSchema);
