// Figures of a rate change over a book, gathered one re-rated quote at a time in flat memory:
// changes go into growable Float64Arrays (100,000 quotes are 800 kB each), the largest movers
// into a small sorted list, input errors into counts by path.

export interface Distribution {
  mean: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

export interface Mover {
  id: string;
  number: string;
  storedPremiumFen: number;
  newPremiumFen: number;
  changeFen: number;
  /** null when the stored premium was 0. */
  changePercent: number | null;
  storedDecision: string;
  newDecision: string;
}

export interface BookImpact {
  /** Stored quotes (or policies) on the baseline version. */
  count: number;
  /** Those the new version rates (the rest are inputErrors). */
  rated: number;
  storedPremiumFen: number;
  newPremiumFen: number;
  changeFen: number;
  /** Change of the rated book's total premium, %; null for an empty book. */
  changePercent: number | null;
  increased: number;
  decreased: number;
  unchanged: number;
  /** Per quote change in fen; null when nothing rated. */
  perQuoteChangeFen: Distribution | null;
  /** Per quote change in % of the stored premium (quotes with a stored premium above 0). */
  perQuoteChangePercent: Distribution | null;
  decisionChanges: { total: number; transitions: { from: string; to: string; count: number }[] };
  inputErrors: { count: number; byPath: { path: string; message: string; count: number }[]; examples: { number: string; path: string; message: string }[] };
  largestMovers: Mover[];
  /** Per-document change in % of the stored premium, in equal bins. */
  changeHistogram: HistogramBin[];
  /** Documents whose decision changes (the first MAX_FLIPS). */
  decisionFlips: Mover[];
}

export interface HistogramBin {
  fromPercent: number;
  toPercent: number;
  count: number;
}

const HISTOGRAM_BINS = 12;

/** Equal bins over the range of the values, on a 1-2-5 step so the bounds read well. */
function histogramOf(values: Float64Array): HistogramBin[] {
  if (values.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
  const span = max - min;
  if (span === 0) return [{ fromPercent: round2(min), toPercent: round2(max), count: values.length }];
  const raw = span / HISTOGRAM_BINS;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const width = [1, 2, 5, 10].map((m) => m * magnitude).find((w) => w >= raw)!;
  const start = Math.floor(min / width) * width;
  const bins = Math.floor((max - start) / width) + 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - start) / width))]!++;
  return counts.map((count, i) => ({ fromPercent: round2(start + i * width), toPercent: round2(start + (i + 1) * width), count }));
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Nearest-rank percentile of sorted values (p in 0..100); the median averages the middle two. */
export function distributionOf(values: Float64Array): Distribution | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return {
    mean: round2(sum / n),
    median: round2(median),
    p90: round2(sorted[Math.max(0, Math.ceil(0.9 * n) - 1)]!),
    min: round2(sorted[0]!),
    max: round2(sorted[n - 1]!),
  };
}

class GrowableArray {
  private data = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** An accumulator's figures as plain data: posted by a worker thread, combined by `combineImpacts`. */
export interface AccumulatorState {
  count: number;
  storedTotal: number;
  newTotal: number;
  increased: number;
  decreased: number;
  unchanged: number;
  changes: Float64Array;
  percents: Float64Array;
  transitions: [string, number][];
  errorCount: number;
  errorPaths: { path: string; message: string; count: number }[];
  errorExamples: { number: string; path: string; message: string }[];
  movers: Mover[];
  flips: Mover[];
}

const MAX_FLIPS = 50;
const MAX_ERROR_PATHS = 50;
const MAX_ERROR_EXAMPLES = 10;

/** Collects the re-rating of one book (quotes or policies). */
export class ImpactAccumulator {
  private count = 0;
  private storedTotal = 0;
  private newTotal = 0;
  private increased = 0;
  private decreased = 0;
  private unchanged = 0;
  private readonly changes = new GrowableArray();
  private readonly percents = new GrowableArray();
  private readonly transitions = new Map<string, number>();
  private errorCount = 0;
  private readonly errorPaths = new Map<string, { path: string; message: string; count: number }>();
  private readonly errorExamples: { number: string; path: string; message: string }[] = [];
  private readonly movers: Mover[] = [];
  private readonly flips: Mover[] = [];

  constructor(private readonly top: number) {}

