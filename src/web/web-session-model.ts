import mongoose, { Schema } from 'mongoose';

// Sessions live in the database so every instance behind the load balancer sees them. FerretDB 1.x
// has no TTL indexes: expiresAt is checked on read and expired rows are removed lazily.
const webSessionSchema = new Schema(
  {
    // _id is the sha256 of the cookie value (a copy of this collection does not let anyone sign
    // in), so the per-request read is an exact _id filter, the only one FerretDB 1.x reads by index.
    _id: { type: String, required: true },
    // The same hash again: databases from before this layout hold a unique index on it.
    tokenHash: { type: String, required: true, unique: true },
    keyId: { type: String, required: true },
    csrfToken: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'webSessions' },
);
webSessionSchema.index({ expiresAt: 1 });

export const WebSessionModel = mongoose.model('WebSession', webSessionSchema);
