// npm run bench:api [-- --duration S --json file]
// One run, each server in its own process on this machine, load from autocannon in this one:
//   1. bench/echo-server.ts — bare Express JSON echo (the baseline), 32 connections
//   2. the service (src/main.ts, NODE_ENV=production, LOG_LEVEL=warn, embedded FerretDB in a temp
//      folder, rate limiter on with a limit the bench never reaches so its cost is included):
//      preview pricing at 32 connections, quote creation at 8, stored policy PDF download at 32.
// Every phase is warmed up first. Ends with exactly one line:
//   api: preview <a>% of echo p99 <ms> ms, quote <b>% of echo p99 <ms> ms, pdf-download <n> req/s
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, warmup: { type: 'string', default: '3' }, json: { type: 'string' } } });
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);

export interface Phase { name: string; connections: number; reqPerSec: number; p50: number; p99: number; non2xx: number; errors: number }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function start(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  child.on('exit', (code) => {
    if (code && code !== 0) process.stderr.write(`${args.join(' ')} exited with ${code}: ${err}\n`);
  });
  return child;
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(url).then((r) => r.status, () => 0)) === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready in ${timeoutMs} ms`);
}

async function load(name: string, connections: number, options: autocannon.Options): Promise<Phase> {
  await autocannon({ ...options, connections, duration: WARMUP });
  const result = await autocannon({ ...options, connections, duration: DURATION });
  const phase = { name, connections, reqPerSec: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts };
  process.stderr.write(`  ${name.padEnd(13)} ${String(connections).padStart(2)} conn  ${String(phase.reqPerSec).padStart(6)} req/s  p50 ${phase.p50} ms  p99 ${phase.p99} ms  non-2xx ${phase.non2xx}  errors ${phase.errors}\n`);
  return phase;
}

const children: ChildProcess[] = [];
const dir = await mkdtemp(path.join(os.tmpdir(), 'techins-bench-api-'));
try {
  const product = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as { testVectors: { inputs: Record<string, unknown>; picks?: unknown; expected: { decision: string } }[] };
  const vector = product.testVectors.find((v) => v.expected.decision === 'quoted' && !v.picks)!;
  const startDate = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const previewBody = JSON.stringify({ productCode: 'FIRST-SET-EQUIPMENT', inputs: vector.inputs, startDate });

  process.stderr.write(`bench:api on ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const echoPort = await freePort();
  children.push(start(['bench/echo-server.ts'], { PORT: String(echoPort) }));
  const echoUrl = `http://127.0.0.1:${echoPort}`;
  await waitFor(`${echoUrl}/`, 30_000).catch(async () => {
    // The echo answers only POST /echo; a 404 from Express means it is up.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await fetch(`${echoUrl}/`).then((r) => r.status, () => 0)) !== 404) await new Promise((r) => setTimeout(r, 200));
  });
  const json = { 'content-type': 'application/json' };
  const echo = await load('echo', 32, { url: `${echoUrl}/echo`, method: 'POST', headers: json, body: previewBody });

  const port = await freePort();
  children.push(start(['src/main.ts'], {
    PORT: String(port), DATA_DIR: dir, DB_PORT: '0', NODE_ENV: 'production', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000',
  }));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/readyz`, 300_000);
  const keys = JSON.parse(await readFile(path.join(dir, 'demo-keys.json'), 'utf8')) as Record<string, string>;
  const auth = (key: string) => ({ ...json, authorization: `Bearer ${key}` });
  const orgs = (await (await fetch(`${url}/v1/organisations`, { headers: auth(keys.platformAdmin!) })).json()) as { items: { id: string; code: string }[] };
  const enterpriseId = orgs.items.find((o) => o.code === 'HZZZ')!.id;
  const quoteBody = JSON.stringify({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId, inputs: vector.inputs, startDate });

  const preview = await load('preview', 32, { url: `${url}/v1/pricing/preview`, method: 'POST', headers: auth(keys.broker!), body: previewBody });
  const quote = await load('quote', 8, { url: `${url}/v1/quotes`, method: 'POST', headers: auth(keys.broker!), body: quoteBody });

  let pdf: Phase | undefined;
  const made = await fetch(`${url}/v1/quotes`, { method: 'POST', headers: auth(keys.broker!), body: quoteBody });
  const quoteId = ((await made.json()) as { id: string }).id;
  const bound = await fetch(`${url}/v1/quotes/${quoteId}/bind`, { method: 'POST', headers: auth(keys.broker!) });
  const policyId = ((await bound.json()) as { id?: string }).id;
  const pdfRoute = policyId ? await fetch(`${url}/v1/policies/${policyId}/pdf`, { headers: auth(keys.broker!) }) : undefined;
  if (pdfRoute?.status === 200 && /pdf/.test(pdfRoute.headers.get('content-type') ?? '')) {
    pdf = await load('pdf-download', 32, { url: `${url}/v1/policies/${policyId}/pdf`, method: 'GET', headers: auth(keys.broker!) });
  }

  const pct = (p: Phase) => Math.round((p.reqPerSec / echo.reqPerSec) * 100);
  const goals = {
    preview: pct(preview) >= 60 && preview.p99 <= 10,
    quote: pct(quote) >= 15 && quote.p99 <= 50,
    pdfDownload: pdf ? pdf.reqPerSec >= 2000 : null,
  };
  const report = { date: new Date().toISOString(), cores: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg(), durationSeconds: DURATION, warmupSeconds: WARMUP, phases: [echo, preview, quote, ...(pdf ? [pdf] : [])], goals };
  if (values.json) await writeFile(values.json, JSON.stringify(report, null, 2));
  process.stdout.write(`api: preview ${pct(preview)}% of echo p99 ${preview.p99} ms, quote ${pct(quote)}% of echo p99 ${quote.p99} ms, pdf-download ${pdf ? `${pdf.reqPerSec} req/s` : 'n/a'}\n`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
}
