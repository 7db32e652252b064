// A quote's rating context as stored: JSON text (src/db/json-text.ts) in which each subsidy
// programme is the id of its snapshot (ProgrammeSnapshotModel, in quote-model.ts) instead of the
// programme itself. Every quote of a line was rated with the same few programmes as they stood,
// and each used to carry their full text (~8 kB of a ~12 kB context and result); a snapshot's id
// is a hash of that text, so a quote still names exactly the programmes it was rated with, and
// re-rating reads them back unchanged.
//
// - Writing costs no read: snapshots are stored (insert, E11000 meaning already there) the first
//   time this process meets a programme in a database, before the first quote that names it; a
//   programme object's text and id are made once (the catalogue's cached programmes are the same
//   objects for every quote until a programme changes).
// - Reading: snapshots never change, so each is read by _id once per process and kept.
// - Contexts stored before this (programmes as objects), and contexts stored as objects by even
//   earlier versions, read as they are.
import { createHash } from 'node:crypto';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { fromJsonText } from '../db/json-text.ts';
import { keptRecords } from '../db/kept-records.ts';
import { slot } from '../db/service-scope.ts';
import type { QuoteContext, SubsidyProgramme } from '../rating/index.ts';
import { expandStoredQuote, ProgrammeSnapshotModel, type RawStoredQuote, type StoredQuote } from './quote-model.ts';

interface Snapshot { id: string; text: string }

/** Each programme object's snapshot, made once per object. */
const snapshotsByObject = slot('programme snapshots by object', () => new WeakMap<object, Snapshot>());
/** Programmes by snapshot id that this database holds (read or written by this process). */
const keptProgrammes = keptRecords<SubsidyProgramme>(1000, 'programme snapshots');

function snapshotOf(programme: SubsidyProgramme): Snapshot {
  const made = snapshotsByObject();
  let snapshot = made.get(programme);
  if (!snapshot) {
    const text = JSON.stringify(programme);
    // 144 bits of SHA-256: no two programme texts a catalogue ever holds share an id.
    snapshot = { id: createHash('sha256').update(text).digest('base64url').slice(0, 24), text };
    made.set(programme, snapshot);
  }
  return snapshot;
}

/** The stored text of a context: its programmes as snapshot ids (storeProgrammesOf must have stored them). */
export function storedContextText(context: QuoteContext): string {
  return JSON.stringify(storedContextValue(context));
}

/** The context as a quote's packed fields hold it (src/quotes/quote-model.ts): its programmes by snapshot id. */
export function storedContextValue(context: QuoteContext): QuoteContext | (Omit<QuoteContext, 'programmes'> & { programmes: string[] }) {
  if (!context.programmes?.length) return context;
  // Spread then replaced: the key keeps its place, so the text reads back with the keys in their order.
  return { ...context, programmes: context.programmes.map((p) => snapshotOf(p).id) };
}

/** Stores the snapshots of the contexts' programmes this database may not hold yet; without a write once all are known. */
export async function storeProgrammesOf(contexts: readonly QuoteContext[]): Promise<void> {
  const missing = new Map<string, Snapshot>();
  for (const context of contexts) {
    for (const programme of context.programmes ?? []) {
      const snapshot = snapshotOf(programme);
      if (!keptProgrammes.get(snapshot.id)) missing.set(snapshot.id, snapshot);
    }
  }
  await Promise.all([...missing.values()].map(async (snapshot) => {
    try {
      await ProgrammeSnapshotModel.collection.insertOne({ _id: snapshot.id, text: snapshot.text } as never);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // stored before (by another process, or before a restart)
    }
    keptProgrammes.set(snapshot.id, JSON.parse(snapshot.text) as SubsidyProgramme);
  }));
}

async function programmeById(id: string): Promise<SubsidyProgramme> {
  const kept = keptProgrammes.get(id);
  if (kept) return kept;
  const doc = await ProgrammeSnapshotModel.collection.findOne({ _id: id } as never) as { text?: string } | null;
  if (!doc?.text) throw new Error(`The subsidy programme snapshot ${id} of a stored context is missing.`);
  const programme = JSON.parse(doc.text) as SubsidyProgramme;
  keptProgrammes.set(id, programme);
  return programme;
}

/** A stored context decoded: JSON text parsed (objects as they are), programme ids replaced by their programmes. */
export async function readStoredContext(stored: unknown): Promise<QuoteContext> {
  const context = fromJsonText<QuoteContext>(stored);
  const programmes = context?.programmes as readonly (SubsidyProgramme | string)[] | undefined;
  if (!programmes?.some((p) => typeof p === 'string')) return context;
  return { ...context, programmes: await Promise.all(programmes.map((p) => (typeof p === 'string' ? programmeById(p) : p))) };
}

/** A stored quote or policy with its context decoded (for the record mappers, which take a decoded context as it is). */
export async function withStoredContext<T extends { context?: unknown }>(stored: T): Promise<T & { context: QuoteContext }> {
  return { ...stored, context: await readStoredContext(stored.context) };
}

/** A quote as read (lean), decoded for its record mapper: its packed fields out of `z`, its context's programmes back. */
export function decodeStoredQuote(raw: RawStoredQuote): Promise<StoredQuote & { context: QuoteContext }> {
  return withStoredContext(expandStoredQuote(raw) as StoredQuote);
}
