// Command-line faces of the portfolio tools: `npm run quotes -- bulk` and `npm run products --
// impact`. They run the same services as the API, in process, against the service's database,
// as the caller an API key names, so the API's scoping rules hold here too.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { SingleBar } from 'cli-progress';
import { pino } from 'pino';
import type { Caller } from '../auth/caller.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { CliDatabaseError, connectCliDatabase } from './cli-database.ts';
import { AppError } from '../http/app-error.ts';
import { csvStream } from '../http/csv-export.ts';
import { formatBytes, uploadLimitsOf } from '../http/upload-limits.ts';
import { formatFen } from '../rating/index.ts';
import { createServices, type Services } from '../service.ts';
import { bulkResultCells, bulkResultColumns, formatCellError, type BulkRowResult } from '../portfolio/bulk-quote-service.ts';
import type { ImpactReport } from '../portfolio/impact-service.ts';
import type { BookImpact } from '../portfolio/impact-stats.ts';

/** A problem the user can fix, said in one sentence; the command exits 1. */
export class CliError extends Error {}

/**
 * Runs a task on the service's database (src/cli/cli-database.ts: MONGODB_URI, else DATA_DIR's
 * embedded database, never another one on DB_PORT), as the caller of the API key from --key or TECHINS_API_KEY,
 * over the services composed as the app composes them (src/service.ts createServices: the same reactions).
 */
export async function withCliCaller<T>(key: string | undefined, task: (caller: Caller, config: Config, services: Services) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const apiKey = key ?? process.env.TECHINS_API_KEY;
  if (!apiKey) throw new CliError('Give an API key with --key or the TECHINS_API_KEY environment variable (a broker key to quote, an insurer key for impact analysis).');
  let database;
  try {
    database = await connectCliDatabase(config);
  } catch (err) {
    if (err instanceof CliDatabaseError) throw new CliError(err.message);
    throw err;
  }
  // Logs would mix with the CSV or report on stdout: the CLI says what it has to say itself.
  const services = createServices(config, pino({ level: 'silent' }));
  try {
    let caller: Caller;
    try {
      caller = await services.auth.resolveApiKey(apiKey);
    } catch (err) {
      if (err instanceof AppError) throw new CliError(`${err.message} Check --key or TECHINS_API_KEY.`);
      throw err;
    }
    // The task runs in the service's scope: what it leaves running (a bulk run's rows) reads this
    // service's caches and ports, as a request's work does in the app.
    return await services.scope.run(() => task(caller, config, services));
  } finally {
    await services.close();
    await database.close();
  }
}

/** Runs a command action: CliError and AppError become one line on stderr and exit code 1. */
export async function runCli(action: () => Promise<number | void>): Promise<void> {
  try {
    const code = await action();
    if (code) process.exitCode = code;
  } catch (err) {
    if (err instanceof CliError) process.stderr.write(`${err.message}\n`);
    else if (err instanceof AppError) process.stderr.write(`${err.message}${err.details.length ? ` (${err.details.map((d) => `${d.path} ${d.message}`).join('; ')})` : ''}\n`);
    else throw err;
    process.exitCode = 1;
  }
}

const progressBar = (format: string) => new SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50, fps: 5 });

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 16);
}

export interface BulkCommandOptions {
  product?: string;
  productVersion?: string;
  save?: boolean;
  batch?: string;
  format: 'csv' | 'json';
  out?: string;
  concurrency: string;
  key?: string;
}

