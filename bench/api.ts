// npm run bench:api [-- --duration S --warmup S --rounds N --json file --profile DIR --only name,name]
// One run on this machine, each server in its own process, load from autocannon in this one:
//   baselines (bench/baseline-server.ts, bare Express on the service's database):
//     echo (32 connections), the echo answering a preview's answer (32, context), bare insert (8), same work as a quote (8), the quote's read alone (8, context), express.static of a stored
//     policy PDF's bytes (32);
//   the service (src/main.ts, NODE_ENV=production, LOG_LEVEL=warn, embedded FerretDB in a temp
//   folder, rate limiter on with a limit the bench never reaches so its cost is included):
//     preview (32), quote creation with a unique Idempotency-Key per request (8), the stored
//     policy PDF download (32).
// Every phase is warmed up first, then measured in N rounds (default 3) that take the phases in
// turn, so a slow minute of a shared machine falls on every phase rather than on one; a phase's
// req/s is its median round, its latencies that round's. Per phase it prints req/s, latencies, and the CPU the server
// process and this load generator used (ms per request, and the generator's share of the
// machine). --profile DIR runs the service under `node --cpu-prof` (profile written on exit into
// DIR; summarise it with bench/cpu-profile-summary.ts); --only runs only the named phases.
// Ends with exactly one line:
//   api: preview <a>% of echo, quote <b>% of bare insert (<c>% of same work), pdf-download <d>% of static, p99 preview <ms> ms
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { childPids, freePort, SERVICE_NODE_FLAGS, waitFor } from './bench-process.ts';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, warmup: { type: 'string', default: '3' }, rounds: { type: 'string', default: '3' }, json: { type: 'string' }, profile: { type: 'string' }, only: { type: 'string' } } });
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const ROUNDS = Math.max(1, Number(values.rounds));
const ONLY = values.only ? new Set(values.only.split(',')) : undefined;
const CLK_TCK = 100; // /proc/<pid>/stat ticks per second on Linux

export interface Phase {
  name: string; connections: number; reqPerSec: number; p50: number; p99: number; non2xx: number; errors: number;
  /** CPU of the server process per request (ms), of the database (the embedded FerretDB), and of this load generator per request and as a share of the machine. */
  serverCpuMsPerReq: number; databaseCpuMsPerReq: number; loadCpuMsPerReq: number; loadCpuSharePct: number;
}

function start(args: string[], env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stdout!.resume();
  child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  child.on('exit', (code) => {
    if (code && code !== 0) process.stderr.write(`${args.join(' ')} exited with ${code}: ${err}\n`);
  });
  return child;
}

/** User + system CPU seconds of a process so far. */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

interface PhaseSpec { name: string; connections: number; serverPid: number; options: autocannon.Options }

interface Round { result: autocannon.Result; serverCpuSeconds: number; databaseCpuSeconds: number; loadCpuSeconds: number }

/** The embedded database's process (the service's child), once the service is up. */
let databasePid: number | undefined;

async function measure(spec: PhaseSpec): Promise<Round> {
  const server0 = processCpuSeconds(spec.serverPid);
  const database0 = databasePid ? processCpuSeconds(databasePid) : 0;
  const load0 = process.cpuUsage();
  const result = await autocannon({ ...spec.options, connections: spec.connections, duration: DURATION });
  const loadCpu = process.cpuUsage(load0);
  const databaseCpuSeconds = databasePid ? processCpuSeconds(databasePid) - database0 : 0;
  return { result, serverCpuSeconds: processCpuSeconds(spec.serverPid) - server0, databaseCpuSeconds, loadCpuSeconds: (loadCpu.user + loadCpu.system) / 1e6 };
}

/** A phase from its rounds: the median round's req/s and latencies, CPU over all rounds. */
function summarise(spec: PhaseSpec, rounds: Round[]): Phase {
  const sorted = [...rounds].sort((a, b) => a.result.requests.average - b.result.requests.average);
  const { result } = sorted[Math.floor(sorted.length / 2)]!;
  const requests = Math.max(1, rounds.reduce((n, r) => n + r.result.requests.total, 0));
  const serverCpu = rounds.reduce((n, r) => n + r.serverCpuSeconds, 0);
  const databaseCpu = rounds.reduce((n, r) => n + r.databaseCpuSeconds, 0);
  const loadSeconds = rounds.reduce((n, r) => n + r.loadCpuSeconds, 0);
  const phase: Phase = {
    name: spec.name, connections: spec.connections, reqPerSec: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99,
    non2xx: rounds.reduce((n, r) => n + r.result.non2xx, 0), errors: rounds.reduce((n, r) => n + r.result.errors + r.result.timeouts, 0),
    serverCpuMsPerReq: +((serverCpu * 1000) / requests).toFixed(3),
    databaseCpuMsPerReq: +((databaseCpu * 1000) / requests).toFixed(3),
    loadCpuMsPerReq: +((loadSeconds * 1000) / requests).toFixed(3),
    loadCpuSharePct: Math.round((loadSeconds / (rounds.length * DURATION * os.availableParallelism())) * 100),
  };
  const perRound = rounds.map((r) => Math.round(r.result.requests.average)).join('/');
  process.stderr.write(`  ${spec.name.padEnd(13)} ${String(spec.connections).padStart(2)} conn  ${String(phase.reqPerSec).padStart(6)} req/s (rounds ${perRound})  p50 ${phase.p50} ms  p99 ${phase.p99} ms  non-2xx ${phase.non2xx}  errors ${phase.errors}  server CPU ${phase.serverCpuMsPerReq} ms/req  database ${phase.databaseCpuMsPerReq} ms/req  load generator ${phase.loadCpuMsPerReq} ms/req (${phase.loadCpuSharePct}% of the machine)\n`);
  return phase;
}

