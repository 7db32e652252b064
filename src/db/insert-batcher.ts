// Group commit for inserts: concurrent requests that each insert one document into the same
// collection share one `insertMany` (one database transaction on FerretDB's SQLite backend).
//
// Why: FerretDB 1.x costs about a millisecond per insert command before any per-document work,
// and its SQLite writer is serialised, so under concurrent quote creation the inserts queue behind
// each other. No timer is involved: while one batch is being written the next requests wait in
// the queue and go together in the following batch, so a lone request is written at once.
// Each document still succeeds or fails on its own (ordered: false): a unique-index violation
// rejects only that caller, with an E11000 error like `Model.create` would give.
import type { HydratedDocument, Model } from 'mongoose';
import mongoose from 'mongoose';

interface Pending {
  raw: Record<string, unknown>;
  resolve(): void;
  reject(err: unknown): void;
}

/** One write error of a bulk insert, as an Error carrying the server's code (11000 = duplicate key). */
class InsertError extends Error {
  code: number | undefined;
  keyPattern: Record<string, unknown> | undefined;
  constructor(message: string, code: number | undefined, keyPattern: Record<string, unknown> | undefined) {
    super(message);
    this.name = 'MongoServerError';
    this.code = code;
    this.keyPattern = keyPattern;
  }
}

interface WriteErrorLike {
  index: number;
  code?: number;
  errmsg?: string;
  err?: { keyPattern?: Record<string, unknown> };
}

export interface InsertBatcher<T> {
  /** Validates and inserts one document (mongoose casting, defaults, setters, timestamps); resolves with it. */
  insert(doc: Record<string, unknown>): Promise<HydratedDocument<T>>;
  /**
   * Inserts a document already in its stored form, without mongoose's casting and validation (a
   * fifth of a millisecond for a quote): for a hot path whose document is built to be exactly what
   * `castDocument` would make of it, which its tests check. Resolves once written.
   */
  insertStored(raw: Record<string, unknown>): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModel<T> = Model<T, any, any, any, any, any>;

/** A document as Model.create would store it (casting, defaults, setters, timestamps); throws when invalid. */
export function castDocument<T>(model: AnyModel<T>, fields: Record<string, unknown>): { doc: HydratedDocument<T>; raw: Record<string, unknown> } {
  const doc = new model(fields) as HydratedDocument<T> & { initializeTimestamps?: () => void };
  const invalid = doc.validateSync();
  if (invalid) throw invalid;
  doc.initializeTimestamps?.();
  const raw = doc.toObject({ getters: false, virtuals: false, depopulate: true, transform: false, flattenMaps: false }) as Record<string, unknown>;
  return { doc, raw };
}

/**
 * One insertMany (ordered: false): per document, undefined when stored or its own error (E11000 …).
 * Only when every document is accounted for (inserted, or failed on its own) do the others count
 * as written. A lost connection arrives as a bulk error with no write errors and nothing inserted:
 * then this throws, and nobody is told their document was stored.
 */
async function insertRaw<T>(model: AnyModel<T>, raws: readonly Record<string, unknown>[]): Promise<(InsertError | undefined)[]> {
  try {
    await model.collection.insertMany(raws as Record<string, unknown>[], { ordered: false });
    return raws.map(() => undefined);
  } catch (err) {
    const bulk = err as { writeErrors?: WriteErrorLike[] | WriteErrorLike; insertedCount?: number; result?: { insertedCount?: number } };
    const list = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : bulk.writeErrors ? [bulk.writeErrors] : [];
    const inserted = bulk.result?.insertedCount ?? bulk.insertedCount;
    if (list.length === 0 || inserted === undefined || inserted + list.length !== raws.length) throw err;
    const byIndex = new Map(list.map((w) => [w.index, w]));
    return raws.map((_, i) => {
      const w = byIndex.get(i);
      return w ? new InsertError(w.errmsg ?? 'insert failed', w.code, w.err?.keyPattern) : undefined;
    });
  }
}

/**
 * Inserts many documents in one command, each cast as Model.create would: per document, undefined
 * when stored or its own error (validation, E11000). Throws when the batch's outcome is unknown.
 */
export async function insertEach<T>(model: AnyModel<T>, fieldsList: readonly Record<string, unknown>[]): Promise<(Error | undefined)[]> {
  const outcomes: (Error | undefined)[] = new Array(fieldsList.length).fill(undefined);
  const valid: { index: number; raw: Record<string, unknown> }[] = [];
  fieldsList.forEach((fields, index) => {
    try {
      valid.push({ index, raw: castDocument(model, fields).raw });
    } catch (err) {
      outcomes[index] = err as Error;
    }
  });
  if (valid.length > 0) (await insertRaw(model, valid.map((v) => v.raw))).forEach((e, i) => (outcomes[valid[i]!.index] = e));
  return outcomes;
}

/**
 * Inserts many documents already in their stored form (see insertStored: built to be exactly what
 * castDocument would make of them, which their tests check) in one command: per document,
 * undefined when stored or its own error (E11000). Throws when the batch's outcome is unknown.
 * A bulk save's thousand quotes skip mongoose's casting this way (a third of its CPU).
 */
export function insertEachStored<T>(model: AnyModel<T>, raws: readonly Record<string, unknown>[]): Promise<(Error | undefined)[]> {
  return raws.length > 0 ? insertRaw(model, raws) : Promise.resolve([]);
}

export interface InsertBatcherOptions {
  /** Documents per insert command at most (default 64). */
  maxBatch?: number;
  /** Told of every insert command written: the collection and how many documents it carried. */
  onBatch?: (collection: string, documents: number) => void;
}

/** A group-commit inserter for one model (see the top of this file). */
export function createInsertBatcher<T>(model: AnyModel<T>, options: InsertBatcherOptions = {}): InsertBatcher<T> {
  const { maxBatch = 64, onBatch } = options;
  // Per database name: a process that switches databases (tests) never mixes queues.
  const queues = new Map<string, { pending: Pending[]; writing: boolean }>();

  async function drain(queue: { pending: Pending[]; writing: boolean }): Promise<void> {
    queue.writing = true;
    try {
      while (queue.pending.length > 0) {
        const batch = queue.pending.splice(0, maxBatch);
        onBatch?.(model.collection.collectionName, batch.length);
        try {
          const outcomes = await insertRaw(model, batch.map((p) => p.raw));
          batch.forEach((p, i) => (outcomes[i] ? p.reject(outcomes[i]) : p.resolve()));
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      queue.writing = false;
    }
  }

  function enqueue(raw: Record<string, unknown>): Promise<void> {
    const name = mongoose.connection.name;
    let queue = queues.get(name);
    if (!queue) queues.set(name, (queue = { pending: [], writing: false }));
    const written = new Promise<void>((resolve, reject) => queue.pending.push({ raw, resolve, reject }));
    if (!queue.writing) void drain(queue);
    return written;
  }

  return {
    async insert(fields) {
      const { doc, raw } = castDocument(model, fields);
      await enqueue(raw);
      doc.isNew = false;
      return doc;
    },
    insertStored: enqueue,
  };
}