/** `quotes bulk <file>`: results to stdout or --out, summary and first errors to stderr. Exit 2 when some rows failed. */
export async function runBulkCommand(file: string, options: BulkCommandOptions): Promise<number> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new CliError(`Cannot read ${file}: no such file.`);
  }
  if (size === 0) throw new CliError(`${file} is empty: it needs a header row naming the columns and one row per risk (see docs/portfolio.md).`);
  if (options.format !== 'csv' && options.format !== 'json') throw new CliError('--format must be csv or json.');
  const concurrency = Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new CliError('--concurrency must be a whole number from 1 to 64.');
  const batchId = options.batch ?? (options.save ? `file-${await hashFile(file)}` : undefined);

  return withCliCaller(options.key, async (caller, config, services) => {
    // The same limits as the API (BULK_* settings): a file over them is refused before a row is priced.
    const limits = uploadLimitsOf(config).bulk;
    if (size > limits.maxBytes) throw new CliError(`${file} is larger than ${formatBytes(limits.maxBytes)} (maxBytes, BULK_MAX_BYTES); split it.`);
    let bytes = 0;
    const open = () => { // read twice: the limits first, then the rows
      bytes = 0;
      const source = createReadStream(file);
      source.on('data', (chunk) => {
        bytes += chunk.length;
      });
      return source;
    };
    let run;
    try {
      run = await services.portfolio.startBulkQuote(caller, open, {
        limits,
        ...(options.product ? { productCode: options.product } : {}),
        ...(options.productVersion ? { productVersion: options.productVersion } : {}),
        save: options.save === true,
        ...(batchId ? { batchId } : {}),
        concurrency,
      });
    } catch (err) {
      if (err instanceof AppError && err.kind === 'invalid_input') throw new CliError(`${file}: ${err.message}`);
      throw err;
    }
    const out = options.out ? createWriteStream(options.out) : process.stdout;
    const bar = process.stderr.isTTY ? progressBar('{bar} {percentage}% | {rows} rows | {failed} with errors | ETA {eta_formatted}') : undefined;
    bar?.start(size, 0, { rows: 0, failed: 0 });
    const shownErrors: string[] = [];
    const note = (row: BulkRowResult) => {
      if (row.status === 'error' && shownErrors.length < 20) shownErrors.push(...row.errors.map((e) => formatCellError(row.row, e)));
      if (bar && run.summary.rows % 50 === 0) bar.update(bytes, { rows: run.summary.rows, failed: run.summary.failed });
    };
    if (options.format === 'csv') {
      const csv = csvStream({ header: true, columns: [...bulkResultColumns] });
      csv.pipe(out);
      for await (const row of run.rows) {
        note(row);
        if (!csv.write(bulkResultCells(row))) await once(csv, 'drain');
      }
      csv.end();
      await once(csv, 'end');
    } else {
      const write = async (text: string) => {
        if (!out.write(text)) await once(out, 'drain');
      };
      await write(`{"columns":${JSON.stringify(run.columns)},"rows":[`);
      let first = true;
      for await (const row of run.rows) {
        note(row);
        await write(`${first ? '' : ','}\n${JSON.stringify(row)}`);
        first = false;
      }
      await write(`\n],"summary":${JSON.stringify(run.summary)}}\n`);
    }
    if (out !== process.stdout) {
      out.end();
      await finished(out);
    }
    bar?.update(size, { rows: run.summary.rows, failed: run.summary.failed });
    bar?.stop();
    const s = run.summary;
    for (const line of shownErrors.slice(0, 20)) process.stderr.write(`  ✗ ${line}\n`);
    if (s.failed > 20) process.stderr.write(`  … and more: see the errors column.\n`);
    process.stderr.write(`${s.rows} row(s): ${s.priced} priced, ${s.saved} saved, ${s.replayed} already saved, ${s.failed} with errors; `
      + `quoted ${s.decisions.quoted}, referred ${s.decisions.referred}, declined ${s.decisions.declined}; gross premium ${formatFen(s.grossPremiumFen)} 元`
      + `${batchId ? `; batch ${batchId}` : ''}.\n`);
    return s.failed > 0 ? 2 : 0;
  });
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x > 0 ? '+' : ''}${x.toFixed(2)}%`);
const yuan = (fen: number) => `${fen > 0 ? '+' : ''}${formatFen(Math.round(fen))} 元`;

function describeBook(name: string, b: BookImpact): string[] {
  const lines = [`${name}: ${b.count} on the baseline, ${b.rated} re-rated, ${b.inputErrors.count} no longer rate`];
  if (b.rated > 0) {
    lines.push(`  book premium ${formatFen(b.storedPremiumFen)} → ${formatFen(b.newPremiumFen)} 元 (${yuan(b.changeFen)}, ${pct(b.changePercent)}); up ${b.increased}, down ${b.decreased}, unchanged ${b.unchanged}`);
    const f = b.perQuoteChangeFen!;
    const p = b.perQuoteChangePercent;
    lines.push(`  per quote change: mean ${yuan(f.mean)} (${pct(p?.mean)}), median ${yuan(f.median)} (${pct(p?.median)}), p90 ${yuan(f.p90)} (${pct(p?.p90)}), min ${yuan(f.min)} (${pct(p?.min)}), max ${yuan(f.max)} (${pct(p?.max)})`);
  }
  lines.push(`  decisions that change: ${b.decisionChanges.total}${b.decisionChanges.transitions.map((t) => `; ${t.from} → ${t.to}: ${t.count}`).join('')}`);
  for (const e of b.inputErrors.byPath) lines.push(`  no longer rates: ${e.count} × ${e.path} ${e.message}`);
  if (b.largestMovers.length) lines.push('  largest movers:');
  for (const m of b.largestMovers) lines.push(`    ${m.number}  ${formatFen(m.storedPremiumFen)} → ${formatFen(m.newPremiumFen)} 元 (${yuan(m.changeFen)}, ${pct(m.changePercent)})${m.storedDecision !== m.newDecision ? ` ${m.storedDecision} → ${m.newDecision}` : ''}`);
  return lines;
}

/** The impact report as text for the terminal. */
export function formatImpactReport(r: ImpactReport): string {
  return [
    `${r.productCode} ${r.version} (${r.versionStatus}) against ${r.baseline}; quote dates: ${r.asOfRule}.`,
    `Book of ${r.baseline} as read at ${r.book.readAt}: ${r.book.pages} page(s) and ${r.book.tailRecords} recent record(s) in ${r.book.readMs} ms${r.book.refreshed ? ', after reading every stored quote and policy into it' : ''}.`,
    ...describeBook('Quotes', r.quotes),
    ...(r.policies ? describeBook('Policies', r.policies) : []),
    `(${r.elapsedMs} ms)`,
  ].join('\n');
}

export interface ImpactCommandOptions {
  baseline?: string;
  top: string;
  policies: boolean;
  json?: boolean;
  refresh?: boolean;
  key?: string;
}

/** `products impact CODE VERSION`: the report as text (or JSON) on stdout, a progress bar on stderr. */
export async function runImpactCommand(code: string, version: string, options: ImpactCommandOptions): Promise<void> {
  const top = Number(options.top);
  if (!Number.isInteger(top) || top < 0 || top > 100) throw new CliError('--top must be a whole number from 0 to 100.');
  const report = await withCliCaller(options.key, (caller, _config, services) => {
    const bar = process.stderr.isTTY ? progressBar('{bar} {percentage}% | {value}/{total} re-rated | ETA {eta_formatted}') : undefined;
    let started = false;
    return services.portfolio.analyseRateChange(caller, code, version, {
      ...(options.baseline ? { baseline: options.baseline } : {}),
      top,
      includePolicies: options.policies,
      refresh: options.refresh === true,
      onProgress: (done, total) => {
        if (!bar) return;
        if (total === 0) {
          process.stderr.write(`\rreading stored quotes and policies into the book: ${done}`);
          return;
        }
        if (!started) process.stderr.write('\n');
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    }).finally(() => bar?.stop());
  });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatImpactReport(report)}\n`);
}
