// Issue #27, "Summaries for departments": GET /v1/subsidies/summary adds up, per programme and
// province, to the figures this test computes itself from the policies it binds in two provinces
// (Hangzhou 33, Jinan 37) and two programmes each (the central CN-FIRST-SET and the province's),
// the applications the broker submits and the decisions the departments make; the totals are the
// sums of the rows to the fen; each department sees only its programmes × regions; the CSV and XLSX
// carry the JSON's totals; enterprises, brokers and insurers are refused; the summary folds kept
// facts, which book:verify checks against the stored steps and book:migrate builds.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { createServices } from '../../src/service.ts';
import { migrateDepartmentSummaries, verifyDepartmentSummaries } from '../../src/subsidies/department-summary-book.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { addDays } from '../../src/rating/calendar.ts';
import { today } from '../support/china-date.ts';
import { payInFull } from '../support/premium.ts';
import { bearer, inTestService, useTestApp } from '../support/test-app.ts';
import { entriesOf } from '../support/keyed-log-docs.ts';

const run = promisify(execFile);
const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const FIGURES = ['applications', 'appliedFen', 'granted', 'grantedFen', 'refused', 'refusedFen', 'pending', 'pendingFen', 'withdrawn', 'withdrawnFen'] as const;
type Figures = Record<typeof FIGURES[number], number>;
interface Row extends Figures { programme: string; programmeName: { zh: string; en: string }; provinceCode: string; provinceName: { zh: string; en: string } }
interface Summary { from: string; to: string; rows: Row[]; totals: Figures }
interface Policy { id: string; subsidies: { programme: string; amountFen: number }[] }
type Outcome = { kind: 'granted'; fen: number } | { kind: 'refused' } | { kind: 'withdrawn' } | { kind: 'pending' };

