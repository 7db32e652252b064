import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { writeFile } from 'node:fs/promises';
import supertest from 'supertest';
import yauzl from 'yauzl';
import { allRoutes } from '../../src/app.ts';
import { cursorOf } from '../../src/db/log-pages.ts';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { webPageTable } from '../../src/web/web-routes.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { allows, buildTenantWorld, ownPath, shippedDefinition, type SideRecords, type TenantWorld, type WorldCaller } from './tenant-world.ts';

// The filter matrix: every route and page that reads (every GET of the route table and of the page
// table) × every role of both tenants × every query parameter the route declares, set in turn to
// each of the other tenant's ids, codes, numbers and names (and to every member of an enum). The
// values come from the parameter's schema and name, not from a list of cases, so a new route or a
// new filter joins the matrix by being declared; a parameter the generator cannot fill fails the
// test until it learns how. Path parameters name the caller's OWN records (the object matrix in
// authorisation-matrix.test.ts tries foreign ones). An answer is a leak when it is a 2xx whose body
// (JSON, HTML, CSV, XLSX cells, PDF text, the PDFs in a ZIP) holds any marker of the other tenant:
// a quote or policy id or number, an API key id, or a pool invitation id.

type Schema = { type?: string; enum?: readonly string[]; pattern?: string; format?: string; default?: unknown };
interface Probe { target: string; caller: string; param: string; value: string; status: number; leak: boolean }

/** Query parameters the pages read (they declare none): the API's list filters plus the pages' own. */
const PAGE_QUERY: Record<string, Schema> = {
  status: { type: 'string', enum: ['quoted', 'referred', 'declined', 'approved', 'bound'] },
  productCode: { type: 'string' }, enterpriseId: { type: 'string', pattern: '^[0-9a-f]{24}$' }, q: { type: 'string' },
  insurer: { type: 'string' }, from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' },
  year: { type: 'string' }, format: { type: 'string', enum: ['csv', 'xlsx', 'pdf'] }, lang: { type: 'string', enum: ['zh-CN', 'en'] },
  pdfLang: { type: 'string', enum: ['zh-CN', 'en'] },
  after: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,24}$' },
  days: { type: 'integer' }, // #26: /policies/due
  offset: { type: 'integer' }, // a qualification list's rows (#27)
  rows: { type: 'integer' }, applications: { type: 'integer' }, // #25: the subsidy year page's two tables
};

