import mongoose, { Schema } from 'mongoose';

// Sessions live in the database so every instance behind the load balancer sees them. FerretDB 1.x
// has no TTL indexes: expiresAt is checked on read and expired rows are removed lazily.
const webSessionSchema = new Schema(
  {
    // sha256 of the cookie value: a copy of this collection does not let anyone sign in.
    tokenHash: { type: String, required: true, unique: true },
    keyId: { type: String, required: true },
    csrfToken: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'webSessions' },
);
webSessionSchema.index({ expiresAt: 1 });

export const WebSessionModel = mongoose.model('WebSession', webSessionSchema);
