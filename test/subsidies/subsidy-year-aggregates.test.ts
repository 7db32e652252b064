// Issue #25: the subsidy year read from its keyed log (src/subsidies/subsidy-year-log.ts) answers
// exactly what the year recomputed from the stored policies and application steps answers (the
// code before #25: every visible policy starting in the year, each application read by _id), for
// every reader, in JSON and CSV; a data folder written before the logs is migrated to the same
// answer, idempotently; book:verify's check finds nothing on a sound book.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { pino } from 'pino';
import type { Caller, Role } from '../../src/auth/caller.ts';
import { createOrganisation } from '../../src/auth/auth-service.ts';
import { isVisibleTo } from '../../src/auth/visibility.ts';
import { allPolicyRecords, toPolicyView } from '../../src/policies/policy-service.ts';
import type { SubsidyProgramme } from '../../src/rating/index.ts';
import { applicationLayers, applicationsOf, programmesByCode } from '../../src/subsidies/subsidy-application-service.ts';
import { annualCapOf } from '../../src/subsidies/subsidy-calculation.ts';
import { subsidiesRecorded } from '../../src/subsidies/subsidy-ledger.ts';
import type { SubsidyYear, SubsidyYearRow } from '../../src/subsidies/subsidy-schemas.ts';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { writeSubsidyYear } from '../../src/subsidies/subsidy-year-service.ts';
import { createServices } from '../../src/service.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { payInFull } from '../support/premium.ts';
import { addDays } from '../../src/rating/calendar.ts';
import { today } from '../support/china-date.ts';
import { bearer, inTestService, useTestApp } from '../support/test-app.ts';
import { entriesOf } from '../support/keyed-log-docs.ts';

/** A year's CSV export as its text (what writeSubsidyYear streams). */
async function subsidyYearCsv(year: SubsidyYear): Promise<string> {
  const out = new PassThrough();
  const [bytes] = await Promise.all([buffer(out), writeSubsidyYear(year, 'csv', out)]);
  return bytes.toString('utf8'); // with its BOM, as the response's text keeps it
}

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

/** The year as the code before #25 computed it, from the stored policies and the steps read by _id. */
async function recomputedYear(caller: Caller, year: string, enterpriseId?: string): Promise<SubsidyYear> {
  const policies = [];
  for await (const record of allPolicyRecords()) {
    if (!isVisibleTo(caller, record) || (enterpriseId && record.enterpriseOrganisationId !== enterpriseId) || !record.startDate.startsWith(`${year}-`)) continue;
    const view = toPolicyView(record);
    if ((await applicationLayers(view)).length > 0) policies.push(view);
  }
  const rows = new Map<string, SubsidyYearRow>();
  const applications: SubsidyYear['applications'] = [];
  const programmesByLine = new Map<string, Map<string, SubsidyProgramme>>();
  for (const policy of policies.sort((a, b) => a.startDate.localeCompare(b.startDate) || a.policyNumber.localeCompare(b.policyNumber))) {
    if (!programmesByLine.has(policy.line)) programmesByLine.set(policy.line, await programmesByCode(policy.line));
    const programmes = programmesByLine.get(policy.line)!;
    const counted = await subsidiesRecorded(policy.enterpriseId, year);
    for (const { decidedBy: _decidedBy, ...application } of (await applicationsOf(policy, programmes)).items) {
      // Who decided (#27) is shown on the policy's applications and to the departments, not in the
      // year: its log's step entries (immutable, some from before #27) do not carry it.
      applications.push({ policyId: policy.id, policyNumber: policy.policyNumber, enterpriseName: policy.enterpriseName, application });
      const key = `${policy.enterpriseId}:${application.programme}`;
      let row = rows.get(key);
      if (!row) {
        const layer = (await applicationLayers(policy)).find((l) => l.programme === application.programme)!;
        const cap = annualCapOf(programmes.get(application.programme), layer.variant, policy.line);
        const countedFen = counted.find((c) => c.programme === application.programme)?.amountFen ?? 0;
        row = {
          enterpriseId: policy.enterpriseId, enterpriseName: policy.enterpriseName, programme: application.programme, name: application.name,
          applications: 0, expectedFen: 0, appliedFen: 0, pendingFen: 0, grantedFen: 0, refusedFen: 0, countedFen,
          ...(cap !== undefined ? { annualCapFen: cap, capRemainingFen: Math.max(0, cap - countedFen) } : {}),
        };
        rows.set(key, row);
      }
      row.applications += 1;
      row.expectedFen += application.expectedFen;
      if (application.status !== 'prepared') row.appliedFen += application.expectedFen;
      if (application.status === 'submitted') row.pendingFen += application.expectedFen;
      if (application.status === 'granted') row.grantedFen += application.grantedFen ?? 0;
      if (application.status === 'refused') row.refusedFen += application.expectedFen;
    }
  }
  return { year, rows: [...rows.values()], applications };
}

