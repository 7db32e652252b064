// Issue #25: a pool statement read from the members' months (src/statements/pool-month-log.ts)
// answers exactly what the statement recomputed from the stored policies answers (the code before
// #25: every co-insured policy the member carries a share of, issued in the period), for every
// member and period — across months, on a China month boundary, empty — in JSON, CSV and XLSX;
// a data folder written before the months were kept is migrated to the same answer, idempotently.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { findEnterprisesByIds } from '../../src/auth/auth-service.ts';
import type { Caller, Role } from '../../src/auth/caller.ts';
import { insurerDirectory } from '../../src/auth/insurer-directory.ts';
import { findPinnedVersion } from '../../src/catalogue/rating-lookups.ts';
import { allPolicyRecords, toPolicyView } from '../../src/policies/policy-service.ts';
import type { PolicyView } from '../../src/policies/policy-schemas.ts';
import { addDays, chinaDate, type ProductDefinition } from '../../src/rating/index.ts';
import { createServices } from '../../src/service.ts';
import { buildPoolStatement, type PoolStatement } from '../../src/statements/pool-statement.ts';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { statementCsv, statementXlsx, writeStatementCsv, writeStatementXlsx } from '../../src/statements/statement-files.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, inTestService, useTestApp } from '../support/test-app.ts';
import { entriesOf } from '../support/keyed-log-docs.ts';

/** A slow reader: takes a chunk every tick and notes the most it ever held unread. */
function slowSink(): Writable & { bytes(): Buffer; most: number } {
  const chunks: Buffer[] = [];
  const sink = new Writable({ highWaterMark: 16 * 1024, write(chunk: Buffer, _enc, done) { chunks.push(chunk); setImmediate(done); } }) as Writable & { bytes(): Buffer; most: number };
  sink.most = 0;
  const write = sink.write.bind(sink);
  sink.write = ((chunk: never, ...rest: never[]) => {
    const ok = write(chunk, ...rest);
    sink.most = Math.max(sink.most, sink.writableLength);
    return ok;
  }) as typeof sink.write;
  sink.bytes = () => Buffer.concat(chunks);
  return sink;
}

/** Every cell of every row of a workbook's first sheet (an empty cell, or one holding "", as null: the streaming writer leaves "" out). */
async function cellsOf(bytes: Buffer): Promise<unknown[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as never);
  const rows: unknown[][] = [];
  book.worksheets[0]!.eachRow((row) => {
    const values = row.values as unknown[];
    const cells = Array.from({ length: values.length - 1 }, (_, i) => (values[i + 1] === '' || values[i + 1] === undefined ? null : values[i + 1]));
    while (cells.length > 0 && cells.at(-1) === null) cells.pop();
    rows.push(cells);
  });
  return rows;
}

const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;

/** The statement as the code before #25 built it: the stored policies scanned for the member's pools and the period. */
async function recomputedStatement(caller: Caller, period: { from: string; to: string }): Promise<PoolStatement> {
  const from = new Date(`${period.from}T00:00:00+08:00`);
  const to = new Date(`${addDays(period.to, 1)}T00:00:00+08:00`);
  const policies: PolicyView[] = [];
  for await (const record of allPolicyRecords()) {
    if ((record.poolMemberIds ?? []).includes(caller.organisationId) && record.issuedAt >= from && record.issuedAt < to) policies.push(toPolicyView(record));
  }
  policies.sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.id.localeCompare(b.id));
  const directory = await insurerDirectory();
  const names = new Map([...directory.values()].map((i) => [i.code, { insurer: i.code, name: i.name, ...(i.nameEn ? { nameEn: i.nameEn } : {}) }]));
  const insurer = names.get(caller.organisationCode) ?? { insurer: caller.organisationCode, name: caller.organisationCode };
  const products = new Map<string, { zh: string; en: string }>();
  for (const p of policies) products.set(`${p.productCode}@${p.productVersion}`, ((await findPinnedVersion(p.productCode, p.productVersion))!.definition as ProductDefinition).name);
  const enterprises = await findEnterprisesByIds([...new Set(policies.map((p) => p.enterpriseId))]);
  const namesEn = new Map(enterprises.flatMap((e) => (e.nameEn ? [[e.id, e.nameEn] as const] : [])));
  return buildPoolStatement(insurer, period, policies, names, (p) => products.get(`${p.productCode}@${p.productVersion}`)!, (p) => chinaDate(new Date(p.issuedAt)), namesEn);
}

