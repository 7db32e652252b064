// Re-rating a book's entries on a new version, in this thread or also on worker threads (a book
// of 100,000 quotes is ~5 s of rating on one core of this machine). Pure: no database.
//
// The entries are cut into chunks of CHUNK_SIZE in book order. This thread and the workers pull
// chunks until none are left — a worker only once it has loaded the engine, so a slow start
// costs nothing but its share — and each chunk's figures are combined in book order at the end,
// so the report is the same however the chunks were shared out.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compileProduct, evaluateQuote, RatingInputError, type CompiledProduct, type ProductDefinition, type QuoteContext } from '../rating/index.ts';
import { entryOf, tabbedLines, type BookEntry, type PackedLine } from './book-format.ts';
import { ImpactAccumulator, type AccumulatorState } from './impact-stats.ts';

/** Books smaller than this are re-rated in this thread only. */
export const PARALLEL_MIN_ENTRIES = 20_000;
const CHUNK_SIZE = 4_000;

export interface RatingTarget {
  compiled: CompiledProduct;
  definition: ProductDefinition;
}

/** Re-rates entries into an accumulator, letting other work of this thread run every 1,000. */
export async function reRateEntries(entries: Iterable<BookEntry>, target: RatingTarget, book: ImpactAccumulator, progress: (rated: number) => void): Promise<void> {
  const from = target.definition.effectiveFrom;
  const to = target.definition.effectiveTo;
  let sinceYield = 0;
  for (const entry of entries) {
    if (++sinceYield === 1000) {
      sinceYield = 0;
      progress(1000);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // A declined quote is no offer: it is not book premium (issue #15).
    if (entry.kind === 'quote' && entry.storedDecision === 'declined') continue;
    const stored = entry.context;
    // The new version is rated as of a day it is in force: a renewal of the same risk under it.
    let asOf = stored.asOf;
    if (asOf < from) asOf = from;
    else if (to !== undefined && asOf > to) asOf = to;
    const context = asOf === stored.asOf ? stored : { ...stored, asOf };
    try {
      const result = evaluateQuote(target.compiled, entry.inputs, entry.picks, context);
      book.addRated(entry.id, entry.number, entry.storedPremiumFen, entry.storedDecision, result.grossPremiumFen, result.decision.outcome);
    } catch (err) {
      if (!(err instanceof RatingInputError)) throw err;
      book.addInputError(entry.number, err.details);
    }
  }
  progress(sinceYield);
}

/** The entries of packed lines, each parsed as it is reached. */
export function* parsed(lines: Iterable<PackedLine>): Generator<BookEntry> {
  for (const line of lines) yield entryOf(line);
}

/** A chunk for a worker: its lines as one text, `context table \t kind \t id \t revision \t json`. */
export interface ChunkJob {
  chunk: number;
  definition: ProductDefinition;
  top: number;
  text: string;
  contexts: QuoteContext[][];
}

export type WorkerMessage = { ready: true } | { rated: number } | { chunk: number; state: AccumulatorState } | { chunk: number; error: string };

function jobOf(chunk: number, lines: readonly PackedLine[], definition: ProductDefinition, top: number): ChunkJob {
  const tables = new Map<readonly QuoteContext[], number>();
  const parts: string[] = [];
  for (const line of lines) {
    let table = tables.get(line.contexts);
    if (table === undefined) tables.set(line.contexts, (table = tables.size));
    parts.push(`${table}\t${line.kind}\t${line.id}\t${line.revision}\t${line.json}`);
  }
  return { chunk, definition, top, text: parts.join('\n'), contexts: [...tables.keys()] as QuoteContext[][] };
}

/** The lines of a chunk (in the worker). */
export function* linesOfJob(job: ChunkJob): Generator<PackedLine> {
  for (const [table, kind, id, revision, json] of tabbedLines(job.text, 0, 4)) {
    yield { contexts: job.contexts[Number(table)]!, kind: kind as PackedLine['kind'], id: id!, revision: Number(revision), json: json! };
  }
}

const WORKER_URL = new URL(`./impact-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * A worker running impact-worker. Run from TypeScript sources (tsx), the worker registers tsx's
 * loader first: Node 20 does not pass module hooks on to worker threads.
 */
function startWorker(): Worker {
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL);
  let tsxApi = 'tsx/esm/api';
  try {
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch {
    // left to the worker to resolve (and to fail: it then takes no chunks)
  }
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

interface ThreadSlot {
  worker: Worker;
  ready: boolean;
  failed: boolean;
  busy?: { chunk: number; rated: number; resolve: (state: AccumulatorState | null) => void };
  onReady?: () => void;
}

/**
 * Worker threads for one analysis, started before the book is read so that loading the rating
 * engine in them (~1–3 s on this machine) overlaps the reading.
 */
export class RatingThreads {
  private readonly slots: ThreadSlot[];
  /** Chunks the workers have re-rated. */
  chunksRated = 0;

  constructor(count: number, private readonly onError: (err: unknown) => void = () => {}) {
    this.slots = Array.from({ length: Math.max(0, count) }, () => {
      const slot: ThreadSlot = { worker: startWorker(), ready: false, failed: false };
      const fail = (err: unknown) => {
        if (slot.failed) return;
        slot.failed = true;
        this.onError(err);
        slot.busy?.resolve(null);
        slot.busy = undefined;
        slot.onReady?.();
      };
      slot.worker.on('message', (message: WorkerMessage) => {
        if ('ready' in message) {
          slot.ready = true;
          slot.onReady?.();
        } else if ('rated' in message) {
          if (slot.busy) slot.busy.rated += message.rated;
        } else if ('state' in message) {
          const busy = slot.busy;
          slot.busy = undefined;
          busy?.resolve(message.state);
        } else fail(new Error(message.error));
      });
      slot.worker.on('error', fail);
      slot.worker.on('exit', (code) => fail(new Error(`the re-rating worker stopped (exit code ${code})`)));
      return slot;
    });
  }

  get count(): number {
    return this.slots.length;
  }

  /**
   * Lets each worker, once ready, take chunks from `take` until it returns undefined; a chunk a
   * worker failed on is given back through `giveBack`. Resolves when no worker holds a chunk.
   */
  async serve(take: () => ChunkJob | undefined, done: (chunk: number, state: AccumulatorState) => void, giveBack: (chunk: number) => void, progress: (rated: number) => void, drained: Promise<void>): Promise<void> {
    let isDrained = false;
    void drained.then(() => (isDrained = true));
    await Promise.all(this.slots.map(async (slot) => {
      if (!slot.ready && !slot.failed) {
        // Ready to work, or no work left to wait for.
        await Promise.race([new Promise<void>((resolve) => (slot.onReady = resolve)), drained]);
        if (isDrained && !slot.ready) return;
      }
      for (;;) {
        if (slot.failed) return;
        const job = take();
        if (!job) return;
        const state = await new Promise<AccumulatorState | null>((resolve) => {
          slot.busy = { chunk: job.chunk, rated: 0, resolve };
          slot.worker.postMessage(job);
        });
        if (state) {
          this.chunksRated++;
          progress(state.count);
          done(job.chunk, state);
        } else giveBack(job.chunk);
      }
    }));
  }

  /** Stops the workers. */
  close(): void {
    for (const slot of this.slots) {
      slot.failed = true;
      slot.onReady?.();
      void slot.worker.terminate();
    }
  }
}

/**
 * Re-rates a book's lines: in this thread, or for a large book also on worker threads (see the
 * top of this file). The figures are the same either way.
 */
export async function reRateLines(lines: readonly PackedLine[], target: RatingTarget, top: number, progress: (rated: number) => void, options: { threads?: RatingThreads; minEntriesForThreads?: number; chunkSize?: number; rateHere?: boolean } = {}): Promise<ImpactAccumulator> {
  const threads = options.threads;
  if (!threads || threads.count === 0 || lines.length < (options.minEntriesForThreads ?? PARALLEL_MIN_ENTRIES)) {
    const book = new ImpactAccumulator(top);
    await reRateEntries(parsed(lines), target, book, progress);
    return book;
  }
  const size = options.chunkSize ?? CHUNK_SIZE;
  const chunkCount = Math.ceil(lines.length / size);
  const chunkLines = (i: number) => lines.slice(i * size, (i + 1) * size);
  const states: (AccumulatorState | undefined)[] = new Array(chunkCount);
  const queue: number[] = Array.from({ length: chunkCount }, (_, i) => i);
  const returned: number[] = [];
  const nextChunk = () => returned.shift() ?? queue.shift();
  const rateHere = async (i: number) => {
    const part = new ImpactAccumulator(top);
    await reRateEntries(parsed(chunkLines(i)), target, part, progress);
    states[i] = part.state();
  };
  let markDrained!: () => void;
  const drained = new Promise<void>((resolve) => (markDrained = resolve));
  const inWorkers = threads.serve(
    () => {
      const i = nextChunk();
      return i === undefined ? undefined : jobOf(i, chunkLines(i), target.definition, top);
    },
    (i, state) => (states[i] = state),
    (i) => returned.push(i),
    // Workers report whole chunks; this thread reports every 1,000 entries.
    progress,
    drained,
  );
  if (options.rateHere !== false) {
    for (let i = nextChunk(); i !== undefined; i = nextChunk()) await rateHere(i);
    markDrained();
    await inWorkers;
  } else {
    await inWorkers;
    markDrained();
  }
  // A chunk given back after this thread ran out of work is rated here.
  for (let i = nextChunk(); i !== undefined; i = nextChunk()) await rateHere(i);
  const book = new ImpactAccumulator(top);
  for (const state of states) book.absorb(state!);
  return book;
}

/**
 * Worker threads for a large book: one per core besides this thread, at most 3. On a machine busy
 * with other work they still shorten the analysis (each runnable thread gets its share of the
 * cores), at the price of loading the engine in them (1–3 s of CPU here).
 */
export function workerThreadsFor(cores = availableParallelism()): number {
  return Math.max(0, Math.min(cores - 1, 3));
}

/** Compiles the target (in a worker). */
export function targetOf(definition: ProductDefinition): RatingTarget {
  return { compiled: compileProduct(definition), definition };
}
