// A packed snapshot of the book of one product version: what re-rating needs from every stored
// quote and policy (id, number, inputs, picks, context, stored premium and decision), 2,000 to a
// gzipped chunk. FerretDB 1.x reads a few thousand stored quotes a second (each carries its
// worksheet and subsidy programmes), so a rate-change exercise — many drafts against the same
// baseline — reads the book from the database once, and every later analysis reads ~50 chunks.
// The snapshot serves premium and decision analysis: contexts are kept without their subsidy
// programmes, so re-rated subsidies are not meaningful (and not reported).
import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import mongoose, { Schema } from 'mongoose';
import { PolicyModel } from '../policies/policy-model.ts';
import { QuoteModel } from '../quotes/quote-model.ts';
import type { QuoteContext, QuotePicks } from '../rating/index.ts';

const CHUNK_SIZE = 2000;

const chunkSchema = new Schema(
  {
    snapshotId: { type: String, required: true },
    kind: { type: String, required: true, enum: ['quote', 'policy'] },
    seq: { type: Number, required: true },
    count: { type: Number, required: true },
    data: { type: Buffer, required: true },
  },
  { collection: 'ratingBookChunks', versionKey: false },
);
chunkSchema.index({ snapshotId: 1, kind: 1, seq: 1 }, { unique: true });

// Written after all its chunks: a snapshot document means a complete snapshot (no transactions).
const snapshotSchema = new Schema(
  {
    snapshotId: { type: String, required: true, unique: true },
    productCode: { type: String, required: true },
    productVersion: { type: String, required: true },
    takenAt: { type: Date, required: true },
    quotes: { type: Number, required: true },
    policies: { type: Number, required: true },
  },
  { collection: 'ratingBookSnapshots', versionKey: false },
);
snapshotSchema.index({ productCode: 1, productVersion: 1, takenAt: -1 });

export const RatingBookChunkModel = mongoose.model('RatingBookChunk', chunkSchema);
export const RatingBookSnapshotModel = mongoose.model('RatingBookSnapshot', snapshotSchema);

/** One stored quote or policy as re-rating reads it. */
export interface BookEntry {
  id: string;
  number: string;
  inputs: unknown;
  picks: QuotePicks | undefined;
  context: QuoteContext;
  storedPremiumFen: number;
  storedDecision: string;
}

export interface BookSnapshot {
  snapshotId: string;
  productCode: string;
  productVersion: string;
  takenAt: Date;
  quotes: number;
  policies: number;
}

// [id, number, inputs, picks, context index, stored premium, stored decision]
type PackedEntry = [string, string, unknown, QuotePicks | null, number, number, string];

interface StoredRating {
  _id: unknown;
  quoteNumber?: string;
  policyNumber?: string;
  inputs: unknown;
  picks?: QuotePicks;
  context: QuoteContext;
  result?: { grossPremiumFen?: number; decision?: { outcome?: string } };
}

/** Only what re-rating reads: not the worksheet. */
const PROJECTION = { inputs: 1, picks: 1, context: 1, 'result.grossPremiumFen': 1, 'result.decision.outcome': 1 } as const;

/** The newest complete snapshot of a version's book taken at or after `since`, if any. */
export async function findBookSnapshot(productCode: string, productVersion: string, since: Date): Promise<BookSnapshot | null> {
  const doc = await RatingBookSnapshotModel.findOne({ productCode, productVersion, takenAt: { $gte: since } }).sort({ takenAt: -1 }).lean();
  return doc ? { snapshotId: doc.snapshotId, productCode: doc.productCode, productVersion: doc.productVersion, takenAt: doc.takenAt, quotes: doc.quotes, policies: doc.policies } : null;
}

/**
 * Reads every stored quote and policy of a version and packs them into a new snapshot; older
 * snapshots of the version are removed once the new one is complete.
 */
export async function takeBookSnapshot(productCode: string, productVersion: string, onDocument: () => void = () => {}, now: Date = new Date()): Promise<BookSnapshot> {
  const snapshotId = randomUUID();
  const filter = { productCode, productVersion };
  const counts = { quote: 0, policy: 0 };
  for (const kind of ['quote', 'policy'] as const) {
    const cursor = kind === 'quote'
      ? QuoteModel.find(filter, { ...PROJECTION, quoteNumber: 1 }).lean<StoredRating[]>().cursor({ batchSize: 1000 })
      : PolicyModel.find(filter, { ...PROJECTION, policyNumber: 1 }).lean<StoredRating[]>().cursor({ batchSize: 1000 });
    let seq = 0;
    let contexts = new Map<string, number>();
    let entries: PackedEntry[] = [];
    const flush = async () => {
      if (entries.length === 0) return;
      const data = gzipSync(JSON.stringify({ contexts: [...contexts.keys()], entries }), { level: 1 });
      await RatingBookChunkModel.create({ snapshotId, kind, seq: seq++, count: entries.length, data });
      counts[kind] += entries.length;
      contexts = new Map();
      entries = [];
    };
    for await (const doc of cursor as AsyncIterable<StoredRating>) {
      // Subsidy programmes are worked out after the premium and the decision and never change
      // them; leaving them out halves the rating time and the snapshot.
      const { programmes: _programmes, ...context } = doc.context;
      const contextText = JSON.stringify(context);
      let contextIndex = contexts.get(contextText);
      if (contextIndex === undefined) contexts.set(contextText, (contextIndex = contexts.size));
      entries.push([String(doc._id), doc.quoteNumber ?? doc.policyNumber ?? String(doc._id), doc.inputs, doc.picks ?? null, contextIndex, doc.result?.grossPremiumFen ?? 0, doc.result?.decision?.outcome ?? 'unknown']);
      onDocument();
      if (entries.length === CHUNK_SIZE) await flush();
    }
    await flush();
  }
  await RatingBookSnapshotModel.create({ snapshotId, productCode, productVersion, takenAt: now, quotes: counts.quote, policies: counts.policy });
  const older = await RatingBookSnapshotModel.find({ productCode, productVersion, snapshotId: { $ne: snapshotId } }, { snapshotId: 1 }).lean();
  if (older.length > 0) {
    const ids = older.map((o) => o.snapshotId);
    await RatingBookSnapshotModel.deleteMany({ snapshotId: { $in: ids } });
    await RatingBookChunkModel.deleteMany({ snapshotId: { $in: ids } });
  }
  return { snapshotId, productCode, productVersion, takenAt: now, quotes: counts.quote, policies: counts.policy };
}

/** The entries of a snapshot, quotes or policies, chunk by chunk (one chunk in memory at a time). */
export async function* readBookSnapshot(snapshotId: string, kind: 'quote' | 'policy'): AsyncGenerator<BookEntry> {
  const cursor = RatingBookChunkModel.find({ snapshotId, kind }, { data: 1 }).sort({ seq: 1 }).lean().cursor({ batchSize: 4 });
  for await (const chunk of cursor) {
    const raw = chunk.data as unknown as Buffer | { buffer: Uint8Array };
    const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer);
    const { contexts, entries } = JSON.parse(gunzipSync(bytes).toString('utf8')) as { contexts: string[]; entries: PackedEntry[] };
    const parsed = contexts.map((c) => JSON.parse(c) as QuoteContext);
    for (const [id, number, inputs, picks, contextIndex, storedPremiumFen, storedDecision] of entries) {
      yield { id, number, inputs, picks: picks ?? undefined, context: parsed[contextIndex]!, storedPremiumFen, storedDecision };
    }
  }
}
