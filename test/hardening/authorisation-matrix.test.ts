import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { allRoutes } from '../../src/app.ts';
import type { RouteDefinition } from '../../src/http/route.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { expectErrorShape } from './error-shape.ts';
import { buildTenantWorld, FIRST_SET, shippedDefinition, type TenantWorld, type WorldCaller as Caller } from './tenant-world.ts';

// Every route × every caller (each role, a second broker firm, a foreign insurer and enterprise,
// no key, a bad key) against a resource of ANOTHER organisation. The expected outcome is derived
// from the route's `access` and the scoping rules, not written by hand, so a new route is covered
// as soon as it is in allRoutes(); a route whose path names a collection the table does not know
// fails the test until its scoping is added below.
//
//   no key / bad key                          → 401
//   role not in the route's access            → 403
//   the path names another organisation's quote, policy, organisation, key or product
//                                             → 404 (platform admins see everything → allowed)
//   otherwise                                 → allowed (anything but 401/403/404/5xx); lists
//                                               must not contain the foreign side's ids
// A leak is a 2xx where 401/403/404 is expected, or a foreign id in a list.

type Expected = '401' | '403' | '404' | 'allowed';
/** Scoping of the resource a path parameter names, by the collection before it. */
const SCOPED_COLLECTIONS: Record<string, 'quote' | 'policy' | 'organisation' | 'apiKey' | 'product' | 'catalogue' | 'poolInvitation' | 'subsidyApplication' | 'qualificationList'> = {
  quotes: 'quote', policies: 'policy', organisations: 'organisation', 'api-keys': 'apiKey', products: 'product', catalogue: 'catalogue',
  // A department reads an application only in its programmes × regions (#27): another's is 404.
  'subsidy-applications': 'subsidyApplication',
  // A department reads only the qualification lists it uploaded (#27).
  'qualification-lists': 'qualificationList',
  // Only the invited insurer decides an invitation: the inviter and everyone else get 404.
  'pool-invitations': 'poolInvitation',
};

interface Row { route: string; caller: string; expected: Expected; status: number; leak: boolean; pass: boolean }

