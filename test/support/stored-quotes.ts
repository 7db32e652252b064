// Stored quotes as a test reads and changes them behind the service's back: since session 10 a
// new quote keeps its cold fields (parties, dates, inputs, context, result, creator) packed in `z`
// (src/quotes/quote-model.ts); these read them expanded and change them where they are stored.
import type mongoose from 'mongoose';
import { fromJsonText, toDictionaryPackedJson } from '../../src/db/json-text.ts';
import { expandStoredQuote, QuoteModel } from '../../src/quotes/quote-model.ts';

/** Every stored quote matching `filter` (fields stored as such), expanded. */
export async function expandedQuotes<T = Record<string, unknown>>(filter: Record<string, unknown> = {}): Promise<T[]> {
  return (await QuoteModel.find(filter).lean<Record<string, unknown>[]>()).map((q) => expandStoredQuote(q) as T);
}

/** One stored quote, expanded (null when there is none). */
export async function expandedQuote<T = Record<string, unknown>>(id: string | mongoose.Types.ObjectId): Promise<T | null> {
  const stored = await QuoteModel.findById(id).lean<Record<string, unknown>>();
  return stored ? (expandStoredQuote(stored) as T) : null;
}

/**
 * Sets (and unsets) fields of a stored quote where it keeps them: a cold field inside `z`
 * (repacked), any other as a field. Dotted paths reach into an object (`createdBy.role`).
 */
export async function changeStoredQuote(id: string, set: Record<string, unknown>, unset: readonly string[] = []): Promise<void> {
  const stored = (await QuoteModel.findById(id).lean<Record<string, unknown>>())!;
  if (stored.z === undefined) {
    await QuoteModel.collection.updateOne({ _id: stored._id as never }, { $set: set, ...(unset.length ? { $unset: Object.fromEntries(unset.map((k) => [k, 1])) } : {}) });
    return;
  }
  const cold = fromJsonText<Record<string, unknown>>(stored.z);
  const fields: Record<string, unknown> = {};
  const unsetFields: Record<string, 1> = {};
  const holds = (path: string) => path.split('.')[0]! in cold;
  for (const [path, value] of Object.entries(set)) {
    if (!holds(path)) fields[path] = value;
    else setPath(cold, path, value);
  }
  for (const path of unset) {
    if (!holds(path)) unsetFields[path] = 1;
    else setPath(cold, path, undefined);
  }
  await QuoteModel.collection.updateOne({ _id: stored._id as never }, {
    $set: { ...fields, z: toDictionaryPackedJson(JSON.parse(JSON.stringify(cold)), String(stored.productCode)) },
    ...(Object.keys(unsetFields).length ? { $unset: unsetFields } : {}),
  });
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete at[keys.at(-1)!];
  else at[keys.at(-1)!] = value;
}
