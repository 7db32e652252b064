import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { publishAs } from '../support/publish-as.ts';
import { acceptPoolShares } from '../support/pool-consent.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

// Co-insurance pools on the real database: members are real insurers, followers read the pool
// business they carry (never decide it), and every member's statement adds up to the pool's total.
const POOL = 'FIRST-SET-EQUIPMENT'; // KCIC lead 40%, HTIC 30%, ZXIC 30%
const SOLO = 'KCIC-SOLO'; // KCIC alone: no follower may see it
const SMALL_POOL = 'KCIC-ZXIC-POOL'; // KCIC 70%, ZXIC 30%: HTIC is not a member
const [vector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const definition = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as Record<string, unknown> & { version: string };

interface Share { insurer: string; insurerName?: string; role: string; sharePercent: string; grossPremiumFen: number; netPremiumFen: number; vatFen: number; limits?: { coverage: string; kind: string; amountFen: number }[] }
interface Statement { insurer: { insurer: string; name: string }; rows: { policyNumber: string; grossPremiumFen: number; netPremiumFen: number; vatFen: number; share: Share; members: Record<string, Share> }[]; totals: { policies: number; grossPremiumFen: number; shareGrossFen: number; shareNetFen: number; shareVatFen: number; netPremiumFen: number; vatFen: number } }

describe('Co-insurance pools', function () {
  this.timeout(120_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  const policies: Record<string, string[]> = { [POOL]: [], [SOLO]: [], [SMALL_POOL]: [] };
  let referredPoolQuote = '';
  let boundPoolPolicy: Record<string, unknown> = {};

  async function publishVariant(code: string, coInsurance: unknown) {
    const body = { ...structuredClone(definition), code, ...(coInsurance ? { coInsurance } : {}) };
    if (!coInsurance) delete (body as { coInsurance?: unknown }).coInsurance;
    expect((await t.http.post('/v1/products').set(as('insurerAdmin')).send({ definition: body })).status).to.equal(201);
    await acceptPoolShares(t, code); // each other member's admin accepts its share first (pool consent)
    const res = await publishAs(t.http, t.keys, code, definition.version);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  }

  async function quote(product: string, contractAmount: number, refer = false) {
    // The limit must cover the contract amount (else the quote is referred): both move together.
    const inputs = { ...structuredClone(vector!.inputs), contractAmount, aggregateLimit: refer ? contractAmount / 2 : contractAmount };
    const res = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: product, enterpriseId: t.organisations.HZZZ, inputs, startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; status: string };
  }

  before(async () => {
    await publishShippedProducts();
    await publishVariant(SOLO, undefined);
    await publishVariant(SMALL_POOL, { members: [{ insurer: 'KCIC', role: 'lead', sharePercent: '70' }, { insurer: 'ZXIC', role: 'follower', sharePercent: '30' }] });
    // Odd contract amounts, so the shares round and the lead takes remainder fen.
    const base = Number(vector!.inputs.contractAmount);
    for (const [product, amounts] of [[POOL, [base, base + 1.37, base + 2.71]], [SOLO, [base + 0.5]], [SMALL_POOL, [base + 3.33]]] as const) {
      for (const amount of amounts) {
        const q = await quote(product, amount);
        const bound = await t.http.post(`/v1/quotes/${q.id}/bind`).set(as('broker'));
        expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
        policies[product]!.push(bound.body.id as string);
        if (product === POOL) boundPoolPolicy = bound.body as Record<string, unknown>;
      }
    }
    referredPoolQuote = (await quote(POOL, base, true)).id;
  });

  it('names every pool member (the shipped ZXIC included) in the bind answer, with its share of the limits', () => {
    const shares = boundPoolPolicy.poolShares as Share[];
    expect(shares.map((s) => [s.insurer, s.insurerName])).to.deep.equal([['KCIC', '科创财产保险股份有限公司（演示）'], ['HTIC', '恒泰科技保险股份有限公司（演示）'], ['ZXIC', '中鑫科技保险股份有限公司（演示）']]);
    expect(shares.reduce((s, p) => s + p.grossPremiumFen, 0)).to.equal(boundPoolPolicy.grossPremiumFen);
    // Each limit splits like the premium: the members' parts add up to the limit.
    const limitCount = shares[0]!.limits!.length;
    expect(limitCount).to.be.greaterThan(0);
    for (let l = 0; l < limitCount; l++) {
      const parts = shares.map((s) => s.limits![l]!.amountFen);
      expect(parts[1]).to.equal(parts[2]); // 30% and 30%
      expect(parts.reduce((a, b) => a + b, 0)).to.be.greaterThan(0);
    }
  });

  it('lists to a follower exactly the pool policies it is in, each with its own share', async () => {
    const res = await t.http.get('/v1/policies?limit=100').set(as('otherInsurerAdmin'));
    expect(res.status).to.equal(200);
    // The list answers summaries (with the pool's members); each policy carries the follower's share.
    const listed = res.body.items as { id: string; poolMemberIds: string[] }[];
    expect(listed.map((p) => p.id)).to.have.members(policies[POOL]!);
    expect(listed.every((p) => p.poolMemberIds.includes(t.organisations.HTIC!))).to.equal(true);
    const items = await Promise.all(listed.map(async (l) => (await t.http.get(`/v1/policies/${l.id}`).set(as('otherInsurerAdmin'))).body as { id: string; grossPremiumFen: number; myShare: Share }));
    for (const p of items) {
      expect(p.myShare).to.include({ insurer: 'HTIC', role: 'follower', sharePercent: '30', insurerName: '恒泰科技保险股份有限公司（演示）' });
      expect(p.myShare.grossPremiumFen).to.equal(Math.floor((p.grossPremiumFen * 30) / 100));
      expect(p.myShare.netPremiumFen + p.myShare.vatFen).to.equal(p.myShare.grossPremiumFen);
    }
    // ZXIC follows both KCIC pools; neither follower sees KCIC's own business.
    const zxic = await t.http.get('/v1/policies?limit=100').set(as('poolInsurerAdmin'));
    expect(zxic.body.items.map((p: { id: string }) => p.id)).to.have.members([...policies[POOL]!, ...policies[SMALL_POOL]!]);
    for (const key of ['otherInsurerAdmin', 'poolInsurerAdmin'] as const) {
      expect((await t.http.get(`/v1/policies/${policies[SOLO]![0]}`).set(as(key))).status).to.equal(404);
    }
    expect((await t.http.get(`/v1/policies/${policies[SMALL_POOL]![0]}`).set(as('otherInsurerAdmin'))).status).to.equal(404);
    const one = await t.http.get(`/v1/policies/${policies[POOL]![0]}`).set(as('poolInsurerAdmin'));
    expect(one.status).to.equal(200);
    expect(one.body.myShare).to.include({ insurer: 'ZXIC', role: 'follower' });
  });

  it('lets a follower read a pool quote but not approve, decline or bind it', async () => {
    const read = await t.http.get(`/v1/quotes/${referredPoolQuote}`).set(as('otherInsurerAdmin'));
    expect(read.status).to.equal(200);
    expect(read.body.myShare).to.include({ insurer: 'HTIC', role: 'follower' });
    expect(read.body.insurerName).to.equal('科创财产保险股份有限公司（演示）');
    const approve = await t.http.post(`/v1/quotes/${referredPoolQuote}/approve`).set(as('otherInsurerAdmin')).send({});
    expect(approve.status, JSON.stringify(approve.body)).to.equal(403);
    const decline = await t.http.post(`/v1/quotes/${referredPoolQuote}/decline`).set(as('poolInsurerAdmin')).send({ reason: 'not ours' });
    expect(decline.status).to.equal(403);
    expect((await t.http.post(`/v1/quotes/${referredPoolQuote}/bind`).set(as('otherInsurerAdmin'))).status).to.equal(403);
    expect((await t.http.get(`/v1/quotes/${referredPoolQuote}`).set(as('underwriter'))).body.status).to.equal('referred');
    // Nor may it change the lead's product.
    expect((await t.http.post(`/v1/products/${POOL}/versions`).set(as('otherInsurerAdmin')).send({ cloneFrom: definition.version, version: '2099.1' })).status).to.equal(404);
  });

  it('gives each member a statement for the month that sums with the others\' to the pool\'s total, to the fen', async () => {
    const from = `${today().slice(0, 8)}01`;
    const statements: Statement[] = [];
    for (const key of ['insurerAdmin', 'otherInsurerAdmin', 'poolInsurerAdmin'] as const) {
      const res = await t.http.get(`/v1/pools/statement?from=${from}&to=${today()}`).set(as(key));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      statements.push(res.body as Statement);
    }
    const [kcic, htic, zxic] = statements as [Statement, Statement, Statement];
    expect(kcic.totals.policies).to.equal(4); // three in the big pool, one in the small one
    expect(htic.totals.policies).to.equal(3);
    expect(zxic.totals.policies).to.equal(4);
    // Per policy: the members' parts add up to the policy.
    for (const row of kcic.rows) {
      const parts = Object.values(row.members);
      expect(parts.reduce((s, p) => s + p.grossPremiumFen, 0)).to.equal(row.grossPremiumFen);
      expect(parts.reduce((s, p) => s + p.netPremiumFen, 0)).to.equal(row.netPremiumFen);
      expect(parts.reduce((s, p) => s + p.vatFen, 0)).to.equal(row.vatFen);
    }
    // Per pool: the statements add up to the pool's total (the lead's statement lists every policy).
    const poolGross = kcic.totals.grossPremiumFen;
    expect(kcic.totals.shareGrossFen + htic.totals.shareGrossFen + zxic.totals.shareGrossFen).to.equal(poolGross);
    expect(kcic.totals.shareNetFen + htic.totals.shareNetFen + zxic.totals.shareNetFen).to.equal(kcic.totals.netPremiumFen);
    expect(kcic.totals.shareVatFen + htic.totals.shareVatFen + zxic.totals.shareVatFen).to.equal(kcic.totals.vatFen);
    expect(htic.rows.every((r) => r.share.role === 'follower' && r.share.sharePercent === '30')).to.equal(true);
  });

  it('downloads the statement as CSV and XLSX with the same totals', async () => {
    const from = `${today().slice(0, 8)}01`;
    const json = (await t.http.get(`/v1/pools/statement?from=${from}&to=${today()}`).set(as('otherInsurerAdmin'))).body as Statement;
    const csv = await t.http.get(`/v1/pools/statement?from=${from}&to=${today()}&format=csv`).set(as('otherInsurerAdmin')).buffer(true);
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    expect(csv.headers['content-disposition']).to.match(/attachment; filename="pool-statement-HTIC-/);
    const records = parse(csv.text.replace(/^\ufeff/, ''), { relax_column_count: true }) as string[][];
    expect(records[1]![0]).to.equal('保单号');
    const total = records.at(-1)!;
    expect(total[0]).to.equal('总计');
    expect(total[12]).to.equal((json.totals.shareGrossFen / 100).toFixed(2));
    const xlsx = await t.http.get(`/v1/pools/statement?from=${from}&to=${today()}&format=xlsx&lang=en`).set(as('otherInsurerAdmin')).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(xlsx.status).to.equal(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as never);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(2).getCell(1).value).to.equal('Policy number');
    expect(sheet.getRow(sheet.rowCount).getCell(1).value).to.equal('Total');
    expect(Math.round(Number(sheet.getRow(sheet.rowCount).getCell(13).value) * 100)).to.equal(json.totals.shareGrossFen);
  });

  it('keeps the statement to insurer staff', async () => {
    expect((await t.http.get('/v1/pools/statement').set(as('broker'))).status).to.equal(403);
    expect((await t.http.get('/v1/pools/statement?from=2026-02-01&to=2026-01-01').set(as('insurerAdmin'))).body.error.details[0].path).to.equal('query.to');
  });

  it('refuses to publish a pool that names an unknown insurer (409) or whose shares add up to 99% (400), on the member\'s path', async () => {
    const draft = async (code: string, members: unknown[]) => {
      const res = await t.http.post('/v1/products').set(as('insurerAdmin')).send({ definition: { ...structuredClone(definition), code, coInsurance: { members } } });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return publishAs(t.http, t.keys, code, definition.version);
    };
    const unknown = await draft('POOL-UNKNOWN', [{ insurer: 'KCIC', role: 'lead', sharePercent: '40' }, { insurer: 'HTIC', role: 'follower', sharePercent: '30' }, { insurer: 'NOPE', role: 'follower', sharePercent: '30' }]);
    expect(unknown.status).to.equal(409);
    expect(unknown.body.error.details).to.deep.equal([{ path: 'definition/coInsurance/members/2/insurer', message: 'NOPE must be the code of an insurer organisation (pool-member)' }]);
    const short = await draft('POOL-SHORT', [{ insurer: 'KCIC', role: 'lead', sharePercent: '40' }, { insurer: 'HTIC', role: 'follower', sharePercent: '30' }, { insurer: 'ZXIC', role: 'follower', sharePercent: '29' }]);
    expect(short.status).to.equal(400);
    expect(short.body.error.details[0].path).to.equal('definition/coInsurance/members/2/sharePercent');
    expect(short.body.error.message).to.match(/99%/);
  });

  it('reports a period longer than the short-period scale on body.endDate', async () => {
    const start = today();
    const end = new Date(Date.parse(`${start}T00:00:00Z`) + 400 * 86_400_000).toISOString().slice(0, 10);
    const res = await t.http.post('/v1/pricing/preview').set(as('broker')).send({ productCode: POOL, inputs: vector!.inputs, startDate: start, endDate: end });
    expect(res.status).to.equal(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['body.endDate']);
  });
});