const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('Subsidy departments: the summary (#27)', function () {
  this.timeout(300_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  /** What this test did, application by application: programme, province, applied and outcome. */
  const book: { programme: string; province: string; appliedFen: number; outcome: Outcome }[] = [];

  async function bindFor(enterprise: 'HZZZ' | 'JNXC', facts: Record<string, unknown> = {}): Promise<Policy> {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations[enterprise], inputs: structuredClone(baseVector!.inputs), startDate: today(), enterprise: facts });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    await payInFull(t.http, t.keys.insurerAdmin, bound.body.id as string);
    return bound.body as Policy;
  }

  /** Submits every application of the policy as the broker, then settles each as `outcomes` says (the default: pending). */
  async function file(policy: Policy, province: string, outcomes: Record<string, (appliedFen: number) => Outcome>, deciders: Record<string, keyof typeof t.keys>) {
    for (const { programme, amountFen } of policy.subsidies.filter((s) => s.amountFen > 0)) {
      const submitted = await t.http.post(`/v1/policies/${policy.id}/subsidy-applications/${programme}/status`).set(as('broker')).send({ status: 'submitted' });
      expect(submitted.status, JSON.stringify(submitted.body)).to.equal(200);
      const outcome = outcomes[programme]?.(amountFen) ?? { kind: 'pending' };
      if (outcome.kind === 'withdrawn') {
        const res = await t.http.post(`/v1/policies/${policy.id}/subsidy-applications/${programme}/status`).set(as('broker')).send({ status: 'withdrawn' });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
      } else if (outcome.kind !== 'pending') {
        const body = outcome.kind === 'granted' ? { outcome: 'granted', grantedFen: outcome.fen } : { outcome: 'refused', reason: '材料不全' };
        const res = await t.http.post(`/v1/subsidy-applications/${policy.id}-${programme}/decision`).set(as(deciders[programme]!)).send(body);
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
      }
      book.push({ programme, province, appliedFen: amountFen, outcome });
    }
  }

  /** The rows the book says a reader covering `programmes` sees, computed here. */
  function expectedRows(programmes: readonly string[]): Omit<Row, 'programmeName' | 'provinceName'>[] {
    const rows = new Map<string, Omit<Row, 'programmeName' | 'provinceName'>>();
    for (const a of book.filter((b) => programmes.includes(b.programme))) {
      const key = `${a.programme}|${a.province}`;
      const row = rows.get(key) ?? { programme: a.programme, provinceCode: a.province, applications: 0, appliedFen: 0, granted: 0, grantedFen: 0, refused: 0, refusedFen: 0, pending: 0, pendingFen: 0, withdrawn: 0, withdrawnFen: 0 };
      row.applications += 1;
      row.appliedFen += a.appliedFen;
      if (a.outcome.kind === 'granted') { row.granted += 1; row.grantedFen += a.outcome.fen; }
      if (a.outcome.kind === 'refused') { row.refused += 1; row.refusedFen += a.appliedFen; }
      if (a.outcome.kind === 'pending') { row.pending += 1; row.pendingFen += a.appliedFen; }
      if (a.outcome.kind === 'withdrawn') { row.withdrawn += 1; row.withdrawnFen += a.appliedFen; }
      rows.set(key, row);
    }
    return [...rows.values()].sort((a, b) => a.programme.localeCompare(b.programme) || a.provinceCode.localeCompare(b.provinceCode));
  }

  const summary = async (key: keyof typeof t.keys, query = ''): Promise<Summary> => {
    const res = await t.http.get(`/v1/subsidies/summary${query}`).set(as(key));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as Summary;
  };
  const figuresOf = (rows: Summary['rows']) => rows.map(({ programmeName: _n, provinceName: _p, ...rest }) => rest);
  const expectSummed = (body: Summary) => {
    for (const f of FIGURES) expect(body.totals[f], f).to.equal(body.rows.reduce((sum, r) => sum + r[f], 0));
  };

  before(async () => {
    await publishShippedProducts();
    const deciders = { 'CN-FIRST-SET': 'authority', 'ZJ-FIRST-SET': 'provincialAuthority', 'SD-FIRST-SET': 'otherProvincialAuthority' } as const;
    const hz1 = await bindFor('HZZZ', { qualifications: ['first-domestic'] });
    await file(hz1, '33', { 'CN-FIRST-SET': (applied) => ({ kind: 'granted', fen: applied - 12_345 }), 'ZJ-FIRST-SET': () => ({ kind: 'refused' }) }, deciders);
    const hz2 = await bindFor('HZZZ', { qualifications: ['first-domestic'] });
    await file(hz2, '33', { 'ZJ-FIRST-SET': (applied) => ({ kind: 'granted', fen: applied }) }, deciders);
    const jn1 = await bindFor('JNXC');
    await file(jn1, '37', { 'CN-FIRST-SET': () => ({ kind: 'refused' }), 'SD-FIRST-SET': (applied) => ({ kind: 'granted', fen: applied - 1 }) }, deciders);
    const jn2 = await bindFor('JNXC');
    await file(jn2, '37', { 'SD-FIRST-SET': () => ({ kind: 'withdrawn' }) }, deciders);
    expect(new Set(book.map((b) => b.programme))).to.deep.equal(new Set(['CN-FIRST-SET', 'ZJ-FIRST-SET', 'SD-FIRST-SET']));
  });

  it('adds up per programme and province to the book computed here, the totals the sums of the rows', async () => {
    const body = await summary('platformAdmin');
    expect(figuresOf(body.rows)).to.deep.equal(expectedRows(['CN-FIRST-SET', 'ZJ-FIRST-SET', 'SD-FIRST-SET']));
    expectSummed(body);
    expect(body.totals.applications).to.equal(book.length);
    expect(body.totals.appliedFen).to.equal(book.reduce((s, b) => s + b.appliedFen, 0));
    expect(body.totals.grantedFen).to.equal(book.reduce((s, b) => s + (b.outcome.kind === 'granted' ? b.outcome.fen : 0), 0));
    const zj = body.rows.find((r) => r.programme === 'ZJ-FIRST-SET')!;
    expect(zj.provinceName).to.deep.equal({ zh: '浙江省', en: 'Zhejiang' });
    expect(zj.programmeName.zh).to.be.a('string').and.not.equal('');
    expect(body.from).to.equal(`${today().slice(0, 4)}-01-01`);
    expect(body.to).to.equal(today());
  });

  it('shows each department only its programmes × regions, and narrows by programme', async () => {
    const central = await summary('authority');
    expect(figuresOf(central.rows)).to.deep.equal(expectedRows(['CN-FIRST-SET']));
    expect(central.rows.map((r) => r.provinceCode)).to.deep.equal(['33', '37']);
    expectSummed(central);
    const zhejiang = await summary('provincialAuthority');
    expect(figuresOf(zhejiang.rows)).to.deep.equal(expectedRows(['ZJ-FIRST-SET']));
    expectSummed(zhejiang);
    const shandong = await summary('otherProvincialAuthority');
    expect(figuresOf(shandong.rows)).to.deep.equal(expectedRows(['SD-FIRST-SET']));
    expect(shandong.totals).to.include({ withdrawn: 1, granted: 1 });
    expect((await summary('cityAuthority')).rows).to.deep.equal([]);
    // Another department's programme finds nothing; its own narrows.
    const foreign = await summary('provincialAuthority', '?programme=SD-FIRST-SET');
    expect(foreign.rows).to.deep.equal([]);
    expect(foreign, 'a programme outside its scope is not echoed').to.not.have.property('programme');
    expect(await summary('otherProvincialAuthority', '?programme=SD-FIRST-SET')).to.include({ programme: 'SD-FIRST-SET' });
    expect((await summary('provincialAuthority', '?programme=CN-FIRST-SET')).totals.applications).to.equal(0);
    expect(figuresOf((await summary('platformAdmin', '?programme=CN-FIRST-SET')).rows)).to.deep.equal(expectedRows(['CN-FIRST-SET']));
  });

  it('counts applications by their submission date within the period', async () => {
    const day = today();
    expect((await summary('platformAdmin', `?from=${day}&to=${day}`)).totals.applications).to.equal(book.length);
    expect((await summary('platformAdmin', `?from=${addDays(day, 1)}&to=${addDays(day, 30)}`)).rows).to.deep.equal([]);
    expect((await summary('platformAdmin', `?from=${addDays(day, -30)}&to=${addDays(day, -1)}`)).rows).to.deep.equal([]);
    const backwards = await t.http.get(`/v1/subsidies/summary?from=${day}&to=${addDays(day, -1)}`).set(as('platformAdmin'));
    expect(backwards.status).to.equal(400);
    expect(backwards.body.error.details[0].path).to.equal('query.from');
  });

  it('refuses enterprises, brokers and insurers', async () => {
    for (const key of ['enterprise', 'broker', 'insurerAdmin', 'underwriter'] as const) {
      expect((await t.http.get('/v1/subsidies/summary').set(as(key))).status, key).to.equal(403);
    }
  });

  it('writes CSV and XLSX whose totals are the JSON\'s, with headers in the reader\'s language', async () => {
    const body = await summary('authority');
    const fen = (v: unknown) => Math.round(Number(v) * 100);
    const csv = await t.http.get('/v1/subsidies/summary?format=csv&lang=en').set(as('authority'));
    expect(csv.status).to.equal(200);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\n').map((l) => l.split(','));
    expect(lines[0]).to.deep.equal(['Programme', 'Region (province)', 'Applications', 'Amount applied for', 'Granted', 'Amount granted', 'Refused', 'Applied for (refused)', 'Pending', 'Applied for (pending)', 'Withdrawn', 'Applied for (withdrawn)']);
    expect(lines.map((l) => l[1])).to.include.members(['Zhejiang', 'Shandong']);
    const csvTotal = lines.at(-1)!;
    expect(csvTotal[0]).to.equal('Total');
    FIGURES.forEach((f, i) => expect(f.endsWith('Fen') ? fen(csvTotal[2 + i]) : Number(csvTotal[2 + i]), `csv ${f}`).to.equal(body.totals[f]));
    for (const [lang, total, header] of [['zh-CN', '合计', '申请金额'], ['en', 'Total', 'Amount applied for']] as const) {
      const res = await t.http.get(`/v1/subsidies/summary?format=xlsx&lang=${lang}`).set(as('authority')).buffer(true).parse(binary as never);
      expect(res.status).to.equal(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(res.body as never);
      const rows: unknown[][] = [];
      workbook.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      expect(rows.find((r) => r.includes(header)), lang).to.not.equal(undefined);
      const totalRow = rows.find((r) => r[0] === total)!;
      FIGURES.forEach((f, i) => expect(f.endsWith('Fen') ? fen(totalRow[2 + i]) : totalRow[2 + i], `${lang} ${f}`).to.equal(body.totals[f]));
    }
  });

  it('prints a Chinese PDF with the provinces and the total', async () => {
    const body = await summary('authority');
    const res = await t.http.get('/v1/subsidies/summary?format=pdf').set(as('authority')).buffer(true).parse(binary as never);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/pdf');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'summary-'));
    try {
      const pdf = path.join(dir, 's.pdf');
      await writeFile(pdf, res.body as Buffer);
      const text = (await run('pdftotext', ['-enc', 'UTF-8', '-layout', pdf, '-'])).stdout;
      const yuan = (f: number) => `${Math.floor(f / 100).toLocaleString('en-US')}.${String(f % 100).padStart(2, '0')}`;
      for (const snippet of ['科技保险保费补贴申请汇总', '合计', '浙江省', '山东省', yuan(body.totals.appliedFen), yuan(body.totals.grantedFen)]) expect(text, snippet).to.include(snippet);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('folds kept facts: book:verify names a fact changed or lost, book:migrate rebuilds them once to the same summary', async () => {
    const before = await summary('platformAdmin');
    // A period of decades reads only the months that have facts: the same figures as this year's.
    expect((await summary('platformAdmin', `?from=1990-01-01&to=${today()}`)).totals).to.deep.equal(before.totals);
    expect(await inTestService(() => verifyDepartmentSummaries())).to.deep.equal([]);
    const logs = mongoose.connection.collection<{ _id: string; r: string; v: string }>('departmentSummaryLogs');
    const key = `summary|applications|all|${today().slice(0, 7)}`;
    const granted = (await logs.find(entriesOf(key)).toArray()).find((d) => d.r.endsWith('|outcome') && (JSON.parse(d.v) as { status: string }).status === 'granted')!;
    const fact = JSON.parse(granted.v) as { amountFen: number };
    await logs.updateOne({ _id: granted._id }, { $set: { v: JSON.stringify({ ...fact, amountFen: fact.amountFen + 1 }) } });
    // The summary is the facts' fold: the changed grant shows, to the fen; book:verify names it.
    expect((await summary('platformAdmin')).totals.grantedFen).to.equal(before.totals.grantedFen + 1);
    const changed = await inTestService(() => verifyDepartmentSummaries());
    expect(changed.some((d) => d.startsWith(`department summary ${key}: ${granted.r.slice(key.length + 1)} differs`)), changed.join('\n')).to.equal(true);
    // Lost: every fact gone (a data folder from before them); book:migrate's step, in a service of its own, builds them again, once.
    await logs.deleteMany({});
    const fresh = createServices(t.config, pino({ level: 'silent' }));
    try {
      const lost = await fresh.scope.run(() => verifyDepartmentSummaries());
      expect(lost).to.include(`department summary ${key}: missing ${granted.r.slice(key.length + 1)}`);
      expect(await fresh.scope.run(() => migrateDepartmentSummaries())).to.deep.equal({ facts: book.length + book.filter((b) => b.outcome.kind !== 'pending').length });
      const count = await logs.countDocuments({});
      await fresh.scope.run(() => migrateDepartmentSummaries());
      expect(await logs.countDocuments({})).to.equal(count);
      expect(await fresh.scope.run(() => verifyDepartmentSummaries())).to.deep.equal([]);
    } finally {
      await fresh.close();
    }
    expect(await summary('platformAdmin')).to.deep.equal(before);
  });
});
