// Two tenants side by side, for the authorisation and filter matrices: side A quotes on a KCIC
// product of its own (no pool) through broker MXB for enterprise HZZZ; side B on an HTIC product
// (pooled with ZXIC, not KCIC) through a second broker firm OTHERBRK for enterprise JNXC. Each
// side has quotes (one referred), a policy, an API key; callers of both sides, plus no key and a
// bad key. The shipped FIRST-SET pool has HTIC as a follower of KCIC: its business is left out.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { issueSecondAdmin, publishAs } from '../support/publish-as.ts';
import { bearer, type TestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';
import { payInFull } from '../support/premium.ts';

export type Side = 'A' | 'B';
export interface WorldCaller { name: string; role?: string; side: Side; key: () => string }
export interface SideRecords {
  quote: string; referred: string; quote2: string; policy: string;
  quoteNumbers: string[]; policyNumber: string;
  organisation: string; enterpriseCode: string; insurerCode: string; apiKey: string; product: string;
  /** A pool invitation to ZXIC (a member of neither side's callers): of the shipped FIRST-SET pool for A, of HTIC's pool for B. */
  invitation: string;
  /** The policy's submitted CN-FIRST-SET subsidy application (`<policy>-CN-FIRST-SET`), reviewed by the side's department (#27). */
  application: string;
  /** A qualification list (#27) uploaded by the side's department: only that department reads it. */
  qualificationList: string;
  /** The enterprise's region code (#27: a department's region filter tries the other side's, whole and as its province). */
  regionCode: string;
}

export const FIRST_SET = 'FIRST-SET-EQUIPMENT';
export const SOLO = 'KCIC-SOLO';
export const OTHER_PRODUCT = 'HTIC-FIRST-SET';

export const shippedDefinition = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as Record<string, unknown> & { version: string; testVectors: { inputs: Record<string, unknown>; picks?: unknown; expected: { decision: string } }[] };
const vector = shippedDefinition.testVectors.find((v) => v.expected.decision === 'quoted' && !v.picks)!;

export interface TenantWorld {
  side: Record<Side, SideRecords>;
  callers: WorldCaller[];
  startDate: string;
  pricing(productCode: string): { productCode: string; inputs: Record<string, unknown>; startDate: string };
  /** The side whose records a caller must never see (platform admins and anonymous callers: B). */
  foreignOf(caller: WorldCaller): SideRecords;
  ownOf(caller: WorldCaller): SideRecords;
}

async function ok(res: { status: number; body: unknown }, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).to.be.within(200, 299);
  return res.body as Record<string, unknown>;
}

