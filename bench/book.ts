// npm run bench:book [-- --sizes 1000,10000 --repeat 20 --warmup 2 --timeout 30 --budget 60 --throughput 50 --schedule-backlog 0 --memory --node-flags '--trace-gc' --service-stdout file --json file]
// A book, not a demo (#25): the service in its own process (bench/book/book-service.ts: as
// bench/api.ts starts it), a book grown through its own routes to each size in turn
// (bench/book/book-builder.ts: organisations, client links, bulk quoting, single quotes, binds of
// 20%), and at each size the p50/p95 of every list, page, export, statement and subsidy year
// (bench/book/book-lines.ts: `--repeat` sequential requests after `--warmup`, fewer once a line
// has spent `--budget` seconds; a request past `--timeout` seconds is a timeout, not a crash),
// sequential quote-create and bind throughput (`--throughput` each), the bulk load rate while
// building and its CPU per quote (the service's and FerretDB's: on a shared machine the rate
// follows the load, the CPU much less), bytes on disk per quote (du of DATA_DIR/db) and the peak RSS (VmHWM) of the Node
// service (its own process: tsx runs inside it, --import) and of its FerretDB process, and apart
// from them the bench runner's own (it holds the book's ids, not the service's memory). The service runs with POLICY_SCHEDULE_BACKLOG=0 unless
// --schedule-backlog says otherwise: binds leave their schedule PDFs to the first download, so
// Chromium rendering 0.2·N schedules (hours at 100k) does not take the cores from what is measured. --memory prints the service's
// memory by phase of the build and by line (bench/book/book-memory.ts); --node-flags are put before the service's own on its
// node command line (`--trace-gc`, a heap size) and --service-stdout keeps what it writes on stdout (its log, the GC trace). Prints a table per size, then each line's ratio
// largest/smallest size, and ends with exactly one line:
//   book: <size> quotes, first page p50 … ms (×… vs <small>), … load <start> → <end>
// The issue's target is --sizes 1000,100000 (hours on this machine); the default is 1000,10000.
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BookBuilder, type BookCounts, type BuildProgress } from './book/book-builder.ts';
import { BookClient } from './book/book-client.ts';
import { bookLines, type Sessions } from './book/book-lines.ts';
import { measureLine, throughput, type LineResult } from './book/book-measure.ts';
import { MemoryTrace } from './book/book-memory.ts';
import { cpuSeconds, databasePid, diskBytes, peakRss, startBookService, type BookService } from './book/book-service.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000' }, repeat: { type: 'string', default: '20' }, warmup: { type: 'string', default: '2' },
    timeout: { type: 'string', default: '30' }, budget: { type: 'string', default: '60' }, throughput: { type: 'string', default: '50' }, json: { type: 'string' },
    'schedule-backlog': { type: 'string', default: '0' }, memory: { type: 'boolean', default: false },
    'node-flags': { type: 'string', default: '' }, 'service-stdout': { type: 'string' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
if (SIZES.some((s) => !Number.isInteger(s) || s < 50) || SIZES.some((s, i) => i > 0 && s <= SIZES[i - 1]!)) {
  process.stderr.write(`--sizes must be increasing whole numbers of at least 50, e.g. 1000,10000 (got ${values.sizes})\n`);
  process.exit(2);
}
const OPTIONS = { warmups: Number(values.warmup), repeat: Number(values.repeat), budgetMs: Number(values.budget) * 1000 };
const THROUGHPUT_N = Number(values.throughput);
const log = (line: string) => process.stderr.write(`${line}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

interface SizeResult {
  size: number; counts: BookCounts; buildSeconds: number; bulkRate: number; buildBindRate: number;
  /** CPU milliseconds per bulk quote of the service and of its database (this size's bulk requests). */
  bulkCpuMs: { service: number; database: number };
  lines: LineResult[]; createPerSecond: number; createP50: number; bindPerSecond: number; bindP50: number; writeFailures: number;
  diskBytes: number; bytesPerQuote: number; nodePeakRss: number; databasePeakRss: number; runnerPeakRss: number; loadAverage: number[];
}

/** Progress bars on stderr, one per kind of work; away from a terminal, one line per finished kind instead. */
function progressBars(): { progress: BuildProgress; stop: () => void } {
  if (!process.stderr.isTTY) {
    const started = new Map<string, { total: number; at: number }>();
    return {
      progress: {
        start: (name, total) => void started.set(name, { total, at: performance.now() }),
        increment: () => {},
        stop: (name) => log(`  ${name}: ${started.get(name)?.total ?? 0} in ${((performance.now() - (started.get(name)?.at ?? 0)) / 1000).toFixed(1)} s`),
      },
      stop: () => {},
    };
  }
  const multi = new MultiBar({ stream: process.stderr, hideCursor: true, clearOnComplete: true, format: '  {name} [{bar}] {value}/{total} {eta_formatted}' }, Presets.shades_classic);
  const bars = new Map<string, SingleBar>();
  return {
    progress: {
      start: (name, total) => void bars.set(name, multi.create(total, 0, { name: name.padEnd(11) })),
      increment: (name, by = 1) => bars.get(name)?.increment(by),
      stop: (name) => {
        const bar = bars.get(name);
        if (bar) multi.remove(bar);
        bars.delete(name);
      },
    },
    stop: () => multi.stop(),
  };
}

/** Quote creation then binds of the quotes just made, sequential, through the demo firm. */
async function measureWrites(book: BookBuilder): Promise<Pick<SizeResult, 'createPerSecond' | 'createP50' | 'bindPerSecond' | 'bindP50' | 'writeFailures'>> {
  const mxb = book.firms[0]!;
  const made: string[] = [];
  const create = await throughput(THROUGHPUT_N, async (i) => void made.push(await book.createQuote(mxb, mxb.clients[i % mxb.clients.length]!)));
  const bind = await throughput(made.length, async (i) => void (await book.bind(mxb, made[i]!)));
  return { createPerSecond: create.perSecond, createP50: create.p50, bindPerSecond: bind.perSecond, bindP50: bind.p50, writeFailures: create.failures + bind.failures };
}

async function measureSize(service: BookService, book: BookBuilder, client: BookClient, size: number): Promise<SizeResult> {
  const before = structuredClone(book.counts);
  const started = performance.now();
  await book.growTo(size);
  const buildSeconds = (performance.now() - started) / 1000;
  const counts = structuredClone(book.counts);
  const bulkRate = (counts.bulkQuotes - before.bulkQuotes) / Math.max(1e-9, counts.bulkSeconds - before.bulkSeconds);
  const bulkQuotes = Math.max(1, counts.bulkQuotes - before.bulkQuotes);
  const bulkCpuMs = { service: ((counts.bulkCpu.service - before.bulkCpu.service) * 1000) / bulkQuotes, database: ((counts.bulkCpu.database - before.bulkCpu.database) * 1000) / bulkQuotes };
  const buildBindRate = (counts.policies - before.policies) / Math.max(1e-9, counts.bindSeconds - before.bindSeconds);
  log(`book at ${counts.quotes} quotes (${counts.policies} policies, ${counts.enterprises} enterprises, ${counts.decisions.referred} referred): built in ${buildSeconds.toFixed(1)} s, bulk ${bulkRate.toFixed(0)} quotes/s; load ${load()}`);
  // Signed in afresh at each size: a long build may outlast a web session.
  const sessions: Sessions = { broker: await client.signIn(service.keys.broker), enterprise: await client.signIn(service.keys.enterprise), underwriter: await client.signIn(service.keys.underwriter) };
  const lines: LineResult[] = [];
  for (const line of bookLines(client, book, service.keys, sessions)) {
    trace?.phase(`${size}: ${line.name}`);
    const result = await measureLine(line, OPTIONS);
    lines.push(result);
    log(`  ${fmtLine(result)}`);
  }
  const disk = diskBytes(path.join(service.dataDir, 'db'));
  trace?.phase(`${size}: sequential creates and binds`);
  const writes = await measureWrites(book);
  trace?.end();
  return {
    size, counts, buildSeconds, bulkRate, bulkCpuMs, buildBindRate, lines, ...writes, diskBytes: disk, bytesPerQuote: disk / counts.quotes,
    nodePeakRss: peakRss(service.pid), databasePeakRss: peakRss(databasePid(service.pid)), runnerPeakRss: process.resourceUsage().maxRSS * 1024, loadAverage: os.loadavg(),
  };
}

const ms = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : v === Infinity ? 'timeout' : '-');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : a === Infinity ? '∞' : '-');

function fmtLine(r: LineResult): string {
  const notes = [r.timeouts ? `${r.timeouts} timeout(s)` : '', r.errors ? `${r.errors} error(s): ${r.problem ?? ''}` : ''].filter(Boolean).join('; ');
  return `${r.name.padEnd(62)} ${String(r.n).padStart(3)} ${ms(r.p50).padStart(8)} ${ms(r.p95).padStart(8)} ${String(r.bytes).padStart(9)}${notes ? `  ${notes}` : ''}`;
}

/** The table of one size: every line, then the writes, load rate, disk and memory. */
function sizeTable(r: SizeResult): string {
  const c = r.counts;
  return [
    `\n## ${r.size} quotes (${c.quotes} stored: ${c.bulkQuotes} bulk, ${c.singleQuotes} single; ${c.decisions.quoted} quoted, ${c.decisions.referred} referred, ${c.decisions.declined} declined; ${c.policies} policies; ${c.enterprises} enterprises; ${c.rowErrors} bulk row errors, ${c.bindErrors} failed binds)`,
    `${'line'.padEnd(62)} ${'n'.padStart(3)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'bytes'.padStart(9)}`,
    ...r.lines.map(fmtLine),
    `${'quote create (sequential)'.padEnd(62)} ${String(THROUGHPUT_N).padStart(3)} ${ms(r.createP50).padStart(8)}          ${r.createPerSecond.toFixed(1)} per second`,
    `${'bind (sequential)'.padEnd(62)} ${String(THROUGHPUT_N).padStart(3)} ${ms(r.bindP50).padStart(8)}          ${r.bindPerSecond.toFixed(1)} per second`,
    ...(r.writeFailures ? [`${r.writeFailures} of the sequential creates and binds failed or timed out`] : []),
    `bulk load while building: ${r.bulkRate.toFixed(0)} quotes/s, CPU per bulk quote ${r.bulkCpuMs.service.toFixed(2)} ms service + ${r.bulkCpuMs.database.toFixed(2)} ms FerretDB (${(1000 / (r.bulkCpuMs.service + r.bulkCpuMs.database)).toFixed(0)} quotes per CPU-second); binds while building (4 in flight): ${r.buildBindRate.toFixed(1)}/s; built in ${r.buildSeconds.toFixed(0)} s`,
    `disk: ${mb(r.diskBytes)} in DATA_DIR/db, ${(r.bytesPerQuote / 1000).toFixed(1)} kB per quote; peak RSS: Node (the service's own process) ${mb(r.nodePeakRss)}, FerretDB ${mb(r.databasePeakRss)} (the bench runner itself: ${mb(r.runnerPeakRss)}); load average ${r.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
  ].join('\n');
}

/** Each line's p50 at the largest size against the smallest, and the same for the other figures. */
function ratioTable(small: SizeResult, large: SizeResult): string {
  const head = `\n## ${large.size} / ${small.size}\n${'line'.padEnd(62)} ${`p50@${small.size}`.padStart(10)} ${`p50@${large.size}`.padStart(10)} ${'ratio'.padStart(8)}`;
  const rows = large.lines.map((l, i) => `${l.name.padEnd(62)} ${ms(small.lines[i]!.p50).padStart(10)} ${ms(l.p50).padStart(10)} ${ratio(l.p50, small.lines[i]!.p50).padStart(8)}`);
  const figure = (name: string, a: number, b: number, unit: string) => `${name.padEnd(62)} ${`${a.toFixed(1)}`.padStart(10)} ${`${b.toFixed(1)}`.padStart(10)} ${ratio(b, a).padStart(8)}  ${unit}`;
  return [head, ...rows,
    figure('quote create (sequential)', small.createPerSecond, large.createPerSecond, 'per second'),
    figure('bind (sequential)', small.bindPerSecond, large.bindPerSecond, 'per second'),
    figure('bulk load while building', small.bulkRate, large.bulkRate, 'quotes/s'),
    figure('CPU per bulk quote, service + FerretDB', small.bulkCpuMs.service + small.bulkCpuMs.database, large.bulkCpuMs.service + large.bulkCpuMs.database, 'ms'),
    figure('disk per quote', small.bytesPerQuote / 1000, large.bytesPerQuote / 1000, 'kB'),
    figure('peak RSS Node', small.nodePeakRss / 2 ** 20, large.nodePeakRss / 2 ** 20, 'MB'),
    figure('peak RSS FerretDB', small.databasePeakRss / 2 ** 20, large.databasePeakRss / 2 ** 20, 'MB'),
  ].join('\n');
}

function summaryLine(small: SizeResult, large: SizeResult, loadAtStart: string): string {
  const p50 = (r: SizeResult, prefix: string) => r.lines.find((l) => l.name.startsWith(prefix))?.p50 ?? NaN;
  const item = (label: string, prefix: string) => `${label} ${ms(p50(large, prefix))} ms (${ratio(p50(large, prefix), p50(small, prefix))} vs ${small.size})`;
  return `book: ${large.size} quotes, ${[
    item('first page p50', 'GET /v1/quotes first page, enterprise'), item('broker first page', 'GET /v1/quotes first page, broker'),
    item('broker deep page', 'GET /v1/quotes deep page (cursor), broker'), item('referral queue', 'referral queue API first page'),
    item('policies', 'GET /v1/policies first page, broker'), item('subsidy year broker', 'GET /v1/subsidies/years/'),
    item('pool statement', 'pool statement this month, follower'), item('web /quotes', 'web /quotes, broker'),
    `create ${large.createPerSecond.toFixed(1)}/s (${ratio(large.createPerSecond, small.createPerSecond)})`, `bind ${large.bindPerSecond.toFixed(1)}/s (${ratio(large.bindPerSecond, small.bindPerSecond)})`,
    `bulk ${large.bulkRate.toFixed(0)} quotes/s (CPU ${(large.bulkCpuMs.service + large.bulkCpuMs.database).toFixed(2)} ms per quote)`, `${(large.bytesPerQuote / 1000).toFixed(1)} kB/quote`,
    `peak RSS node ${mb(large.nodePeakRss)} / db ${mb(large.databasePeakRss)}`,
  ].join(', ')}; load ${loadAtStart} → ${load()}\n`;
}

const loadAtStart = load();
log(`bench:book on ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB, sizes ${SIZES.join(', ')}, POLICY_SCHEDULE_BACKLOG=${values['schedule-backlog']}, load average ${loadAtStart}`);
const service = await startBookService({ POLICY_SCHEDULE_BACKLOG: values['schedule-backlog'] }, {
  nodeFlags: values['node-flags'].split(' ').filter(Boolean), ...(values['service-stdout'] ? { stdoutFile: values['service-stdout'] } : {}),
});
const bars = progressBars();
// --memory: the service's memory by phase (bench/book/book-memory.ts), printed after each size.
const trace = values.memory ? new MemoryTrace(service.pid, `${service.url}/metrics`) : undefined;
const progress = trace ? { ...bars.progress, start: (name: string, total: number) => (trace.phase(`build: ${name}`), bars.progress.start(name, total)) } : bars.progress;
// Interrupted: stop the service (and its database and browser) before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void service.stop().finally(() => process.exit(130)));
try {
  const client = new BookClient(service.url, Number(values.timeout) * 1000);
  const dbPid = databasePid(service.pid);
  const book = new BookBuilder(client, service.keys, progress, () => ({ service: cpuSeconds(service.pid), database: cpuSeconds(dbPid) }));
  await book.init();
  const results: SizeResult[] = [];
  for (const size of SIZES) {
    results.push(await measureSize(service, book, client, size));
    process.stdout.write(`${sizeTable(results.at(-1)!)}\n`);
    if (trace) process.stdout.write(`${trace.table()}\n`);
  }
  bars.stop();
  const [small, large] = [results[0]!, results.at(-1)!];
  if (results.length > 1) process.stdout.write(`${ratioTable(small, large)}\n`);
  if (values.json) await writeFile(values.json, JSON.stringify({ date: new Date().toISOString(), cores: os.availableParallelism(), loadAtStart, loadAtEnd: load(), options: values, results }, null, 2));
  process.stdout.write(`\n${summaryLine(small, large, loadAtStart)}`);
} catch (err) {
  log(`bench:book failed: ${(err as Error).stack ?? String(err)}\nservice stderr: ${service.stderr()}`);
  process.exitCode = 1;
} finally {
  bars.stop();
  trace?.stop();
  await service.stop();
}