describe('Hardening: filter matrix (every list, export and page × every role × every filter set to another tenant)', function () {
  this.timeout(1_200_000);
  const t = useTestApp();
  let world: TenantWorld;
  let table = '';
  const probes: Probe[] = [];

  before(async () => {
    world = await buildTenantWorld(t);
    const tables = await t.http.get(`/v1/products/${world.side.A.product}/versions/${shippedDefinition.version}/tables`).set(bearer(t.keys.insurerAdmin));
    table = String(tables.body.items?.[0]?.id ?? tables.body.tables?.[0]?.id ?? 'sections');
  });

  const markersOf = (s: SideRecords) => [s.quote, s.quote2, s.referred, s.policy, ...s.quoteNumbers, s.policyNumber, s.apiKey, s.invitation].filter(Boolean);
  /** Callers with a tenant (platform admins see everything; no key and a bad key are the object matrix's). */
  const tenantCallers = () => world.callers.filter((c) => c.role && c.role !== 'platform-admin');
  const year = () => world.startDate.slice(0, 4);

  /** What a parameter may be set to: the other tenant's identifiers where it takes one, every enum member, a period around today. */
  function candidates(name: string, schema: Schema, foreign: SideRecords, own: SideRecords): string[] {
    if (schema.enum) return [...schema.enum];
    // A cursor is a position in the list the caller's scope names: positions near the top, the
    // middle and past the end of any list, the other tenant's included, find only the caller's rows.
    if (name === 'after') return [cursorOf(0), cursorOf(1), cursorOf(3), cursorOf(10_000)];
    if (schema.type === 'boolean') return ['true', 'false'];
    if (schema.type === 'integer' || schema.type === 'number') {
      if (name === 'limit') return ['200'];
      if (name === 'offset') return ['0', '1'];
      if (name === 'expiringWithin' || name === 'days') return ['1', '60', '366']; // #26: due for renewal
      if (name === 'rows' || name === 'applications') return ['0', '100', '9999999']; // #25: table offsets, past the end the last page
      throw new Error(`filter matrix: no values for the number ${name}; teach candidates() about it`);
    }
    if (schema.format === 'date' || name === 'date' || name === 'from' || name === 'to') return name === 'to' ? [world.startDate] : [`${year()}-01-01`, world.startDate];
    if (name === 'year') return [year()];
    if (name === 'period') return [year(), `${year()}H1`, `${year()}H2`]; // #27: the insurers' report
    if (name === 'region') return [foreign.regionCode, foreign.regionCode.slice(0, 2), own.regionCode.slice(0, 2)]; // #27: a department's queue
    if (name === 'ids') return [`${foreign.quote},${foreign.quote2}`, `${own.quote},${foreign.quote}`];
    const ids = [foreign.organisation, foreign.quote, foreign.referred, foreign.policy];
    if (schema.pattern === '^[0-9a-f]{24}$') return ids;
    if (name === 'id') return [...ids, foreign.product, `${foreign.product}@${shippedDefinition.version}`];
    if (schema.type === 'string' || schema.type === undefined) return [foreign.product, foreign.insurerCode, foreign.enterpriseCode, foreign.quoteNumbers[0]!, foreign.policyNumber, foreign.organisation];
    throw new Error(`filter matrix: no values for ${name} (${JSON.stringify(schema)}); teach candidates() about it`);
  }

  /** Values for the parameters a route requires, from the caller's own side. */
  function requiredDefault(name: string, schema: Schema, own: SideRecords): string {
    if (name === 'entity') return 'quote';
    if (name === 'id') return own.quote;
    if (name === 'ids') return `${own.quote},${own.quote2}`;
    if (name === 'from') return `${year()}-01-01`;
    if (name === 'to') return world.startDate;
    if (schema.enum) return schema.enum[0]!;
    throw new Error(`filter matrix: no default for the required ${name}; teach requiredDefault() about it`);
  }


  /**
   * The requests to try on one target for one caller. `each`: every parameter alone with each of
   * its candidates (required ones defaulted), then all at once. `together` (the pages, which read
   * any query): request k sets every parameter to its k-th candidate, so each candidate is still
   * tried once, in fewer requests.
   */
  function requestsFor(query: Record<string, Schema>, required: readonly string[], caller: WorldCaller, mode: 'each' | 'together' = 'each'): { param: string; value: string; query: Record<string, string> }[] {
    const foreign = world.foreignOf(caller);
    const own = world.ownOf(caller);
    const base = Object.fromEntries(required.map((name) => [name, requiredDefault(name, query[name]!, own)]));
    const values = Object.entries(query).map(([name, schema]) => [name, candidates(name, schema, foreign, own)] as const);
    if (mode === 'together') {
      const rounds = Math.max(0, ...values.map(([, v]) => v.length));
      const tries = Array.from({ length: rounds }, (_, k) => ({ param: '(together)', value: String(k), query: { ...base, ...Object.fromEntries(values.map(([name, v]) => [name, v[k % v.length]!])) } }));
      return [{ param: '(none)', value: '', query: base }, ...tries];
    }
    const tries = values.flatMap(([name, v]) => v.map((value) => ({ param: name, value, query: { ...base, [name]: value } })));
    const all = Object.fromEntries(values.map(([name, v]) => [name, v[0]!]));
    return [{ param: '(none)', value: '', query: base }, ...tries, ...(tries.length > 1 ? [{ param: '(all)', value: '', query: all }] : [])];
  }

  it('answers no list, export or API read with another tenant\'s rows, whatever its filters say', async () => {
    const reads = allRoutes().filter((r) => r.method === 'get');
    for (const route of reads) {
      const query = ((route.query as { properties?: Record<string, Schema> } | undefined)?.properties ?? {});
      const required = (route.query as { required?: readonly string[] } | undefined)?.required ?? [];
      for (const caller of tenantCallers()) {
        if (!allows(route.access, caller.role!)) continue;
        const path = ownPath(route.path, world.ownOf(caller), { table, year: year() });
        for (const attempt of requestsFor(query, required, caller)) {
          const res = await binary(t.http.get(path).query(attempt.query).set(bearer(caller.key())));
          await record(`GET ${route.path}`, caller, attempt, res);
        }
      }
    }
    assertNoLeaks('API');
  });

  it('shows no page, with the same filters, holding another tenant\'s rows', async () => {
    const pages = webPageTable().filter((p) => p.method === 'get');
    for (const caller of tenantCallers()) {
      const agent = supertest.agent(t.app);
      const signIn = await agent.post('/sign-in').type('form').send({ apiKey: caller.key() });
      expect(signIn.status, `${caller.name} signs in`).to.equal(303);
      for (const page of pages) {
        if (!allows(page.access, caller.role!)) continue;
        const path = ownPath(page.path, world.ownOf(caller), { table, year: year() });
        for (const attempt of requestsFor(PAGE_QUERY, [], caller, 'together')) {
          const res = await binary(agent.get(path).query(attempt.query));
          await record(`page ${page.path}`, caller, attempt, res);
        }
      }
    }
    assertNoLeaks('pages');
  });

  it('gives an enterprise that names another enterprise an empty list, not that enterprise\'s book', async () => {
    const foreign = world.side.B.organisation;
    for (const list of ['quotes', 'policies']) {
      const res = await t.http.get(`/v1/${list}?enterpriseId=${foreign}`).set(bearer(t.keys.enterprise));
      expect(res.status, list).to.equal(200);
      expect(res.body.items, list).to.deep.equal([]);
      // A keyed-log list (#25) answers no total when filtered: none, or 0.
      if ('total' in res.body) expect(res.body.total, list).to.equal(0);
      const own = await t.http.get(`/v1/${list}?enterpriseId=${world.side.A.organisation}`).set(bearer(t.keys.enterprise));
      expect(own.body.items.length, `${list}: the filter still narrows within the scope`).to.be.greaterThan(0);
    }
  });

  after(async () => {
    const byKind = (prefix: string) => probes.filter((p) => p.target.startsWith(prefix));
    const line = (prefix: string) => {
      const rows = byKind(prefix);
      return `${new Set(rows.map((p) => p.target)).size} targets, ${new Set(rows.map((p) => p.caller)).size} callers, ${rows.length} requests, ${rows.filter((p) => p.status < 300).length} answered 2xx, ${rows.filter((p) => p.leak).length} foreign rows`;
    };
    if (probes.length) console.log(`      filter matrix: API ${line('GET ')}; pages ${line('page ')}`);
    if (process.env.FILTER_MATRIX_OUT) {
      const summary = (prefix: string) => ({ targets: new Set(byKind(prefix).map((p) => p.target)).size, callers: new Set(byKind(prefix).map((p) => p.caller)).size, requests: byKind(prefix).length, answered2xx: byKind(prefix).filter((p) => p.status < 300).length, foreignRows: byKind(prefix).filter((p) => p.leak).length });
      await writeFile(process.env.FILTER_MATRIX_OUT, JSON.stringify({ api: summary('GET '), pages: summary('page '), leaks: probes.filter((p) => p.leak) }, null, 2));
    }
  });


  async function record(target: string, caller: WorldCaller, attempt: { param: string; value: string }, res: { status: number; headers: Record<string, string>; body: unknown }) {
    expect(res.status, `${target} as ${caller.name} with ${attempt.param}=${attempt.value}: ${String(bodyPreview(res))}`).to.be.below(500);
    // A page's search box shows what the caller typed (its own query, not a row): its value is left out.
    const text = res.status < 300 ? (await bodyText(res)).replace(/(<input\b[^>]*\btype="search"[^>]*\bvalue=")[^"]*"/g, '$1"') : '';
    const leak = markersOf(world.foreignOf(caller)).some((m) => text.includes(m));
    probes.push({ target, caller: caller.name, param: attempt.param, value: attempt.value, status: res.status, leak });
  }

  function assertNoLeaks(kind: 'API' | 'pages') {
    const mine = probes.filter((p) => p.target.startsWith(kind === 'API' ? 'GET ' : 'page '));
    const leaks = mine.filter((p) => p.leak).map((p) => `${p.target} as ${p.caller} with ${p.param}=${p.value} (${p.status})`);
    expect(leaks, `${kind}: foreign rows in\n${leaks.join('\n')}`).to.deep.equal([]);
    expect(mine.filter((p) => p.status < 300).length, `${kind}: the matrix reads something (it is not passing by refusing everything)`).to.be.greaterThan(100);
  }
});

/** Buffers every answer as bytes, whatever its type. */
function binary(req: supertest.Test): supertest.Test {
  return req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

const bodyPreview = (res: { body: unknown }) => (Buffer.isBuffer(res.body) ? res.body.subarray(0, 300).toString('utf8') : JSON.stringify(res.body));

/** The readable text of an answer: JSON, HTML and CSV as they are; XLSX cells; PDF text; the text of every PDF in a ZIP. */
async function bodyText(res: { headers: Record<string, string>; body: unknown }): Promise<string> {
  const bytes = res.body as Buffer;
  const type = res.headers['content-type'] ?? '';
  if (type.includes('application/pdf')) return extractPdfText(bytes);
  if (type.includes('spreadsheetml')) return xlsxText(bytes);
  if (type.includes('application/zip')) return zipText(bytes);
  return bytes.toString('utf8');
}

async function xlsxText(bytes: Buffer): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const cells: string[] = [];
  workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => { cells.push(String(cell.text)); })));
  return cells.join('\n');
}

function zipText(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      const texts: Promise<string>[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const content = Buffer.concat(chunks);
            texts.push(entry.fileName.endsWith('.pdf') ? extractPdfText(content) : Promise.resolve(content.toString('utf8')));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => { Promise.all(texts).then((all) => resolve(all.join('\n')), reject); });
      zip.readEntry();
    });
  });
}