/** Builds both sides through the API (call in `before`, after useTestApp's own). */
export async function buildTenantWorld(t: TestApp): Promise<TenantWorld> {
  await publishShippedProducts();
  const { keys, organisations } = t;
  const startDate = today();
  const pricing = (productCode: string) => ({ productCode, inputs: structuredClone(vector.inputs), startDate });
  const solo: Record<string, unknown> = { ...structuredClone(shippedDefinition), code: SOLO };
  delete solo.coInsurance;
  await ok(await t.http.post('/v1/products').set(bearer(keys.insurerAdmin)).send({ definition: solo }), 'KCIC solo product');
  await ok(await publishAs(t.http, keys, SOLO, shippedDefinition.version), 'publish KCIC solo product');
  const other = { ...structuredClone(shippedDefinition), code: OTHER_PRODUCT, insurer: 'HTIC', coInsurance: { members: [{ insurer: 'HTIC', role: 'lead', sharePercent: '60' }, { insurer: 'ZXIC', role: 'follower', sharePercent: '40' }] } };
  await ok(await t.http.post('/v1/products').set(bearer(keys.otherInsurerAdmin)).send({ definition: other }), 'HTIC product');
  // ZXIC accepts its share of HTIC's pool (pool consent) before HTIC publishes.
  const zxicInvitations = (await ok(await t.http.get('/v1/pool-invitations').set(bearer(keys.poolInsurerAdmin)), 'ZXIC invitations')).items as { id: string; productCode: string }[];
  const invitationOf = (product: string) => zxicInvitations.find((i) => i.productCode === product)!.id;
  await ok(await t.http.post(`/v1/pool-invitations/${invitationOf(OTHER_PRODUCT)}/accept`).set(bearer(keys.poolInsurerAdmin)), 'ZXIC accepts');
  // Four-eyes: HTIC's admin submits, a second HTIC admin publishes.
  const hticChecker = await issueSecondAdmin(t.http, keys.otherInsurerAdmin, organisations.HTIC!);
  await ok(await publishAs(t.http, keys, OTHER_PRODUCT, shippedDefinition.version, { maker: keys.otherInsurerAdmin, checker: hticChecker }), 'publish HTIC product');
  const firm = await ok(await t.http.post('/v1/organisations').set(bearer(keys.platformAdmin)).send({ code: 'OTHERBRK', kind: 'broker', name: '另一家经纪公司' }), 'second broker');
  const otherBrokerKey = String((await ok(await t.http.post(`/v1/organisations/${String(firm.id)}/api-keys`).set(bearer(keys.platformAdmin)).send({ userName: '经纪人乙', role: 'broker' }), 'second broker key')).apiKey);
  // A broker quotes only for its firm's clients: OTHERBRK links JNXC first (MXB has both by the demo seed).
  await ok(await t.http.post('/v1/clients').set(bearer(otherBrokerKey)).send({ unifiedSocialCreditCode: '91370102MA3C8N5R2L' }), 'second broker links JNXC');

  const make = async (key: string, product: string, enterpriseId: string, enterpriseCode: string, insurerCode: string, regionCode: string): Promise<SideRecords> => {
    const quote = async (refer = false) => {
      const body = { ...pricing(product), enterpriseId };
      if (refer) body.inputs.aggregateLimit = Number(body.inputs.contractAmount) / 2;
      return ok(await t.http.post('/v1/quotes').set(bearer(key)).send(body), `quote on ${product}`);
    };
    const [first, second, referred, toBind] = [await quote(), await quote(), await quote(true), await quote()];
    const policy = await ok(await t.http.post(`/v1/quotes/${String(toBind.id)}/bind`).set(bearer(key)), `bind on ${product}`);
    // Endorsed once (a name: no premium change), so its 批单 (endorsement 1) exists for the matrices.
    await ok(await t.http.post(`/v1/policies/${String(policy.id)}/endorsements`).set(bearer(key)).send({ effectiveDate: startDate, inputs: { beneficiaryName: '授权矩阵受益人' }, reason: '授权矩阵' }), `endorse on ${product}`);
    return {
      quote: String(first.id), quote2: String(second.id), referred: String(referred.id), policy: String(policy.id),
      quoteNumbers: [first, second, referred, toBind].map((q) => String(q.quoteNumber)), policyNumber: String(policy.policyNumber),
      organisation: enterpriseId, enterpriseCode, insurerCode, apiKey: '', product, invitation: '', application: `${String(policy.id)}-CN-FIRST-SET`, qualificationList: '', regionCode,
    };
  };
  const side: Record<Side, SideRecords> = {
    A: await make(keys.broker, SOLO, organisations.HZZZ!, 'HZZZ', 'KCIC', '330106'),
    B: await make(otherBrokerKey, OTHER_PRODUCT, organisations.JNXC!, 'JNXC', 'HTIC', '370102'),
  };
  side.A.invitation = invitationOf(FIRST_SET);
  side.B.invitation = invitationOf(OTHER_PRODUCT);
  side.A.apiKey = String((await ok(await t.http.post(`/v1/organisations/${organisations.KCIC!}/api-keys`).set(bearer(keys.platformAdmin)).send({ userName: 'A 一次性', role: 'underwriter' }), 'A key')).keyId);
  side.B.apiKey = String((await ok(await t.http.post(`/v1/organisations/${organisations.HTIC!}/api-keys`).set(bearer(keys.platformAdmin)).send({ userName: 'B 一次性', role: 'underwriter' }), 'B key')).keyId);

  // Each side's subsidy department (#27): the first review of the central first-set programme in
  // the side's province — A's enterprise is in Zhejiang (33), B's in Shandong (37). Each enterprise
  // submits its application; a department sees its own side's and never the other's.
  const department = async (code: string, prefix: string) => {
    const org = await ok(await t.http.post('/v1/organisations').set(bearer(keys.platformAdmin)).send({ code, kind: 'authority', name: `${code} 工信厅（矩阵）`, level: 'provincial', regionPrefixes: [prefix], programmes: ['CN-FIRST-SET'] }), `department ${code}`);
    return String((await ok(await t.http.post(`/v1/organisations/${String(org.id)}/api-keys`).set(bearer(keys.platformAdmin)).send({ userName: `${code} 审核`, role: 'authority-officer' }), `department ${code} key`)).apiKey);
  };
  const [departmentA, departmentB] = [await department('WORLD-ZJ', '33'), await department('WORLD-SD', '37')];
  for (const [s, key, lead] of [[side.A, keys.enterprise, keys.insurerAdmin], [side.B, keys.otherEnterprise, keys.otherInsurerAdmin]] as const) {
    await payInFull(t.http, lead, s.policy); // an application is submitted on premium received in full (#26)
    await ok(await t.http.post(`/v1/policies/${s.policy}/subsidy-applications/CN-FIRST-SET/status`).set(bearer(key)).send({ status: 'submitted' }), `submit ${s.application}`);
  }

  // Each side's department uploads a qualification list (#27): only it reads it.
  for (const [s, key] of [[side.A, departmentA], [side.B, departmentB]] as const) {
    const list = await t.http.post('/v1/qualification-lists?kind=specialised').set(bearer(key)).set('Content-Type', 'text/csv').send(`creditCode,validFrom,validTo\n91330106MA2H7K3Q0L,2026-01-01,2030-12-31\n`);
    s.qualificationList = String((await ok(list, 'qualification list')).id);
  }

  const callers: WorldCaller[] = [
    { name: 'platform-admin', role: 'platform-admin', side: 'A', key: () => keys.platformAdmin },
    { name: 'insurer-admin', role: 'insurer-admin', side: 'A', key: () => keys.insurerAdmin },
    { name: 'underwriter', role: 'underwriter', side: 'A', key: () => keys.underwriter },
    { name: 'broker', role: 'broker', side: 'A', key: () => keys.broker },
    { name: 'enterprise', role: 'enterprise', side: 'A', key: () => keys.enterprise },
    { name: 'other insurer-admin', role: 'insurer-admin', side: 'B', key: () => keys.otherInsurerAdmin },
    { name: 'other broker', role: 'broker', side: 'B', key: () => otherBrokerKey },
    { name: 'other enterprise', role: 'enterprise', side: 'B', key: () => keys.otherEnterprise },
    { name: 'authority', role: 'authority-officer', side: 'A', key: () => departmentA },
    { name: 'other authority', role: 'authority-officer', side: 'B', key: () => departmentB },
    { name: 'no key', side: 'A', key: () => '' },
    { name: 'bad key', side: 'A', key: () => 'tik_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' },
  ];
  const foreignOf = (caller: WorldCaller) => side[caller.role === 'platform-admin' || !caller.role ? 'B' : caller.side === 'A' ? 'B' : 'A'];
  const ownOf = (caller: WorldCaller) => side[foreignOf(caller) === side.A ? 'B' : 'A'];
  return { side, callers, startDate, pricing, foreignOf, ownOf };
}

