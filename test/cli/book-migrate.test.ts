// Issue #25: a data folder written before the keyed-log lists and aggregates existed keeps
// working. `npm run book:migrate` (and the service at its first start on such a folder) builds the
// quote, policy, client and audit lists, the subsidy years and the pool months from the stored
// records; a second run is a no-op, and --force runs again without doubling anything.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bookMigrations } from '../../src/service.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { payInFull } from '../support/premium.ts';
import { entriesOf } from '../support/keyed-log-docs.ts';

const run = promisify(execFile);
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
/** Everything #25 keeps beside the records: what an older version never wrote. */
const KEPT = ['quoteLists', 'quoteSummaries', 'policyLists', 'policySummaries', 'clientLists', 'auditTrails', 'subsidyYearLogs', 'poolMonthLogs', 'organisationCreditCodes', 'techInsuranceReportLogs', 'policyExpiring', 'subsidyApplicationLists', 'departmentSummaryLogs', 'departmentSummaryMonths', 'migrations'];

async function migrate(env: Record<string, string>, ...args: string[]) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/book-migrate.ts', ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 120_000 });
  return stdout;
}

describe('book:migrate (#25)', function () {
  this.timeout(300_000);
  const t = useTestApp();
  let env: Record<string, string>;
  const seen: Record<string, unknown> = {};
  const views = async () => ({
    quotes: (await t.http.get('/v1/quotes').set(bearer(t.keys.broker))).body,
    enterpriseQuotes: (await t.http.get('/v1/quotes').set(bearer(t.keys.enterprise))).body,
    policies: (await t.http.get('/v1/policies').set(bearer(t.keys.broker))).body,
    due: (await t.http.get('/v1/policies?expiringWithin=366').set(bearer(t.keys.broker))).body, // #26
    clients: (await t.http.get('/v1/clients').set(bearer(t.keys.broker))).body.total,
    year: (await t.http.get(`/v1/subsidies/years/${today().slice(0, 4)}`).set(bearer(t.keys.broker))).body,
    // #27: the insurers' report reads the logs book:migrate builds (the lead's, with its own share of the pool policies).
    report: (await t.http.get('/v1/reports/tech-insurance').set(bearer(t.keys.insurerAdmin))).body,
    // #27: the central department's queue of submitted applications.
    departments: (await t.http.get('/v1/subsidy-applications').set(bearer(t.keys.authority))).body,
    // #27: the central department's summary, folded from the facts book:migrate builds.
    summary: (await t.http.get('/v1/subsidies/summary').set(bearer(t.keys.authority))).body,
  });

  before(async () => {
    await publishShippedProducts();
    for (const enterprise of ['HZZZ', 'JNXC']) {
      const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations[enterprise], inputs: vector.inputs, startDate: today() });
      const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker));
      expect(bound.status).to.equal(201);
      await payInFull(t.http, t.keys.insurerAdmin, bound.body.id as string); // submitted on premium received in full (#26)
      expect((await t.http.post(`/v1/policies/${bound.body.id}/subsidy-applications/CN-FIRST-SET/status`).set(bearer(t.keys.broker)).send({ status: 'submitted' })).status).to.equal(200);
    }
    await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today() });
    Object.assign(seen, await views());
    const c = mongoose.connection;
    env = { MONGODB_URI: `mongodb://${c.host}:${c.port}/${c.name}`, DATA_DIR: t.dataDir };
  });

  it('builds every list and aggregate of a book stored without them, once; --force adds nothing', async () => {
    expect((seen.quotes as { total: number }).total).to.equal(3);
    expect((seen.report as { totals: { policies: number } }).totals.policies).to.equal(2);
    expect((seen.departments as { items: unknown[] }).items).to.have.length(2);
    expect((seen.summary as { totals: { applications: number } }).totals.applications).to.equal(2);
    for (const name of KEPT) await mongoose.connection.collection(name).deleteMany({});
    // A fresh process reads what the database holds (this test's service keeps what it has seen).
    const first = await migrate(env);
    expect(first).to.match(/keyed-logs-1:quotes: done \(quotes 3/);
    expect(first).to.match(/keyed-logs-1:policies: done/);
    expect(first).to.match(/keyed-logs-2:tech-insurance-reports: done \(policies 2/);
    expect(first).to.match(/expiring-lists-1:policies: done/);
    expect(first).to.match(/department-summaries-1: done \(facts 2\)/);
    expect(await views()).to.deep.equal(seen);
    const again = await migrate(env);
    expect(again.trim().split('\n')).to.have.length(bookMigrations(t.services).length).and.satisfy((lines: string[]) => lines.every((l) => l.endsWith('already done (use --force to run it again)')));
    // The enterprises' credit codes are claimed again: a firm finds an existing enterprise by its code.
    const byCode = await t.http.post('/v1/clients').set(bearer(t.keys.broker)).send({ unifiedSocialCreditCode: '91370102MA3C8N5R2L' });
    expect(byCode.body.enterprise?.id, JSON.stringify(byCode.body)).to.equal(t.organisations.JNXC);
    await migrate(env, '--force');
    expect(await views()).to.deep.equal(seen);
    expect(await mongoose.connection.collection('quoteLists').countDocuments(entriesOf(`broker:${t.organisations.MXB}`))).to.equal(3);
  });
});