describe('Pool statements from the members\' months (#25)', function () {
  this.timeout(300_000);
  const t = useTestApp();
  const members: { name: string; caller: Caller }[] = [];
  // Issue times (UTC): the last is 2027-01-01 China time although 2026-12-31 in UTC.
  const issues = ['2026-11-10T02:00:00Z', '2026-11-30T15:59:00Z', '2026-11-30T16:01:00Z', '2026-12-15T03:00:00Z', '2026-12-15T03:00:00Z', '2027-01-20T08:00:00Z', '2026-12-31T17:30:00Z'];
  const periods = [
    { from: '2026-11-01', to: '2026-11-30' }, { from: '2026-12-01', to: '2026-12-31' }, { from: '2027-01-01', to: '2027-01-31' },
    { from: '2026-11-15', to: '2027-01-10' }, { from: '2026-11-01', to: '2027-10-31' }, { from: '2026-12-01', to: '2026-12-01' }, { from: '2027-03-01', to: '2027-03-31' },
  ];

  before(async () => {
    await publishShippedProducts();
    const directory = await inTestService(() => insurerDirectory());
    const member = (role: Role, code: string): Caller => {
      const insurer = [...directory.values()].find((i) => i.code === code)!;
      return { keyId: 'k', userName: 'u', role, organisationId: insurer.id, organisationKind: 'insurer', organisationCode: code };
    };
    members.push({ name: 'lead', caller: member('insurer-admin', 'KCIC') }, { name: 'follower', caller: member('underwriter', 'HTIC') }, { name: 'second follower', caller: member('insurer-admin', 'ZXIC') });
    const broker: Caller = { keyId: 'k', userName: 'u', role: 'broker', organisationId: t.organisations.MXB!, organisationKind: 'broker', organisationCode: 'MXB' };
    for (const [i, at] of issues.entries()) {
      const now = new Date(at);
      const enterpriseId = t.organisations[i % 2 ? 'JNXC' : 'HZZZ']!;
      const { quote } = await t.services.quotes.createQuote(broker, { productCode: PRODUCT, enterpriseId, inputs: structuredClone(vector.inputs) } as never, undefined, now);
      await t.services.policies.bindQuote(broker, quote.id, { now });
    }
  });

  const compareAll = async (statement: (caller: Caller, period: { from: string; to: string }) => Promise<PoolStatement>, run: <T>(work: () => T) => T) => {
    for (const { name, caller } of members) {
      for (const period of periods) {
        const kept = await statement(caller, period);
        const recomputed = await run(() => recomputedStatement(caller, period));
        expect(kept, `${name} ${period.from}..${period.to}`).to.deep.equal(recomputed);
      }
    }
  };

  it('gives every member, for every period, exactly the statement recomputed from the stored policies', async () => {
    await compareAll((caller, period) => t.services.statements.poolStatement(caller, period), inTestService);
    const lead = members[0]!.caller;
    expect((await t.services.statements.poolStatement(lead, periods[4]!)).rows).to.have.length(issues.length);
    expect((await t.services.statements.poolStatement(lead, periods[1]!)).rows.map((r) => r.issuedOn)).to.deep.equal(['2026-12-01', '2026-12-15', '2026-12-15']);
    expect((await t.services.statements.poolStatement(lead, periods[2]!)).rows.map((r) => r.issuedOn)).to.deep.equal(['2027-01-01', '2027-01-20']);
    expect((await t.services.statements.poolStatement(lead, periods[6]!)).rows).to.deep.equal([]);
  });

  it('writes the same CSV in both languages', async () => {
    for (const { caller } of members) {
      const kept = await t.services.statements.poolStatement(caller, periods[3]!);
      const recomputed = await inTestService(() => recomputedStatement(caller, periods[3]!));
      for (const lang of ['zh-CN', 'en'] as const) expect(statementCsv(kept, lang).equals(statementCsv(recomputed, lang))).to.equal(true);
    }
  });

  it('streams the API\'s CSV and XLSX with the same bytes and cells as the files built whole', async () => {
    const period = periods[3]!;
    const recomputed = await inTestService(() => recomputedStatement(members[1]!.caller, period));
    const csv = await t.http.get(`/v1/pools/statement?from=${period.from}&to=${period.to}&format=csv&lang=en`).set(bearer(t.keys.otherInsurerAdmin)).buffer(true).parse(binary as never);
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-disposition']).to.match(/attachment; filename="pool-statement-HTIC-/);
    expect((csv.body as Buffer).equals(statementCsv(recomputed, 'en'))).to.equal(true);
    const xlsx = await t.http.get(`/v1/pools/statement?from=${period.from}&to=${period.to}&format=xlsx`).set(bearer(t.keys.otherInsurerAdmin)).buffer(true).parse(binary as never);
    expect(xlsx.status).to.equal(200);
    expect(await cellsOf(xlsx.body as Buffer)).to.deep.equal(await cellsOf(await statementXlsx(recomputed, 'zh-CN')));
  });

  it('writes a statement of 2,000 policies to a slow reader without holding the file', async () => {
    const one = await inTestService(() => recomputedStatement(members[0]!.caller, periods[4]!));
    const rows = Array.from({ length: 2000 }, (_, i) => ({ ...one.rows[i % one.rows.length]!, policyNumber: `P${String(i).padStart(12, '0')}` }));
    const big = { ...one, rows };
    const csv = slowSink();
    await writeStatementCsv(big, 'zh-CN', csv);
    const whole = statementCsv(big, 'zh-CN');
    expect(csv.bytes().equals(whole)).to.equal(true);
    expect(whole.length).to.be.greaterThan(400_000);
    expect(csv.most, 'most bytes held unread').to.be.lessThan(64 * 1024);
    const xlsx = slowSink();
    await writeStatementXlsx(big, 'zh-CN', xlsx);
    expect(await cellsOf(xlsx.bytes())).to.deep.equal(await cellsOf(await statementXlsx(big, 'zh-CN')));
    expect(xlsx.most, 'most bytes held unread').to.be.lessThan(256 * 1024);
  });

  it('book:verify\'s check finds the kept months equal to the recomputation', async () => {
    expect(await t.services.statements.verifyPoolMonths()).to.deep.equal([]);
  });

  it('migrates a book stored before the months were kept to the same statements, and again changes nothing', async () => {
    const logs = mongoose.connection.collection('poolMonthLogs');
    const kept = await logs.countDocuments(entriesOf());
    expect(kept).to.equal(issues.length * 3);
    await logs.deleteMany({});
    const fresh = createServices(t.config, pino({ level: 'silent' }));
    try {
      expect((await fresh.statements.poolStatement(members[0]!.caller, periods[4]!)).rows).to.deep.equal([]);
      expect(await fresh.statements.migratePoolMonths()).to.deep.equal({ policies: issues.length });
      await fresh.statements.migratePoolMonths();
      expect(await logs.countDocuments(entriesOf())).to.equal(kept);
      await compareAll((caller, period) => fresh.statements.poolStatement(caller, period), (work) => fresh.scope.run(work));
      expect(await fresh.statements.verifyPoolMonths()).to.deep.equal([]);
    } finally {
      await fresh.close();
    }
  });
});