/** Warms every phase up, then measures them in ROUNDS rounds, each round taking the phases in turn. */
async function runPhases(specs: PhaseSpec[]): Promise<Map<string, Phase>> {
  const chosen = specs.filter((s) => !ONLY || ONLY.has(s.name));
  const rounds = new Map<string, Round[]>(chosen.map((s) => [s.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const spec of chosen) {
      if (round === 0) await autocannon({ ...spec.options, connections: spec.connections, duration: WARMUP });
      rounds.get(spec.name)!.push(await measure(spec));
    }
  }
  return new Map(chosen.map((s) => [s.name, summarise(s, rounds.get(s.name)!)]));
}

interface Service { url: string; pid: number; keys: Record<string, string>; enterpriseId: string; databaseUri: string }

async function startServiceProcess(dir: string, children: ChildProcess[]): Promise<Service> {
  const port = await freePort();
  const dbPort = await freePort();
  if (values.profile) await mkdir(values.profile, { recursive: true });
  const child = start(['src/main.ts'], {
    PORT: String(port), DATA_DIR: dir, DB_PORT: String(dbPort), NODE_ENV: 'production', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000',
  }, [...SERVICE_NODE_FLAGS, ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values.profile)] : [])]);
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/readyz`, 300_000);
  databasePid = childPids(child.pid!)[0];
  const keys = JSON.parse(await readFile(path.join(dir, 'demo-keys.json'), 'utf8')) as Record<string, string>;
  const orgs = (await (await fetch(`${url}/v1/organisations`, { headers: { authorization: `Bearer ${keys.platformAdmin!}` } })).json()) as { items: { id: string; code: string }[] };
  return { url, pid: child.pid!, keys, enterpriseId: orgs.items.find((o) => o.code === 'HZZZ')!.id, databaseUri: `mongodb://127.0.0.1:${dbPort}/` };
}