  addRated(id: string, number: string, storedPremiumFen: number, storedDecision: string, newPremiumFen: number, newDecision: string): void {
    this.count++;
    const change = newPremiumFen - storedPremiumFen;
    this.storedTotal += storedPremiumFen;
    this.newTotal += newPremiumFen;
    if (change > 0) this.increased++;
    else if (change < 0) this.decreased++;
    else this.unchanged++;
    this.changes.push(change);
    const percent = storedPremiumFen > 0 ? (change / storedPremiumFen) * 100 : null;
    if (percent !== null) this.percents.push(percent);
    if (storedDecision !== newDecision) {
      const key = `${storedDecision}\u0000${newDecision}`;
      this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
    }
    const mover = () => ({ id, number, storedPremiumFen, newPremiumFen, changeFen: change, changePercent: percent === null ? null : round2(percent), storedDecision, newDecision });
    if (storedDecision !== newDecision && this.flips.length < MAX_FLIPS) this.flips.push(mover());
    this.offerMover(change, mover);
  }

  addInputError(number: string, details: readonly { path: string; message: string }[]): void {
    this.count++;
    this.errorCount++;
    for (const d of details) {
      const key = `${d.path}\u0000${d.message}`;
      const entry = this.errorPaths.get(key);
      if (entry) entry.count++;
      else if (this.errorPaths.size < MAX_ERROR_PATHS) this.errorPaths.set(key, { path: d.path, message: d.message, count: 1 });
    }
    if (this.errorExamples.length < MAX_ERROR_EXAMPLES && details[0]) this.errorExamples.push({ number, path: details[0].path, message: details[0].message });
  }

  /** Keeps the `top` largest |changes| in descending order; most candidates stop at one compare. */
  private offerMover(change: number, make: () => Mover): void {
    if (this.top === 0) return;
    const size = Math.abs(change);
    const movers = this.movers;
    if (movers.length === this.top && size <= Math.abs(movers[movers.length - 1]!.changeFen)) return;
    let i = movers.length;
    while (i > 0 && Math.abs(movers[i - 1]!.changeFen) < size) i--;
    movers.splice(i, 0, make());
    if (movers.length > this.top) movers.pop();
  }

  /** The figures so far as plain data (the arrays are copies, so they can be transferred). */
  state(): AccumulatorState {
    return {
      count: this.count, storedTotal: this.storedTotal, newTotal: this.newTotal, increased: this.increased, decreased: this.decreased, unchanged: this.unchanged,
      changes: Float64Array.from(this.changes.view()), percents: Float64Array.from(this.percents.view()), transitions: [...this.transitions],
      errorCount: this.errorCount, errorPaths: [...this.errorPaths.values()], errorExamples: [...this.errorExamples], movers: [...this.movers], flips: [...this.flips],
    };
  }

  /** Adds the figures of another part of the same book (parts re-rated apart, in book order). */
  absorb(part: AccumulatorState): void {
    this.count += part.count;
    this.storedTotal += part.storedTotal;
    this.newTotal += part.newTotal;
    this.increased += part.increased;
    this.decreased += part.decreased;
    this.unchanged += part.unchanged;
    for (const x of part.changes) this.changes.push(x);
    for (const x of part.percents) this.percents.push(x);
    for (const [key, count] of part.transitions) this.transitions.set(key, (this.transitions.get(key) ?? 0) + count);
    this.errorCount += part.errorCount;
    for (const e of part.errorPaths) {
      const key = `${e.path}\u0000${e.message}`;
      const entry = this.errorPaths.get(key);
      if (entry) entry.count += e.count;
      else if (this.errorPaths.size < MAX_ERROR_PATHS) this.errorPaths.set(key, { ...e });
    }
    for (const e of part.errorExamples) if (this.errorExamples.length < MAX_ERROR_EXAMPLES) this.errorExamples.push(e);
    for (const m of part.movers) this.offerMover(m.changeFen, () => m);
    for (const m of part.flips) if (this.flips.length < MAX_FLIPS) this.flips.push(m);
  }

  result(): BookImpact {
    const rated = this.count - this.errorCount;
    return {
      count: this.count,
      rated,
      storedPremiumFen: this.storedTotal,
      newPremiumFen: this.newTotal,
      changeFen: this.newTotal - this.storedTotal,
      changePercent: this.storedTotal > 0 ? round2(((this.newTotal - this.storedTotal) / this.storedTotal) * 100) : null,
      increased: this.increased,
      decreased: this.decreased,
      unchanged: this.unchanged,
      perQuoteChangeFen: distributionOf(this.changes.view()),
      perQuoteChangePercent: distributionOf(this.percents.view()),
      decisionChanges: {
        total: [...this.transitions.values()].reduce((a, b) => a + b, 0),
        transitions: [...this.transitions].map(([key, count]) => {
          const [from, to] = key.split('\u0000') as [string, string];
          return { from, to, count };
        }).sort((a, b) => b.count - a.count),
      },
      inputErrors: { count: this.errorCount, byPath: [...this.errorPaths.values()].sort((a, b) => b.count - a.count), examples: this.errorExamples },
      largestMovers: this.movers,
      changeHistogram: histogramOf(this.percents.view()),
      decisionFlips: this.flips,
    };
  }
}