describe('Hardening: authorisation matrix (every route × every caller × a foreign resource)', function () {
  this.timeout(600_000);
  const t = useTestApp();
  const rows: Row[] = [];
  let world: TenantWorld;
  const side = {} as TenantWorld['side'];
  const definition = shippedDefinition;
  const callers: Caller[] = [];
  let startDate = '';
  const pricing = (productCode: string) => world.pricing(productCode);
  async function ok(res: { status: number; body: unknown }, what: string) {
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).to.be.within(200, 299);
    return res.body as Record<string, unknown>;
  }

  before(async () => {
    world = await buildTenantWorld(t);
    Object.assign(side, world.side);
    callers.push(...world.callers);
    startDate = world.startDate;
  });

  /** The collection whose member the path (or, for compare, the query) points at. */
  function scopedKind(route: RouteDefinition): string | undefined {
    if (route.operationId === 'compareQuotes' || route.operationId === 'readAuditTrail') return 'quote';
    const segments = route.path.split('/');
    const first = segments.findIndex((s) => s.startsWith('{'));
    if (first < 0) return undefined;
    // A subsidy year is the caller's own view (a list), not a member of a collection.
    if (segments[first - 1] === 'years') return undefined;
    const kind = SCOPED_COLLECTIONS[segments[first - 1]!];
    if (!kind) throw new Error(`${route.method.toUpperCase()} ${route.path}: unknown collection "${segments[first - 1]}" — add its scoping to SCOPED_COLLECTIONS`);
    return kind;
  }

  function expectedFor(route: RouteDefinition, caller: Caller): Expected {
    if (route.access === 'public') return 'allowed';
    if (!caller.role) return '401';
    if (Array.isArray(route.access) && !route.access.includes(caller.role as never)) return '403';
    // #26: the world's policies stay issued (the other writes need them), so a 退保批单 is 404 even to
    // those who see the policy; test/policies/cancellation.test.ts reads one (200) and another insurer's 404.
    if (route.operationId === 'getCancellationPdf' && caller.role === 'platform-admin') return '404';
    const kind = scopedKind(route);
    // Insurer staff pin versions of their own products only (the request pins one).
    const previewOfForeignProduct = route.operationId === 'previewPrice' && (caller.role === 'insurer-admin' || caller.role === 'underwriter');
    if ((kind && kind !== 'catalogue') || previewOfForeignProduct) return caller.role === 'platform-admin' ? 'allowed' : '404';
    return 'allowed';
  }

  let counter = 0;
  function requestFor(route: RouteDefinition, caller: Caller): { path: string; body?: unknown; contentType?: string } {
    const foreign = side[caller.role === 'platform-admin' || !caller.role ? 'B' : caller.side === 'A' ? 'B' : 'A'];
    const own = side[foreign === side.A ? 'B' : 'A'];
    const n = ++counter;
    let path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const before = route.path.split('/')[route.path.split('/').indexOf(`{${name}}`) - 1];
      if (name === 'version') return String(definition.version);
      switch (before) {
        case 'quotes': return /approve|decline/.test(route.operationId) ? foreign.referred : foreign.quote;
        case 'policies': return foreign.policy;
        case 'organisations': return foreign.organisation;
        case 'api-keys': return foreign.apiKey;
        case 'products':
        case 'catalogue': return foreign.product;
        case 'tables': return 'sections';
        case 'subsidy-applications': return name === 'programme' ? 'CN-FIRST-SET' : foreign.application;
        case 'years': return startDate.slice(0, 4);
        case 'pool-invitations': return foreign.invitation;
        case 'qualification-lists': return foreign.qualificationList;
        case 'endorsements': return '1';
        default: throw new Error(`no foreign value for {${name}} in ${route.path}`);
      }
    });
    if (route.operationId === 'compareQuotes') path += `?ids=${foreign.quote},${foreign.quote2}`;
    if (route.operationId === 'readAuditTrail') path += `?entity=quote&id=${foreign.quote}`;
    if (route.operationId === 'diffProductVersions') path += `?from=${String(definition.version)}&to=${String(definition.version)}`;
    const insurerCode = caller.side === 'A' ? 'KCIC' : 'HTIC';
    const bodies: Record<string, unknown> = {
      createOrganisation: { code: `AUTHZ-${n}`, kind: 'enterprise', name: `授权矩阵 ${n}` },
      issueApiKey: { userName: `authz ${n}`, role: 'enterprise' },
      createProduct: { definition: { ...structuredClone(definition), code: `AUTHZ-${n}`, insurer: insurerCode, coInsurance: { members: [{ insurer: insurerCode, role: 'lead', sharePercent: '100' }] } } },
      createProductVersion: { cloneFrom: String(definition.version), version: `2099.${n}` },
      updateProductDraft: { definition: { ...structuredClone(definition), code: foreign.product } },
      // Pinned to a version: insurer staff may pin only their own products (drafts included); on-sale versions are open to everyone else.
      previewPrice: { ...pricing(foreign.product), productVersion: String(definition.version) },
      createQuote: { ...pricing(own.product), enterpriseId: own.organisation },
      addVectorFromQuote: { quoteId: own.quote },
      approveQuote: {},
      declineQuote: { reason: '授权矩阵' },
      recordSubsidyApplicationStatus: { status: 'submitted' },
      recordPolicyPayment: { amountFen: 100, receivedOn: startDate, reference: `AUTHZ-${n}` },
      decideSubsidyApplication: { outcome: 'refused', reason: '授权矩阵' },
      publishProductVersion: {},
      invitePoolMembers: { productCode: own.product, version: String(definition.version) },
      previewEndorsement: { effectiveDate: startDate, inputs: { aggregateLimit: 1000 }, reason: '授权矩阵' },
      endorsePolicy: { effectiveDate: startDate, inputs: { aggregateLimit: 1000 }, reason: '授权矩阵' },
      // #26: a claim on the caller's side's policy (its lead insurer's staff), a renewal (body optional).
      recordClaim: { lossDate: startDate, paidOn: startDate, paidFen: 100, description: '授权矩阵' },
      renewPolicy: {},
      // #26 cancellation: the preview on a date of the period; the cancel on a date after it (400 once admitted), so the shared policy stays issued for the other writes.
      previewCancellation: { effectiveDate: startDate, initiatedBy: 'policyholder', reason: '授权矩阵' },
      cancelPolicy: { effectiveDate: '2099-12-31', initiatedBy: 'policyholder', reason: '授权矩阵' },
      addClient: { unifiedSocialCreditCode: `9133AUTHZ${String(n).padStart(9, '0')}`, name: `授权矩阵客户 ${n}` },
    };
    if (route.operationId === 'uploadQualificationList') return { path: `${path}?kind=specialised`, body: `creditCode,validFrom,validTo\n91330106MA2H7K3Q0L,2026-01-01,2030-12-31\n`, contentType: 'text/csv' };
    if (route.operationId === 'bulkQuote') return { path, body: `productCode\n${FIRST_SET}\n`, contentType: 'text/csv' };
    if (route.operationId in bodies) return { path, body: bodies[route.operationId] };
    if (route.body) throw new Error(`${route.operationId}: add a valid body to the authorisation matrix`);
    return { path };
  }

  /** Ids of the other side that a list answer must not contain (the catalogue is shared, so products only count in /v1/products). */
  function foreignIdsFor(caller: Caller, route: RouteDefinition): string[] {
    if (caller.role === 'platform-admin' || !caller.role) return [];
    const foreign = side[caller.side === 'A' ? 'B' : 'A'];
    if (/^\/v1\/(quotes|policies)/.test(route.path)) return [foreign.quote, foreign.quote2, foreign.referred, foreign.policy];
    if (route.path.startsWith('/v1/organisations')) return [foreign.organisation];
    if (route.path.startsWith('/v1/products')) return [`"${foreign.product}"`];
    if (route.path.startsWith('/v1/pool-invitations')) return [foreign.invitation];
    if (route.path.startsWith('/v1/qualification-lists')) return [foreign.qualificationList];
    return [foreign.quote, foreign.quote2, foreign.referred, foreign.policy, foreign.apiKey];
  }

  it('answers every route × caller as the access rules and scoping say, with no leak', async () => {
    const routes = allRoutes();
    // Reads first, then writes; retire and revoke (which end a resource) last.
    const rank = (r: RouteDefinition) => (r.method === 'get' ? 0 : /retire|revoke/.test(r.operationId) ? 2 : 1);
    const ordered = [...routes].sort((a, b) => rank(a) - rank(b));
    for (const route of ordered) {
      for (const caller of callers) {
        const expected = expectedFor(route, caller);
        const { path, body, contentType } = requestFor(route, caller);
        let req = t.http[route.method](path);
        if (caller.key()) req = req.set(bearer(caller.key()));
        if (body !== undefined) req = req.set('Content-Type', contentType ?? 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body));
        const res = await req;
        const text = typeof res.text === 'string' ? res.text : '';
        const listLeak = res.status < 300 && route.method === 'get' && !scopedKind(route) && foreignIdsFor(caller, route).some((id) => id && text.includes(id));
        const leak = (expected !== 'allowed' && res.status < 300) || listLeak;
        const pass = !leak && res.status < 500 && (expected === 'allowed' ? ![401, 403, 404].includes(res.status) : String(res.status) === expected);
        if (res.status >= 400) expectErrorShape(res as never);
        rows.push({ route: `${route.method.toUpperCase()} ${route.path}`, caller: caller.name, expected, status: res.status, leak, pass });
      }
    }
    if (process.env.AUTHZ_TABLE_OUT) await writeFile(process.env.AUTHZ_TABLE_OUT, JSON.stringify({ callers: callers.map((c) => c.name), rows }, null, 2));
    const failures = rows.filter((r) => !r.pass).map((r) => `${r.route} as ${r.caller}: expected ${r.expected}, got ${r.status}${r.leak ? ' (LEAK)' : ''}`);
    if (failures.length) console.log(failures.join('\n'));
    expect(rows.filter((r) => r.leak).length, failures.join('\n')).to.equal(0);
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(rows.length).to.equal(routes.length * callers.length);
  });

  it('lets each side read its own quote and policy (the matrix is not passing by refusing everything)', async () => {
    for (const [key, s] of [[t.keys.broker, side.A], [t.keys.enterprise, side.A], [t.keys.insurerAdmin, side.A], [world.callers.find((c) => c.name === 'other broker')!.key(), side.B], [t.keys.otherEnterprise, side.B], [t.keys.otherInsurerAdmin, side.B]] as const) {
      expect((await t.http.get(`/v1/quotes/${s.quote}`).set(bearer(key))).status).to.equal(200);
      expect((await t.http.get(`/v1/policies/${s.policy}`).set(bearer(key))).status).to.equal(200);
    }
    // Each side's department reads its own side's application (#27), in its list and by id.
    for (const [name, s] of [['authority', side.A], ['other authority', side.B]] as const) {
      const key = world.callers.find((c) => c.name === name)!.key();
      expect((await t.http.get(`/v1/subsidy-applications/${s.application}`).set(bearer(key))).status, name).to.equal(200);
      expect((await t.http.get('/v1/subsidy-applications').set(bearer(key))).body.items.map((a: { id: string }) => a.id), name).to.deep.equal([s.application]);
    }
  });
  it('lets a pool follower read the lead\'s pool quote and policy with its own share, and decide nothing', async () => {
    const { keys, organisations } = t;
    const body = (refer: boolean) => {
      const b = { ...pricing(FIRST_SET), enterpriseId: organisations.HZZZ! };
      if (refer) b.inputs.aggregateLimit = Number(b.inputs.contractAmount) / 2;
      return b;
    };
    const quote = String((await ok(await t.http.post('/v1/quotes').set(bearer(keys.broker)).send(body(false)), 'pool quote')).id);
    const referred = String((await ok(await t.http.post('/v1/quotes').set(bearer(keys.broker)).send(body(true)), 'referred pool quote')).id);
    const policy = String((await ok(await t.http.post(`/v1/quotes/${quote}/bind`).set(bearer(keys.broker)), 'bind pool quote')).id);
    const follower = bearer(keys.otherInsurerAdmin); // HTIC: 30% follower of FIRST_SET
    for (const path of [`/v1/quotes/${quote}`, `/v1/quotes/${referred}`, `/v1/policies/${policy}`]) {
      const res = await t.http.get(path).set(follower);
      expect(res.status, path).to.equal(200);
      expect(res.body.myShare, path).to.include({ insurer: 'HTIC', role: 'follower', sharePercent: '30' });
    }
    const listed = await t.http.get('/v1/policies?limit=100').set(follower);
    expect(listed.body.items.map((p: { id: string }) => p.id)).to.include(policy).and.not.include(side.A.policy);
    expect((await t.http.post(`/v1/quotes/${referred}/approve`).set(follower).send({})).status).to.equal(403);
    expect((await t.http.post(`/v1/quotes/${referred}/decline`).set(follower).send({ reason: '跟随方' })).status).to.equal(403);
    expect((await t.http.post(`/v1/quotes/${quote}/bind`).set(follower)).status).to.equal(403);
    expect((await t.http.put(`/v1/products/${FIRST_SET}/versions/${String(definition.version)}`).set(follower).send({ definition })).status).to.equal(404);
    // KCIC is not in HTIC's pool (HTIC 60%, ZXIC 40%): it never sees that business.
    expect((await t.http.get(`/v1/policies/${side.B.policy}`).set(bearer(keys.insurerAdmin))).status).to.equal(404);
    const zxic = await t.http.get(`/v1/policies/${side.B.policy}`).set(bearer(keys.poolInsurerAdmin));
    expect(zxic.status).to.equal(200);
    expect(zxic.body.myShare).to.include({ insurer: 'ZXIC', role: 'follower', sharePercent: '40' });
  });
});
