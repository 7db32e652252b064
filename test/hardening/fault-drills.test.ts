import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedFerretDb, type EmbeddedFerretDb } from '../../src/db/embedded-ferretdb.ts';
import { PdfRenderError } from '../../src/documents/pdf-renderer.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { errorShapeProblems } from './error-shape.ts';
import { today } from '../support/china-date.ts';

// Results of both drills, for scripts/evidence.ts (FAULT_REPORT_OUT=file).
const results: Record<string, unknown> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const [vector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

after(async () => {
  if (process.env.FAULT_REPORT_OUT) await writeFile(process.env.FAULT_REPORT_OUT, JSON.stringify(results, null, 2));
});

describe('Hardening: fault drill — the database stops under load', function () {
  this.timeout(300_000);
  const OUTAGE_MS = 4000;
  let dir: string;
  let db: EmbeddedFerretDb;
  let dbPort: number;
  let service: ServiceProcess;
  let keys: Record<string, string>;
  let enterpriseId: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'techins-drill-'));
    db = await startEmbeddedFerretDb({ dataDir: path.join(dir, 'db'), port: 0 });
    dbPort = Number(new URL(db.uri).port);
    service = await startServiceProcess({
      MONGODB_URI: `${db.uri.replace(/\/?(\?.*)?$/, '')}/techins_drill`, SEED_DEMO: 'true', DATA_DIR: dir, PRODUCTS_DIR: 'products',
      LOG_LEVEL: 'info', NODE_ENV: 'production', RATE_LIMIT_PER_MINUTE: '0', // info: startServiceProcess waits for the "service listening" line
    });
    keys = JSON.parse(await readFile(path.join(dir, 'demo-keys.json'), 'utf8')) as Record<string, string>;
    const orgs = (await (await fetch(`${service.url}/v1/organisations`, { headers: bearer(keys.platformAdmin!) })).json()) as { items: { id: string; code: string }[] };
    enterpriseId = orgs.items.find((o) => o.code === 'HZZZ')!.id;
  });
  after(async () => {
    service?.child.kill('SIGKILL');
    await db?.stop().catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 on /readyz and fails requests fast with JSON while it is away, recovers within 5 s of its return, and loses no acknowledged quote', async () => {
    const acknowledged = new Set<string>();
    const statuses: Record<string, number> = {};
    const problems: string[] = [];
    let maxOutageLatency = 0;
    let outage = false;
    let stop = false;
    let firstOkAfterReturn = 0;
    let returnedAt = 0;
    let sequence = 0;

    const worker = async () => {
      while (!stop) {
        const started = Date.now();
        const key = `drill-${++sequence}`;
        try {
          const res = await fetch(`${service.url}/v1/quotes`, {
            method: 'POST',
            headers: { ...bearer(keys.broker!), 'Content-Type': 'application/json', 'Idempotency-Key': key },
            body: JSON.stringify({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId, inputs: vector!.inputs, startDate: today() }),
            signal: AbortSignal.timeout(15_000),
          });
          const body = (await res.json()) as { id?: string };
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 201) {
            if (acknowledged.has(body.id!)) problems.push(`quote ${body.id} acknowledged twice`);
            acknowledged.add(body.id!);
            if (returnedAt && !firstOkAfterReturn) firstOkAfterReturn = Date.now();
          } else if (res.status >= 500 && res.status !== 503) problems.push(`${res.status}: ${JSON.stringify(body)}`);
          else if (res.status >= 400) {
            const shape = errorShapeProblems(res.headers.get('content-type') ?? undefined, body);
            if (shape.length) problems.push(`${res.status} outside the error shape: ${shape.join('; ')}`);
          }
        } catch (err) {
          problems.push(`no answer: ${(err as Error).message}`);
        }
        if (outage) maxOutageLatency = Math.max(maxOutageLatency, Date.now() - started);
        if (outage) await sleep(50);
      }
    };

    const workers = Array.from({ length: 6 }, worker);
    await sleep(2000);
    const beforeOutage = acknowledged.size;

    outage = true;
    await db.stop();
    const stoppedAt = Date.now();
    let readyzDownAfter = -1;
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      const status = await fetch(`${service.url}/readyz`).then((r) => r.status, () => -1);
      if (status === 503 && readyzDownAfter < 0) readyzDownAfter = Date.now() - stoppedAt;
      await sleep(100);
    }
    expect(service.child.exitCode, 'the service process exited').to.equal(null);

    db = await startEmbeddedFerretDb({ dataDir: path.join(dir, 'db'), port: dbPort });
    returnedAt = Date.now();
    let readyAfter = -1;
    while (Date.now() - returnedAt < 15_000) {
      if ((await fetch(`${service.url}/readyz`).then((r) => r.status, () => -1)) === 200) {
        readyAfter = Date.now() - returnedAt;
        break;
      }
      await sleep(50);
    }
    outage = false;
    while (!firstOkAfterReturn && Date.now() - returnedAt < 15_000) await sleep(50);
    await sleep(2000);
    stop = true;
    await Promise.all(workers);

    // Every acknowledged quote is there after recovery.
    let lost = 0;
    for (const id of acknowledged) {
      const res = await fetch(`${service.url}/v1/quotes/${id}`, { headers: bearer(keys.broker!) });
      if (res.status !== 200) lost++;
    }
    const quoteAfterReturnMs = firstOkAfterReturn ? firstOkAfterReturn - returnedAt : -1;
    Object.assign(results, {
      databaseDrill: {
        outageMs: OUTAGE_MS, requests: Object.values(statuses).reduce((a, b) => a + b, 0), statuses, acknowledgedQuotes: acknowledged.size, acknowledgedBeforeOutage: beforeOutage,
        lostQuotes: lost, readyz503AfterMs: readyzDownAfter, readyz200AfterReturnMs: readyAfter, firstQuoteAfterReturnMs: quoteAfterReturnMs,
        maxLatencyDuringOutageMs: maxOutageLatency, problems: problems.slice(0, 20), processAlive: service.child.exitCode === null,
        pass: problems.length === 0 && lost === 0 && readyzDownAfter >= 0 && readyAfter >= 0 && readyAfter <= 5000 && quoteAfterReturnMs >= 0 && quoteAfterReturnMs <= 5000 && (statuses['503'] ?? 0) > 0,
      },
    });
    // A 500 names its cause in the service's log: show it with the failure.
    const unhandled = service.stdout().split('\n').filter((l) => l.includes('"unhandled error"')).slice(0, 3);
    expect(problems, [...problems.slice(0, 5), ...unhandled].join('\n')).to.deep.equal([]);
    expect(beforeOutage, 'quotes acknowledged before the outage').to.be.above(0);
    expect(statuses['503'] ?? 0, 'requests refused with 503 during the outage').to.be.above(0);
    expect(readyzDownAfter, '/readyz went 503').to.be.within(0, OUTAGE_MS);
    expect(maxOutageLatency, 'slowest request during the outage (fail fast)').to.be.below(5000);
    expect(readyAfter, '/readyz 200 after the database returned (ms)').to.be.within(0, 5000);
    expect(quoteAfterReturnMs, 'first acknowledged quote after the database returned (ms)').to.be.within(0, 5000);
    expect(lost, 'acknowledged quotes missing after recovery').to.equal(0);
    expect(service.child.exitCode).to.equal(null);
  });
});