/** A stored quote (its creation's audit entry inside), its rating-book record, and a stored policy PDF: the baselines' material. */
async function storedMaterial(service: Service, quoteBody: string, dir: string, year: string): Promise<{ templates: string; staticDir: string; policyPath: string }> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${service.keys.broker!}` };
  const made = await fetch(`${service.url}/v1/quotes`, { method: 'POST', headers, body: quoteBody });
  const quoteId = ((await made.json()) as { id: string }).id;
  const connection = await mongoose.createConnection(service.databaseUri).asPromise();
  const EJSON = mongoose.mongo.BSON.EJSON;
  try {
    const quote = await connection.collection('quotes').findOne({ _id: new mongoose.Types.ObjectId(quoteId) });
    const tail = await connection.collection('ratingBookTail').findOne({ _id: `quote:${quoteId}:0` as never });
    const templates = path.join(dir, 'baseline-templates.json');
    await writeFile(templates, EJSON.stringify({ quote, tail, enterpriseId: service.enterpriseId, ledgerId: `${service.enterpriseId}:${year}:0` }, { relaxed: false }));
    const bound = await fetch(`${service.url}/v1/quotes/${quoteId}/bind`, { method: 'POST', headers });
    const policyId = ((await bound.json()) as { id: string }).id;
    const policyPath = `/v1/policies/${policyId}/pdf`;
    const pdf = await fetch(`${service.url}${policyPath}`, { headers });
    if (pdf.status !== 200) throw new Error(`policy PDF: ${pdf.status}`);
    const staticDir = path.join(dir, 'static');
    await mkdir(staticDir, { recursive: true });
    await writeFile(path.join(staticDir, 'policy.pdf'), Buffer.from(await pdf.arrayBuffer()));
    return { templates, staticDir, policyPath };
  } finally {
    await connection.close();
  }
}

const pct = (a: Phase | undefined, b: Phase | undefined) => (a && b ? Math.round((a.reqPerSec / b.reqPerSec) * 100) : NaN);

const children: ChildProcess[] = [];
const dir = await mkdtemp(path.join(os.tmpdir(), 'techins-bench-api-'));
try {
  const product = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as { testVectors: { inputs: Record<string, unknown>; picks?: unknown; expected: { decision: string } }[] };
  const vector = product.testVectors.find((v) => v.expected.decision === 'quoted' && !v.picks)!;
  const startDate = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const previewBody = JSON.stringify({ productCode: 'FIRST-SET-EQUIPMENT', inputs: vector.inputs, startDate });
  process.stderr.write(`bench:api on ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

  const service = await startServiceProcess(dir, children);
  const quoteBody = JSON.stringify({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: service.enterpriseId, inputs: vector.inputs, startDate });
  const material = await storedMaterial(service, quoteBody, dir, startDate.slice(0, 4));

  const answerFile = path.join(dir, 'preview-answer.json');
  const previewAnswer = await fetch(`${service.url}/v1/pricing/preview`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${service.keys.broker!}` }, body: previewBody });
  await writeFile(answerFile, await previewAnswer.text());
  const basePort = await freePort();
  const baseline = start(['bench/baseline-server.ts'], { PORT: String(basePort), MONGODB_URI: service.databaseUri, TEMPLATES: material.templates, STATIC_DIR: material.staticDir, ANSWER: answerFile });
  children.push(baseline);
  const base = `http://127.0.0.1:${basePort}`;
  await waitFor(`${base}/static/policy.pdf`, 60_000);

  const json = { 'content-type': 'application/json' };
  const auth = { ...json, authorization: `Bearer ${service.keys.broker!}` };
  let serial = 0;
  const phases = await runPhases([
    { name: 'echo', connections: 32, serverPid: baseline.pid!, options: { url: `${base}/echo`, method: 'POST', headers: json, body: previewBody } },
    { name: 'echo-answer', connections: 32, serverPid: baseline.pid!, options: { url: `${base}/echo-answer`, method: 'POST', headers: json, body: previewBody } },
    { name: 'bare-insert', connections: 8, serverPid: baseline.pid!, options: { url: `${base}/insert`, method: 'POST', headers: json, body: quoteBody } },
    { name: 'same-work', connections: 8, serverPid: baseline.pid!, options: { url: `${base}/same-work`, method: 'POST', headers: json, body: quoteBody } },
    { name: 'reads', connections: 8, serverPid: baseline.pid!, options: { url: `${base}/reads`, method: 'POST', headers: json, body: quoteBody } },
    { name: 'static', connections: 32, serverPid: baseline.pid!, options: { url: `${base}/static/policy.pdf`, method: 'GET' } },
    { name: 'preview', connections: 32, serverPid: service.pid, options: { url: `${service.url}/v1/pricing/preview`, method: 'POST', headers: auth, body: previewBody } },
    {
      name: 'quote', connections: 8, serverPid: service.pid, options: {
        url: `${service.url}/v1/quotes`, method: 'POST', headers: auth, body: quoteBody,
        // A unique Idempotency-Key per request, as clients send it.
        requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `bench-${process.pid}-${++serial}` } }) }],
      },
    },
    { name: 'pdf-download', connections: 32, serverPid: service.pid, options: { url: `${service.url}${material.policyPath}`, method: 'GET', headers: auth } },
  ]);
  const [echo, insert, sameWork, staticPdf, preview, quote, pdf] = ['echo', 'bare-insert', 'same-work', 'static', 'preview', 'quote', 'pdf-download'].map((name) => phases.get(name));

  const goals = {
    preview: pct(preview, echo) >= 60,
    quote: pct(quote, insert) >= 50,
    pdfDownload: pct(pdf, staticPdf) >= 90,
  };
  const report = { date: new Date().toISOString(), cores: os.availableParallelism(), memoryGb: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg(), durationSeconds: DURATION, warmupSeconds: WARMUP, rounds: ROUNDS, phases: [...phases.values()], goals };
  if (values.json) await writeFile(values.json, JSON.stringify(report, null, 2));
  process.stderr.write(`load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  process.stdout.write(`api: preview ${pct(preview, echo)}% of echo, quote ${pct(quote, insert)}% of bare insert (${pct(quote, sameWork)}% of same work), pdf-download ${pct(pdf, staticPdf)}% of static, p99 preview ${preview?.p99 ?? NaN} ms\n`);
} finally {
  for (const child of children.reverse()) child.kill('SIGTERM');
  // The service writes its CPU profile on exit: give it time to stop gracefully.
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && children.some((c) => c.exitCode === null && c.signalCode === null)) await new Promise((r) => setTimeout(r, 200));
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
}
