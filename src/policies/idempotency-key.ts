import type mongoose from 'mongoose';
import { derivedObjectId } from '../db/derived-id.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { conflict } from '../http/app-error.ts';

/** Where a kind of request keeps its Idempotency-Key claims and what a claim is for. */
export interface KeyClaims {
  /** The claims' collection (`_id` derived from the key's scope, one field naming what it was sent for). */
  model: { collection: mongoose.Collection };
  /** Prefix of the derived `_id`: `bind-key`, `endorsement-key`, … */
  kind: string;
  /** The field naming what the key was sent for, and its value for this request. */
  field: string;
  value: string;
  /** The 409's message and detail when the key was claimed for another. */
  message: string;
  rule: string;
}

/**
 * Claims a request's Idempotency-Key for one thing (a quote, a policy), or answers 409 when it was
 * claimed for another: the claim's `_id` is derived from the key, so the check is an insert and,
 * on E11000, a read by `_id` (not a scan). A key stays with the first thing it was sent for,
 * whatever that request's outcome.
 */
export async function claimIdempotencyKey(scope: string, claims: KeyClaims): Promise<void> {
  const _id = derivedObjectId(`${claims.kind}:${scope}`);
  const collection = claims.model.collection;
  try {
    await collection.insertOne({ _id, [claims.field]: claims.value, at: new Date() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const claim = await collection.findOne({ _id });
    if (claim && claim[claims.field] !== claims.value) {
      throw conflict(claims.message, [{ path: 'header.idempotency-key', message: claims.rule }]);
    }
  }
}