describe('Hardening: fault drill — the browser is killed during renders', function () {
  this.timeout(300_000);
  const t = useTestApp();
  const html = (n: number) => `<!doctype html><html><head><meta charset="utf-8"></head><body><h1>演练 ${n}</h1>${'<p>科技保险 — 首台（套）</p>'.repeat(200)}</body></html>`;

  before(async () => {
    await publishShippedProducts();
  });

  it('gives clean errors to the renders in flight, then renders again on a new browser', async () => {
    const renderer = t.renderer;
    await renderer.renderPdf(html(0));
    const pid = renderer.stats().browserPid!;
    expect(pid).to.be.a('number');
    const inFlight = Array.from({ length: 12 }, (_v, i) => renderer.renderPdf(html(i + 1), { timeoutMs: 20_000 }).then(
      (pdf) => (pdf.subarray(0, 5).toString() === '%PDF-' ? 'ok' : 'not a pdf'),
      (err: unknown) => (err instanceof PdfRenderError ? `error:${err.code}` : `unexpected:${String(err)}`),
    ));
    await sleep(150);
    process.kill(pid, 'SIGKILL');
    const started = Date.now();
    const outcomes = await Promise.all(inFlight);
    const settledMs = Date.now() - started;
    const after = [];
    for (let i = 0; i < 5; i++) after.push(await renderer.renderPdf(html(100 + i)).then((pdf) => pdf.subarray(0, 5).toString()));
    const newPid = renderer.stats().browserPid;
    const tally = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});

    // The same through the HTTP route: a quote PDF while the browser is killed → 200 or a JSON 503, then 200.
    const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: vector!.inputs, startDate: today() });
    expect(quote.status).to.equal(201);
    const pending = t.http.get(`/v1/quotes/${String(quote.body.id)}/pdf`).set(bearer(t.keys.broker));
    await sleep(100);
    const routePid = renderer.stats().browserPid;
    if (routePid) process.kill(routePid, 'SIGKILL');
    const during = await pending;
    const again = await t.http.get(`/v1/quotes/${String(quote.body.id)}/pdf`).set(bearer(t.keys.broker));

    Object.assign(results, {
      browserDrill: {
        rendersInFlight: outcomes.length, outcomes: tally, settledAfterKillMs: settledMs, rendersAfterRecovery: after.filter((h) => h === '%PDF-').length,
        browserRelaunched: newPid !== null && newPid !== pid, routeDuringKill: during.status, routeAfter: again.status,
        pass: outcomes.every((o) => o === 'ok' || o.startsWith('error:')) && after.every((h) => h === '%PDF-') && newPid !== pid && [200, 503].includes(during.status) && again.status === 200,
      },
    });
    expect(outcomes.filter((o) => !(o === 'ok' || o.startsWith('error:'))), JSON.stringify(tally)).to.deep.equal([]);
    expect(outcomes.some((o) => o.startsWith('error:')), 'some renders were cut off').to.equal(true);
    expect(settledMs).to.be.below(20_000);
    expect(after).to.deep.equal(['%PDF-', '%PDF-', '%PDF-', '%PDF-', '%PDF-']);
    expect(newPid).to.not.equal(pid);
    expect(during.status).to.be.oneOf([200, 503]);
    if (during.status === 503) expect(errorShapeProblems(during.headers['content-type'], during.body)).to.deep.equal([]);
    expect(again.status).to.equal(200);
    expect(again.headers['content-type']).to.match(/application\/pdf/);
  });
});
