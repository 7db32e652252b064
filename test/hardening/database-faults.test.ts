import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedFerretDb, type EmbeddedFerretDb } from '../../src/db/embedded-ferretdb.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.ts';
import { bearer } from '../support/test-app.ts';
import { errorShapeProblems } from './error-shape.ts';

// The database goes away under load, three ways: stopped (SIGTERM: FerretDB shuts down and closes
// its connections), killed (SIGKILL: sockets die mid-command) and frozen (SIGSTOP: nothing answers
// until the driver's timeouts fire). 50 concurrent clients keep sending
// requests of mixed kinds — creating, binding, reading, listing, previewing, auditing, pages and
// sign-ins — throughout. Every answer must be a success or a 503 (the JSON error shape on the API,
// the error page on the pages), never a 500, and the service must serve again once it is back.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const [vector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const CLIENTS = 50;

interface Outcome { kind: string; status: number; problem?: string }

describe('Hardening: database faults under load answer 503, never 500', function () {
  this.timeout(300_000);
  let dir: string;
  let db: EmbeddedFerretDb;
  let dbPort: number;
  let service: ServiceProcess;
  let keys: Record<string, string>;
  let enterpriseId: string;
  let cookie: string;
  let knownQuote: string;
  const quoteIds: string[] = [];
  const quoteBody = () => JSON.stringify({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId, inputs: vector!.inputs, startDate: today() });
  const json = { 'Content-Type': 'application/json' };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'techins-dbfaults-'));
    db = await startEmbeddedFerretDb({ dataDir: path.join(dir, 'db'), port: 0 });
    dbPort = Number(new URL(db.uri).port);
    service = await startServiceProcess({
      MONGODB_URI: `${db.uri.replace(/\/?(\?.*)?$/, '')}/techins_faults`, SEED_DEMO: 'true', DATA_DIR: dir, PRODUCTS_DIR: 'products',
      LOG_LEVEL: 'info', NODE_ENV: 'production', RATE_LIMIT_PER_MINUTE: '0', API_KEY_CACHE_MS: '0', // every request reads its key: more database work to fail
    });
    keys = JSON.parse(await readFile(path.join(dir, 'demo-keys.json'), 'utf8')) as Record<string, string>;
    const orgs = (await (await fetch(`${service.url}/v1/organisations`, { headers: bearer(keys.platformAdmin!) })).json()) as { items: { id: string; code: string }[] };
    enterpriseId = orgs.items.find((o) => o.code === 'HZZZ')!.id;
    const quote = await fetch(`${service.url}/v1/quotes`, { method: 'POST', headers: { ...bearer(keys.broker!), ...json }, body: quoteBody() });
    expect(quote.status).to.equal(201);
    knownQuote = ((await quote.json()) as { id: string }).id;
    const signIn = await fetch(`${service.url}/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' }, body: new URLSearchParams({ apiKey: keys.broker! }) });
    cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).to.match(/^tis_session=/);
  });
  after(async () => {
    service?.child.kill('SIGKILL');
    await db?.stop().catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let sequence = 0;

  /** One request of the kind `n` picks; resolves with its status and what is wrong with it. */
  async function request(n: number): Promise<Outcome> {
    const kinds: [string, () => Promise<Response>][] = [
      ['create', () => fetch(`${service.url}/v1/quotes`, { method: 'POST', headers: { ...bearer(keys.broker!), ...json, 'Idempotency-Key': `faults-${++sequence}` }, body: quoteBody() })],
      ['bind', async () => {
        const id = quoteIds.pop();
        return id ? fetch(`${service.url}/v1/quotes/${id}/bind`, { method: 'POST', headers: bearer(keys.broker!) }) : fetch(`${service.url}/v1/me`, { headers: bearer(keys.broker!) });
      }],
      ['list', () => fetch(`${service.url}/v1/quotes?limit=20`, { headers: bearer(keys.broker!) })],
      ['read', () => fetch(`${service.url}/v1/quotes/${knownQuote}`, { headers: bearer(keys.broker!) })],
      ['preview', () => fetch(`${service.url}/v1/pricing/preview`, { method: 'POST', headers: { ...bearer(keys.broker!), ...json }, body: quoteBody() })],
      ['policies', () => fetch(`${service.url}/v1/policies?limit=20`, { headers: bearer(keys.underwriter!) })],
      ['audit', () => fetch(`${service.url}/v1/audit?entity=quote&id=${knownQuote}&limit=20`, { headers: bearer(keys.platformAdmin!) })],
      ['catalogue', () => fetch(`${service.url}/v1/catalogue`, { headers: bearer(keys.enterprise!) })],
      ['page', () => fetch(`${service.url}/quotes`, { headers: { Cookie: cookie }, redirect: 'manual' })],
      ['sign-in', () => fetch(`${service.url}/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' }, body: new URLSearchParams({ apiKey: keys.enterprise! }) })],
    ];
    const [kind, send] = kinds[n % kinds.length]!;
    let res: Response;
    try {
      res = await send();
    } catch (err) {
      return { kind, status: -1, problem: `no answer: ${(err as Error).message}` };
    }
    const text = await res.text();
    const outcome: Outcome = { kind, status: res.status };
    if (kind === 'create' && res.status === 201) quoteIds.push((JSON.parse(text) as { id: string }).id);
    const ok = res.status < 300 || (res.status === 303 && (kind === 'sign-in' || kind === 'page'));
    if (ok) return outcome;
    if (res.status !== 503) return { ...outcome, problem: `${kind} ${res.status}: ${text.slice(0, 300)}` };
    if (kind === 'page' || kind === 'sign-in') {
      if (!/text\/html/.test(res.headers.get('content-type') ?? '')) outcome.problem = `${kind} 503 is not a page`;
    } else {
      const shape = errorShapeProblems(res.headers.get('content-type') ?? undefined, JSON.parse(text));
      if (shape.length) outcome.problem = `${kind} 503 outside the error shape: ${shape.join('; ')}`;
    }
    return outcome;
  }

  /** Drives CLIENTS concurrent clients until `until` resolves; returns every outcome. */
  async function underLoad(until: Promise<void>): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    let stop = false;
    void until.finally(() => (stop = true));
    await Promise.all(Array.from({ length: CLIENTS }, async (_v, client) => {
      for (let i = client; !stop; i += CLIENTS) {
        outcomes.push(await request(i));
        if (outcomes.at(-1)!.status === 503) await sleep(20);
      }
    }));
    return outcomes;
  }

  async function waitReady(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if ((await fetch(`${service.url}/readyz`).then((r) => r.status, () => -1)) === 200) return true;
      await sleep(100);
    }
    return false;
  }

  it('stopped, killed and frozen while 50 clients send mixed requests: every answer 2xx or 503 with the error shape, then serves again', async () => {
    const outcomes = await underLoad((async () => {
      await sleep(1500);
      await db.stop(); // SIGTERM: FerretDB closes its connections and exits
      await sleep(3000);
      db = await startEmbeddedFerretDb({ dataDir: path.join(dir, 'db'), port: dbPort });
      expect(await waitReady(15_000), 'ready after the restart').to.equal(true);
      await sleep(1500);
      process.kill(db.pid, 'SIGKILL'); // sockets die mid-command
      await db.stop();
      await sleep(3000);
      db = await startEmbeddedFerretDb({ dataDir: path.join(dir, 'db'), port: dbPort });
      expect(await waitReady(15_000), 'ready after the kill').to.equal(true);
      await sleep(1500);
      // Frozen (SIGSTOP), as a starved database on a loaded machine is: the driver's monitor
      // times out and interrupts the commands in flight on the pool's connections.
      process.kill(db.pid, 'SIGSTOP');
      await sleep(6000);
      process.kill(db.pid, 'SIGCONT');
      expect(await waitReady(15_000), 'ready after the freeze').to.equal(true);
      await sleep(1500);
    })());
    const problems = [...new Set(outcomes.filter((o) => o.problem).map((o) => o.problem!.replace(/"requestId":"[^"]*"/, '')))];
    const tally: Record<string, number> = {};
    for (const o of outcomes) tally[`${o.kind} ${o.status}`] = (tally[`${o.kind} ${o.status}`] ?? 0) + 1;
    if (process.env.DRILL_VERBOSE) process.stderr.write(`database faults drill: ${outcomes.length} answers ${JSON.stringify(tally)}\n`);
    // What the service logged as a failure rather than an outage: the error's class and message.
    const logged = service.stdout().split('\n').filter((l) => /"unhandled error"|"web page failed"/.test(l)).map((l) => {
      const { msg, err } = JSON.parse(l) as { msg: string; err?: { type?: string; message?: string } };
      return `${msg}: ${err?.type} ${err?.message?.slice(0, 160)}`;
    });
    expect(problems, `${problems.slice(0, 5).map((p) => p.slice(0, 120)).join('\n')}\n${[...new Set(logged)].slice(0, 8).join('\n')}\n${JSON.stringify(tally)}`).to.deep.equal([]);
    expect(logged, 'errors logged as unhandled').to.deep.equal([]);
    expect(outcomes.filter((o) => o.status === 503).length, 'requests refused with 503 while the database was away').to.be.above(0);
    expect(outcomes.filter((o) => o.status < 300).length, 'requests served').to.be.above(CLIENTS);
    expect(service.child.exitCode, 'the service process is alive').to.equal(null);
    // Served again: one request of every kind succeeds after the database is back.
    for (let n = 0; n < 10; n++) {
      const after = await request(n);
      expect(after.problem ?? '', `${after.kind} after recovery`).to.equal('');
      expect(after.status, `${after.kind} after recovery`).to.be.below(400);
    }
  });
});
