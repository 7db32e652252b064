import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allRoutes } from '../../src/app.ts';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { useTestApp } from '../support/test-app.ts';
import { generateCase, MUTATIONS, runFuzz, type FuzzReport, type FuzzTarget } from './fuzz-engine.ts';
import { prepareFuzzTarget } from './fuzz-target.ts';

// A bounded, seeded run; `npm run fuzz -- --count N --seed S` runs more with the same engine.
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const COUNT = Number(process.env.FUZZ_COUNT ?? 1500);

describe('Hardening: fuzzing every route from its schemas', function () {
  this.timeout(600_000);
  // The limiter would answer 429 to most of the run; it is tested on its own (limits.test.ts).
  const t = useTestApp({ RATE_LIMIT_PER_MINUTE: '0' });
  let server: Server;
  let target: FuzzTarget;
  let report: FuzzReport;

  before(async () => {
    await publishShippedProducts();
    server = await new Promise((resolve) => {
      const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    target = await prepareFuzzTarget(`http://127.0.0.1:${port}`, t.keys, t.organisations, t.config.BODY_LIMIT);
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('generates the same case for the same seed and index', () => {
    const routes = allRoutes();
    for (const index of [0, 7, 999]) expect(generateCase(routes, target, SEED, index)).to.deep.equal(generateCase(routes, target, SEED, index));
    expect(generateCase(routes, target, SEED, 1)).not.to.deep.equal(generateCase(routes, target, SEED + 1, 1));
  });

  it(`answers ${COUNT} fuzzed requests (seed ${SEED}) without a 5xx, with every 4xx in the JSON error shape`, async () => {
    report = await runFuzz({ routes: allRoutes(), target, count: COUNT, seed: SEED, concurrency: 4 });
    const summary = report.failures.slice(0, 10).map((f) => `#${f.case.index} ${f.case.method} ${f.case.path.slice(0, 120)} [${f.case.mutation}] → ${f.problem}`).join('\n');
    expect(report.fiveXx, summary).to.equal(0);
    expect(report.shapeViolations, summary).to.equal(0);
    expect(report.transportErrors, summary).to.equal(0);
    expect(report.requests).to.equal(COUNT);
  });

  it('covered every route and every mutation', () => {
    expect(Object.keys(report.byRoute).sort()).to.deep.equal(allRoutes().map((r) => r.operationId).sort());
    expect(Object.keys(report.byMutation).sort()).to.deep.equal(Object.keys(MUTATIONS).sort());
    // The baselines are valid: a good share of the run reaches the handlers and succeeds.
    const ok = Object.entries(report.byStatus).filter(([s]) => s.startsWith('2')).reduce((n, [, c]) => n + c, 0);
    expect(ok).to.be.above(COUNT * 0.03);
  });

  it('is still up and ready afterwards', async () => {
    expect((await fetch(`${target.baseUrl}/healthz`)).status).to.equal(200);
    expect((await fetch(`${target.baseUrl}/readyz`)).status).to.equal(200);
  });
});
