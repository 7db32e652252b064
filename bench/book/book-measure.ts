// Timing of one line of the book benchmark: warm-ups, then sequential requests, p50 and p95.
// A request past its deadline, or answered 503 (the service's own request timeout), is a
// timeout: counted, timed at what it took, and after two of them the line stops, since the
// service keeps working on an abandoned request and every later line would pay for it.
import type { Answer } from './book-client.ts';

export interface Line {
  name: string;
  /** One request of the line. */
  run: () => Promise<Answer>;
}

export interface LineResult {
  name: string;
  /** Requests timed (after the warm-ups). */
  n: number;
  p50: number;
  p95: number;
  /** Requests that timed out (client deadline or 503), and other non-2xx answers. */
  timeouts: number;
  errors: number;
  /** Body size of the last answer, bytes. */
  bytes: number;
  /** The first unexpected status and the start of its body, to tell a 403 from a 500. */
  problem?: string;
}

export interface MeasureOptions { warmups: number; repeat: number; budgetMs: number }

/** Nearest-rank percentile of numbers (NaN for none). */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const isTimeout = (a: Answer) => a.timedOut || a.status === 503;
// A redirect is a failure too: a page that sends the caller to /sign-in did not render.
const isOk = (a: Answer) => a.status >= 200 && a.status < 300;

/** Runs `warmups` requests, then up to `repeat` timed ones (fewer when `budgetMs` is spent after five). */
export async function measureLine(line: Line, options: MeasureOptions): Promise<LineResult> {
  const result: LineResult = { name: line.name, n: 0, p50: NaN, p95: NaN, timeouts: 0, errors: 0, bytes: 0 };
  const note = (a: Answer) => {
    if (isTimeout(a)) result.timeouts++;
    else if (!isOk(a)) result.errors++;
    if (!isOk(a)) result.problem ??= a.timedOut ? `timed out after ${Math.round(a.ms)} ms` : `${a.status} ${a.body.slice(0, 160)}`;
    result.bytes = a.body.length;
  };
  for (let i = 0; i < options.warmups && result.timeouts === 0; i++) note(await line.run());
  if (result.timeouts) return { ...result, p50: Infinity, p95: Infinity };
  const times: number[] = [];
  const started = performance.now();
  while (times.length < options.repeat && result.timeouts < 2) {
    if (times.length >= 5 && performance.now() - started > options.budgetMs) break;
    const answer = await line.run();
    note(answer);
    times.push(answer.ms);
  }
  return { ...result, n: times.length, p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** Sequential throughput: `count` runs of `step`, successes per second; a step that throws (a timeout) is counted, not fatal. */
export async function throughput(count: number, step: (i: number) => Promise<void>): Promise<{ perSecond: number; p50: number; failures: number }> {
  const times: number[] = [];
  let failures = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    try {
      await step(i);
      times.push(performance.now() - t);
    } catch {
      failures++;
    }
  }
  return { perSecond: times.length / ((performance.now() - started) / 1000), p50: percentile(times, 50), failures };
}