/** Whether a route's or page's access admits `role`. */
export function allows(access: string | readonly string[], role: string): boolean {
  return access === 'public' || access === 'signed-in' || (Array.isArray(access) && access.includes(role));
}

/**
 * A path with its parameters naming the caller's own records (`{id}` API style or `:id` page style):
 * the matrices and the index test try every route on the caller's own objects. `table` names a
 * rate table of the product; `year` the world's year.
 */
export function ownPath(path: string, own: SideRecords, places: { table: string; year: string }): string {
  const segments = path.split('/');
  return segments.map((segment, i) => {
    const name = /^\{(\w+)\}$/.exec(segment)?.[1] ?? /^:(\w+)$/.exec(segment)?.[1];
    if (!name) return segment;
    const before = segments[i - 1];
    if (name === 'version') return shippedDefinition.version;
    if (name === 'table') return places.table;
    if (name === 'programme') return 'CN-FIRST-SET';
    if (name === 'year') return places.year;
    if (before === 'endorsements') return '1';
    if (before === 'quotes') return own.quote;
    if (before === 'policies') return own.policy;
    if (before === 'subsidy-applications' || before === 'applications') return own.application;
    if (before === 'organisations' || before === 'clients') return own.organisation;
    if (before === 'api-keys') return own.apiKey;
    if (before === 'qualification-lists') return own.qualificationList;
    if (before === 'products' || before === 'catalogue') return own.product;
    throw new Error(`no own value for ${segment} in ${path}; teach ownPath() (tenant-world.ts) about it`);
  }).join('/');
}