interface Bound { id: string; subsidies: { programme: string; amountFen: number }[] }

describe('The subsidy year from its keyed log (#25)', function () {
  this.timeout(300_000);
  const t = useTestApp();
  const thisYear = today().slice(0, 4);
  const nextYear = String(Number(thisYear) + 1);
  const callers: { name: string; caller: Caller; enterpriseId?: string }[] = [];
  const caller = (role: Role, organisationId: string): Caller => ({ keyId: 'k', userName: 'u', role, organisationId, organisationKind: role === 'broker' ? 'broker' : role === 'platform-admin' ? 'platform' : 'enterprise', organisationCode: 'X' });

  async function bind(enterprise: 'HZZZ' | 'JNXC', startDate: string, facts: Record<string, unknown> = {}): Promise<Bound> {
    const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations[enterprise], inputs: structuredClone(baseVector!.inputs), startDate, enterprise: facts });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    await payInFull(t.http, t.keys.insurerAdmin, bound.body.id as string); // applications are submitted on premium received in full (#26)
    return bound.body as Bound;
  }
  // The broker records submissions; the department of each programme decides (#27).
  const departments: Record<string, keyof typeof t.keys> = { 'CN-FIRST-SET': 'authority', 'ZJ-FIRST-SET': 'provincialAuthority', 'SD-FIRST-SET': 'otherProvincialAuthority' };
  const step = async (policy: Bound, programme: string, body: Record<string, unknown>) => {
    const { status, ...rest } = body;
    const res = status === 'submitted'
      ? await t.http.post(`/v1/policies/${policy.id}/subsidy-applications/${programme}/status`).set(bearer(t.keys.broker)).send(body)
      : await t.http.post(`/v1/subsidy-applications/${policy.id}-${programme}/decision`).set(bearer(t.keys[departments[programme]!])).send({ outcome: status, ...rest });
    expect(res.status, JSON.stringify(res.body)).to.equal(status === 'submitted' ? 200 : 201);
  };
  const amount = (policy: Bound, programme: string) => policy.subsidies.find((s) => s.programme === programme)!.amountFen;

  before(async () => {
    await publishShippedProducts();
    // A broker's book over two clients and two years: applications prepared, pending, granted smaller, refused.
    const zj = { qualifications: ['first-domestic'] };
    const hz1 = await bind('HZZZ', today(), zj);
    const hz2 = await bind('HZZZ', addDays(today(), 3), zj);
    const hzNext = await bind('HZZZ', `${nextYear}-01-15`, zj);
    const jn1 = await bind('JNXC', today());
    const jn2 = await bind('JNXC', addDays(today(), 1));
    const jnNext = await bind('JNXC', `${nextYear}-02-01`);
    await step(hz1, 'CN-FIRST-SET', { status: 'submitted', reference: 'CN-1' });
    await step(hz1, 'CN-FIRST-SET', { status: 'granted', grantedFen: amount(hz1, 'CN-FIRST-SET') - 10_000 });
    await step(hz1, 'ZJ-FIRST-SET', { status: 'submitted' });
    await step(hz1, 'ZJ-FIRST-SET', { status: 'refused', reason: '材料不全' });
    await step(hz2, 'CN-FIRST-SET', { status: 'submitted' });
    await step(hzNext, 'CN-FIRST-SET', { status: 'submitted' });
    await step(jn1, 'SD-FIRST-SET', { status: 'submitted' });
    await step(jn1, 'SD-FIRST-SET', { status: 'granted', grantedFen: amount(jn1, 'SD-FIRST-SET') - 55_500 });
    await step(jn2, 'CN-FIRST-SET', { status: 'submitted' });
    await step(jn2, 'CN-FIRST-SET', { status: 'refused', reason: '超出年度额度' });
    await step(jnNext, 'SD-FIRST-SET', { status: 'submitted' });
    const stranger = await createOrganisation({ code: 'OTHERB', kind: 'broker', name: '无关经纪（测试）' });
    const o = t.organisations;
    callers.push(
      { name: 'broker', caller: caller('broker', o.MXB!) }, { name: 'broker, one client', caller: caller('broker', o.MXB!), enterpriseId: o.JNXC! },
      { name: 'enterprise', caller: caller('enterprise', o.HZZZ!) }, { name: 'other enterprise', caller: caller('enterprise', o.JNXC!) },
      { name: 'enterprise naming another', caller: caller('enterprise', o.HZZZ!), enterpriseId: o.JNXC! },
      { name: 'platform admin', caller: caller('platform-admin', o.PLATFORM!) }, { name: 'stranger broker', caller: caller('broker', stranger.id) },
      { name: 'stranger broker naming a client', caller: caller('broker', stranger.id), enterpriseId: o.HZZZ! },
    );
  });

  it('answers every reader exactly what the recomputation from the stored book answers, this year and next', async () => {
    for (const year of [thisYear, nextYear]) {
      for (const { name, caller: c, enterpriseId } of callers) {
        const kept = await t.services.subsidies.subsidyYear(c, year, enterpriseId);
        const recomputed = await inTestService(() => recomputedYear(c, year, enterpriseId));
        expect(kept, `${name} ${year}`).to.deep.equal(recomputed);
        expect(await subsidyYearCsv(kept)).to.equal(await subsidyYearCsv(recomputed));
      }
    }
    const broker = await t.services.subsidies.subsidyYear(callers[0]!.caller, thisYear);
    expect(broker.applications.map((a) => a.application.status).sort()).to.deep.equal(['granted', 'granted', 'prepared', 'prepared', 'prepared', 'refused', 'refused', 'submitted']);
    expect(broker.rows.every((r) => r.applications > 0)).to.equal(true);
    expect((await t.services.subsidies.subsidyYear(callers[6]!.caller, thisYear)).rows).to.deep.equal([]);
    expect((await t.services.subsidies.subsidyYear(callers[4]!.caller, thisYear, callers[4]!.enterpriseId)).rows).to.deep.equal([]);
  });

  it('answers the API and its CSV export from the log', async () => {
    const res = await t.http.get(`/v1/subsidies/years/${thisYear}`).set(bearer(t.keys.broker));
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal(await inTestService(() => recomputedYear(callers[0]!.caller, thisYear)));
    const csv = await t.http.get(`/v1/subsidies/years/${thisYear}/export?format=csv`).set(bearer(t.keys.otherEnterprise));
    expect(csv.text).to.equal(await subsidyYearCsv(await inTestService(() => recomputedYear(callers[3]!.caller, thisYear))));
  });

  it('book:verify\'s check finds the kept years equal to the recomputation', async () => {
    expect(await t.services.subsidies.verifyYears()).to.deep.equal([]);
  });

  it('migrates a book stored before the years were kept to the same answer, and again changes nothing', async () => {
    const logs = mongoose.connection.collection('subsidyYearLogs');
    const before = await logs.countDocuments(entriesOf());
    await logs.deleteMany({});
    // A fresh service (its caches empty), as `book:migrate` composes one over the old data folder.
    const fresh = createServices(t.config, pino({ level: 'silent' }));
    try {
      expect((await fresh.subsidies.subsidyYear(callers[0]!.caller, thisYear)).rows).to.deep.equal([]);
      const counts = await fresh.subsidies.migrateYears();
      expect(counts).to.deep.equal({ policies: 6, steps: 11 });
      expect(await logs.countDocuments(entriesOf())).to.equal(before);
      await fresh.subsidies.migrateYears();
      expect(await logs.countDocuments(entriesOf())).to.equal(before);
      for (const year of [thisYear, nextYear]) {
        for (const { name, caller: c, enterpriseId } of callers) {
          expect(await fresh.subsidies.subsidyYear(c, year, enterpriseId), `${name} ${year}`).to.deep.equal(await fresh.scope.run(() => recomputedYear(c, year, enterpriseId)));
        }
      }
      expect(await fresh.subsidies.verifyYears()).to.deep.equal([]);
    } finally {
      await fresh.close();
    }
  });
});
