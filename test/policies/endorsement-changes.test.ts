// Issue #26: an endorsement of a co-insured policy — each member's part of the difference to the
// fen, the adjustment line in the members' month (their pool statements), and book:verify
// recomputing the subsidy years and pool months with the change from what is stored (clean), after
// book:migrate's builders ran again (idempotent).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { createServices } from '../../src/service.ts';
import { parseDay } from '../../src/rating/period.ts';
import { addDays } from '../../src/rating/calendar.ts';
import { loadConfig } from '../../src/config.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { keyOf } from '../support/keyed-log-docs.ts';

const run = promisify(execFile);
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
const halfUp = (a: number, b: number, c: number) => Number((BigInt(a) * BigInt(b) * 2n + BigInt(c)) / (2n * BigInt(c)));

async function verify(env: Record<string, string>) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/book-verify.ts'], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 120_000 });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout + e.stderr };
  }
}

describe('An endorsement of a co-insured policy, and what follows it', function () {
  this.timeout(300_000);
  const t = useTestApp();
  const broker = () => bearer(t.keys.broker);
  const start = today();
  let policy: { id: string; policyNumber: string; startDate: string; endDate: string; grossPremiumFen: number };
  let endorsement: { number: string; members: { insurer: string; role: string; grossPremiumFen: number; netPremiumFen: number; vatFen: number }[]; difference: { grossPremiumFen: number; netPremiumFen: number } };
  const newInputs = { ...structuredClone(vector.inputs) as Record<string, unknown>, contractAmount: 1200, aggregateLimit: 1200 };

  before(async () => {
    await publishShippedProducts();
    const quote = await t.http.post('/v1/quotes').set(broker()).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: start });
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(broker());
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    policy = bound.body;
  });

  it('splits the difference among the members to the fen: each rounds down, the lead takes the remainder', async () => {
    // The premium for the period after, priced independently on the same dates.
    const priced = await t.http.post('/v1/pricing/preview').set(broker()).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: newInputs, startDate: policy.startDate, endDate: policy.endDate });
    expect(priced.status, JSON.stringify(priced.body)).to.equal(200);
    const effectiveDate = addDays(policy.startDate, 100);
    const res = await t.http.post(`/v1/policies/${policy.id}/endorsements`).set(broker()).send({ effectiveDate, inputs: { contractAmount: 1200, aggregateLimit: 1200 }, reason: '增加合同金额及累计赔偿限额' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    endorsement = res.body;
    const days = parseDay(policy.endDate) - parseDay(policy.startDate) + 1;
    const left = parseDay(policy.endDate) - parseDay(effectiveDate) + 1;
    const diff = priced.body.grossPremiumFen - policy.grossPremiumFen;
    expect(diff).to.not.equal(0);
    // A decrease is worked on its size and given back negative (as a charge rounds).
    const signed = (fen: number) => (fen === 0 ? 0 : Math.sign(diff) * fen);
    const size = halfUp(Math.abs(diff), left, days);
    const net = halfUp(size, 100, 106);
    expect(res.body.difference).to.deep.equal({ kind: diff > 0 ? 'charge' : 'refund', grossPremiumFen: signed(size), netPremiumFen: signed(net), vatFen: signed(size - net) });
    const follower = (fen: number) => Math.floor(fen * 30 / 100);
    const lead = (fen: number) => fen - 2 * follower(fen);
    expect(res.body.members).to.deep.equal([
      { insurer: 'KCIC', role: 'lead', sharePercent: '40', grossPremiumFen: signed(lead(size)), netPremiumFen: signed(lead(net)), vatFen: signed(lead(size) - lead(net)) },
      { insurer: 'HTIC', role: 'follower', sharePercent: '30', grossPremiumFen: signed(follower(size)), netPremiumFen: signed(follower(net)), vatFen: signed(follower(size) - follower(net)) },
      { insurer: 'ZXIC', role: 'follower', sharePercent: '30', grossPremiumFen: signed(follower(size)), netPremiumFen: signed(follower(net)), vatFen: signed(follower(size) - follower(net)) },
    ]);
  });

  it('refuses a change whose rating refers (409 referral_required naming the rule): a referral is decided first', async () => {
    const res = await t.http.post(`/v1/policies/${policy.id}/endorsements`).set(broker()).send({ effectiveDate: addDays(policy.startDate, 110), inputs: { aggregateLimit: 800 }, reason: '降低累计赔偿限额' });
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('referral_required');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['rules.limit-below-value']);
  });

  it('refuses a pool follower (403) and the enterprise (403)', async () => {
    const body = { effectiveDate: addDays(policy.startDate, 120), inputs: { aggregateLimit: 900 }, reason: 'x' };
    for (const key of [t.keys.otherInsurerAdmin, t.keys.enterprise]) {
      expect((await t.http.post(`/v1/policies/${policy.id}/endorsements/preview`).set(bearer(key)).send(body)).status).to.equal(403);
    }
  });

  it('puts the adjustment line in each member\'s month: its statement shows its own part', async () => {
    const statement = await t.http.get('/v1/pools/statement').set(bearer(t.keys.otherInsurerAdmin)).query({ from: addDays(today(), -1), to: addDays(today(), 1) });
    expect(statement.status, JSON.stringify(statement.body)).to.equal(200);
    const rows = statement.body.rows as { policyNumber: string; grossPremiumFen: number; share: { grossPremiumFen: number } }[];
    expect(rows.map((r) => r.policyNumber)).to.include.members([policy.policyNumber, endorsement.number]);
    const line = rows.find((r) => r.policyNumber === endorsement.number)!;
    expect(line.grossPremiumFen).to.equal(endorsement.difference.grossPremiumFen);
    expect(line.share.grossPremiumFen).to.equal(endorsement.members.find((m) => m.insurer === 'HTIC')!.grossPremiumFen);
  });

  it('book:verify recomputes the years and months with the change, clean, also after book:migrate\'s builders ran again', async () => {
    const c = mongoose.connection;
    const env = { MONGODB_URI: `mongodb://${c.host}:${c.port}/${c.name}`, DATA_DIR: t.dataDir };
    const sound = await verify(env);
    expect(sound.code, sound.stdout).to.equal(0);
    const services = createServices(loadConfig({ ...process.env, ...env }), pino({ level: 'silent' }));
    const counts = await services.scope.run(async () => [await services.subsidies.migrateYears(), await services.statements.migratePoolMonths()]);
    expect(counts[1]).to.deep.include({ changes: 1 });
    await services.close();
    const again = await verify(env);
    expect(again.code, again.stdout).to.equal(0);
    // A change's adjustment line lost from a member's month is named.
    const months = c.collection<{ _id: string }>('poolMonthLogs');
    const lost = (await months.findOne({ r: { $regex: `\\|change:${endorsement.number}$` } }))!;
    await months.deleteOne({ _id: lost._id });
    const broken = await verify(env);
    expect(broken.code).to.equal(1);
    expect(broken.stdout).to.include(`pool month ${keyOf(lost)}: missing change:${endorsement.number}`);
  });
});
