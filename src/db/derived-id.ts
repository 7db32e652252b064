// Ids derived from what a record is, so that a second writer of the same record meets the first
// one's unique _id (E11000) and finds it with one read by _id: docs/database.md.
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';

/** 12 bytes of the seed's SHA-256, as an ObjectId. Seeds carry a prefix naming their kind. */
export function derivedObjectId(seed: string): mongoose.Types.ObjectId {
  return new mongoose.Types.ObjectId(createHash('sha256').update(seed).digest().subarray(0, 12));
}
