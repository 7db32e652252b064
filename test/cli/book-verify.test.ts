// Issue #25: `npm run book:verify` recomputes every subsidy year and pool month from the stored
// book and compares them with the kept aggregates: silent and 0 on a sound book, each difference
// printed and exit 1 when an entry was changed or lost (#27: insurers' report logs and the
// departments' summary facts too).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { payInFull } from '../support/premium.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { entriesOf, keyOf } from '../support/keyed-log-docs.ts';

const run = promisify(execFile);
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;

async function verify(env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/book-verify.ts'], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('book:verify (#25)', function () {
  this.timeout(300_000);
  const t = useTestApp();
  let env: Record<string, string>;
  let policyId: string;

  before(async () => {
    await publishShippedProducts();
    for (const enterprise of ['HZZZ', 'JNXC']) {
      const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations[enterprise], inputs: vector.inputs, startDate: today() });
      const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker));
      expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
      policyId = bound.body.id;
    }
    await payInFull(t.http, t.keys.insurerAdmin, policyId); // submitted on premium received in full (#26)
    expect((await t.http.post(`/v1/policies/${policyId}/subsidy-applications/CN-FIRST-SET/status`).set(bearer(t.keys.broker)).send({ status: 'submitted' })).status).to.equal(200);
    const c = mongoose.connection;
    env = { MONGODB_URI: `mongodb://${c.host}:${c.port}/${c.name}`, DATA_DIR: t.dataDir };
  });

  it('exits 0 on a sound book, and 1 naming each entry changed or lost', async () => {
    const sound = await verify(env);
    expect(sound.code, sound.stdout + sound.stderr).to.equal(0);
    expect(sound.stdout).to.include('agree with the stored book');
    const years = mongoose.connection.collection<{ _id: string; v: string }>('subsidyYearLogs');
    const entry = (await years.findOne({ ...entriesOf(`year:broker:${t.organisations.MXB}:${today().slice(0, 4)}`), r: { $regex: ':submitted$' } }))!;
    const changed = { ...JSON.parse(entry.v), on: '2001-01-01' };
    await years.updateOne({ _id: entry._id }, { $set: { v: JSON.stringify(changed) } });
    const months = mongoose.connection.collection<{ _id: string }>('poolMonthLogs');
    const lost = (await months.findOne({ r: { $regex: `\\|${policyId}$` } }))!;
    await months.deleteOne({ _id: lost._id });
    // #27: an insurer's report entry changed.
    const reports = mongoose.connection.collection<{ _id: string; r: string; v: string }>('techInsuranceReportLogs');
    const reported = (await reports.findOne({ ...entriesOf({ pattern: `report\\|${t.organisations.KCIC}\\|[^#]*` }), r: { $regex: `\\|${policyId}$` } }))!;
    await reports.updateOne({ _id: reported._id }, { $set: { v: JSON.stringify({ ...JSON.parse(reported.v), sumInsuredFen: 1 }) } });
    // #27: a department summary's fact changed (the submission's amount applied for).
    const summaries = mongoose.connection.collection<{ _id: string; r: string; v: string }>('departmentSummaryLogs');
    const fact = (await summaries.findOne(entriesOf(`summary|applications|all|${today().slice(0, 7)}`)))!;
    await summaries.updateOne({ _id: fact._id }, { $set: { v: JSON.stringify({ ...JSON.parse(fact.v), appliedFen: 1 }) } });
    const broken = await verify(env);
    expect(broken.code, broken.stdout + broken.stderr).to.equal(1);
    const lines = broken.stdout.trim().split('\n');
    expect(lines.some((l) => l.startsWith(`subsidy year ${keyOf(entry)}: ${policyId}:CN-FIRST-SET:submitted differs`))).to.equal(true);
    expect(lines.some((l) => l.startsWith(`pool month ${keyOf(lost)}: missing ${policyId}`))).to.equal(true);
    expect(lines.some((l) => l.startsWith(`insurers' report ${keyOf(reported)}: ${policyId} differs`))).to.equal(true);
    expect(lines.some((l) => l.startsWith(`department summary ${keyOf(fact)}: ${policyId}-CN-FIRST-SET|submitted differs`)), lines.join('\n')).to.equal(true);
    expect(lines.at(-1)).to.match(/^book:verify: \d+ difference\(s\)\.$/);
  });
});
