// The one place a caller's scope meets a request's filter. Every list, count, export, statement,
// page and audit read gets its scope here, in one of two forms: a database query for the small
// collections read by query (organisations, products, pool invitations: the scope and the filter
// combined with `$and`), or a keyed-log key and an entry check for what grows with the book
// (quotes, policies, clients, audit trails, subsidy years, pool months: below). Either way a
// filter (`enterpriseId`, `productCode`, a status, a period) can only narrow what the caller may
// see, never replace it; a filter naming something outside the scope finds nothing.
import type { AuthorityCoverage, Caller, Role } from './caller.ts';
import { isOwnInsurer, isVisibleTo, type Parties } from './visibility.ts';

export type QueryFilter = Record<string, unknown>;

/** Who asks: a signed-in caller, or the system itself (start-up sync, CLIs), which sees everything. */
export interface ScopedActor { role: Role | 'system' | (string & {}); organisationId: string }

const everything = (actor: ScopedActor) => actor.role === 'platform-admin' || actor.role === 'system';

/**
 * Actions in an audit trail that only some roles read through their own routes: subsidy
 * applications (submitted, granted, refused) belong to the enterprise, its broker and platform
 * admins (access-rules.ts `subsidyReaders`); insurers' staff never see them.
 */
const restrictedAuditActions: { pattern: string; readers: readonly Role[] }[] = [
  { pattern: '^subsidy\\.', readers: ['enterprise', 'broker', 'platform-admin'] },
];

/** Each kind of scoped collection and the records of it a caller may read. */
const scopes = {
  /** Organisations: a platform admin reads all, everyone else only its own. */
  organisations: (actor: ScopedActor) => (everything(actor) ? {} : { _id: actor.organisationId }),
  /** Products and their versions: an insurer's own (a platform admin's: all). */
  products: (actor: ScopedActor) => (everything(actor) ? {} : { insurerOrganisationId: actor.organisationId }),
  /** Pool invitations: those the caller's insurer is invited to or sent (a platform admin's: all). */
  poolInvitations: (actor: ScopedActor) => (everything(actor) ? {} : { $or: [{ memberOrganisationId: actor.organisationId }, { inviterOrganisationId: actor.organisationId }] }),
} satisfies Record<string, (actor: ScopedActor) => QueryFilter>;

export type ScopeKind = keyof typeof scopes;

function and(...clauses: QueryFilter[]): QueryFilter {
  const kept = clauses.filter((c) => Object.keys(c).length > 0);
  if (kept.length <= 1) return kept[0] ?? {};
  return { $and: kept };
}

/**
 * The query for a list of `kind` as `actor` may read it, narrowed by `filter`: both hold. The
 * filter's fields are the request's (already validated); the scope comes only from the caller.
 */
export function scopedQuery(actor: ScopedActor, kind: ScopeKind, filter: QueryFilter = {}): QueryFilter {
  return and(scopes[kind](actor), filter);
}

// ---------------------------------------------------------------------------------------------
// Lists kept as keyed logs (src/db/keyed-log.ts, #25): the same rule, as list keys. A record is
// appended to the list of every party that may see it (listKeysOf); a caller reads the one list
// its scope names, narrowed by its filter (scopedList), and every entry is checked against the
// caller's scope again (`accept`), so a filter can only narrow, never widen, what it reads.

/** What a business list entry carries: the parties (for the scope check) and the filterable product. */
export interface BusinessEntry extends Parties { productCode: string }

/**
 * The names the parties and the product are stored under in the entries of the keyed logs that
 * carry them (keyed-log.ts shortFieldNames: quote and policy lists, due-for-renewal lists, pool
 * months, subsidy years, insurers' reports): a letter each instead of ~20 characters repeated in
 * every entry (#25, bytes per quote). Entries written before with the long names read the same.
 * The letters must stay what they are (stored data is read by them) and no entry of those logs
 * may have a field of that name.
 */
export const BUSINESS_SHORT_NAMES = { brokerOrganisationId: 'b', insurerOrganisationId: 'i', enterpriseOrganisationId: 'e', poolMemberIds: 'm', productCode: 'p' } as const;

/** The lists a quote or policy with these parties is appended to: everyone who may see it has one. */
export function listKeysOf(parties: Parties): string[] {
  const insurers = new Set([parties.insurerOrganisationId, ...(parties.poolMemberIds ?? [])]);
  return ['all', `broker:${parties.brokerOrganisationId}`, `enterprise:${parties.enterpriseOrganisationId}`, ...[...insurers].map((id) => `insurer:${id}`)];
}

/**
 * The lists a record that has entered `status` is also appended to: one per list of listKeysOf,
 * `<status>|<key>`, so a status filter reads the records that were ever in that status (their
 * summary tells whether they still are) instead of scanning all of the caller's business.
 */
export function statusListKeysOf(parties: Parties, status: string): string[] {
  return listKeysOf(parties).map((key) => `${status}|${key}`);
}

export interface BusinessListFilter { productCode?: string; enterpriseId?: string; ownInsurerOnly?: boolean; status?: string }

/**
 * The list `actor` reads for business (quotes or policies) narrowed by `filter`, and the check
 * every entry must pass: the caller's visibility rule, then the filter. A filter names a smaller
 * list where there is one (an enterprise's; a status's), never a list outside the caller's scope
 * that the check would not also refuse. The referral queue is `{ status: 'referred', ownInsurerOnly }`.
 */
export function scopedList(actor: ScopedActor, filter: BusinessListFilter = {}): { key: string; filtered: boolean; accept: (entry: BusinessEntry) => boolean } {
  const all = everything(actor);
  const own = actor.role === 'broker' ? `broker:${actor.organisationId}` : actor.role === 'enterprise' ? `enterprise:${actor.organisationId}` : all ? 'all' : `insurer:${actor.organisationId}`;
  const led = Boolean(filter.ownInsurerOnly && !all);
  const base = filter.enterpriseId ? `enterprise:${filter.enterpriseId}` : own;
  const key = filter.status ? `${filter.status}|${base}` : base;
  const accept = (entry: BusinessEntry) => (actor.role === 'system' || isVisibleTo(actor as Caller, entry))
    && (!led || isOwnInsurer(actor as Caller, entry))
    && (!filter.productCode || entry.productCode === filter.productCode)
    && (!filter.enterpriseId || entry.enterpriseOrganisationId === filter.enterpriseId);
  // Every entry of the list read passes the check unless the filter narrows it, or the list is an
  // enterprise's read by someone who sees only part of it (a broker, an insurer). A status list
  // holds what was ever in the status: its reader keeps what still is.
  const partOfEnterprise = Boolean(filter.enterpriseId) && !all && base !== own;
  return { key, filtered: Boolean(filter.productCode) || led || Boolean(filter.status) || partOfEnterprise, accept };
}

// #26 (R): the policies due for renewal. A policy is appended, as it is issued, to the list of
// every party that may see it for the China month its cover ends (`expiring|<listKey>|<YYYY-MM>`);
// "expiring within N days" reads the one to thirteen months the window touches and checks
// every entry again, as scopedList does.

/** The due-for-renewal lists of a policy whose cover ends on `endDate` (YYYY-MM-DD): one per list of listKeysOf. */
export function expiringKeysOf(parties: Parties, endDate: string): string[] {
  return listKeysOf(parties).map((key) => `expiring|${key}|${endDate.slice(0, 7)}`);
}

/**
 * The due-for-renewal list of `month` (YYYY-MM) `actor` reads, narrowed by `filter` (the
 * enterprise's list when it names one), and the check every entry passes: the caller's visibility
 * rule, then the filter.
 */
export function scopedExpiring(actor: ScopedActor, month: string, filter: Pick<BusinessListFilter, 'productCode' | 'enterpriseId'> = {}): { key: string; accept: (entry: BusinessEntry) => boolean } {
  const { key, accept } = scopedList(actor, filter);
  return { key: `expiring|${key}|${month}`, accept };
}

/** The list a broker firm's client links are appended to (one entry per enterprise it links). */
export const clientListKey = (brokerOrganisationId: string) => `clients:${brokerOrganisationId}`;

/** The client list `actor` reads: its own firm's, whatever its filter (`q` narrows it, in the clients capability). */
export function scopedClientList(actor: ScopedActor): { key: string } {
  return { key: clientListKey(actor.organisationId) };
}

/** The log one record's audit entries are appended to, as they are written. */
export const auditTrailKey = (entityType: string, entityId: string) => `${entityType}:${entityId}`;

/**
 * The audit trail `actor` reads of one record it may already see (the record's capability checked
 * that), and the check every entry passes: the actions its role does not read are dropped (the
 * same rule as the `auditEntries` query above). `filtered` when some action may be dropped.
 */
export function scopedAuditTrail(actor: ScopedActor, entityType: string, entityId: string): { key: string; filtered: boolean; accept: (entry: { action: string }) => boolean } {
  const hidden = restrictedAuditActions.filter((r) => !r.readers.includes(actor.role as Role) && actor.role !== 'system').map((r) => new RegExp(r.pattern));
  return { key: auditTrailKey(entityType, entityId), filtered: hidden.length > 0, accept: (entry) => !hidden.some((pattern) => pattern.test(entry.action)) };
}

// ---------------------------------------------------------------------------------------------
// Aggregates kept as keyed logs (#25): a subsidy year and a pool member's month. The same rule as
// the lists: a fact is appended for every party that may read it (yearKeysOf, poolMonthKeysOf);
// a caller reads the one log its scope names (scopedYear, scopedPoolMonth) and every entry is
// checked against its scope again, so a filter (an enterprise) narrows and never widens.

/** The subsidy-year logs a policy starting in `year` (YYYY) is appended to: its enterprise's, its broker's, the platform's. */
export function yearKeysOf(parties: Parties, year: string): string[] {
  return [`year:all:${year}`, `year:broker:${parties.brokerOrganisationId}:${year}`, `year:enterprise:${parties.enterpriseOrganisationId}:${year}`];
}

/**
 * The subsidy year `actor` reads (an enterprise: its own; a broker: its firm's; a platform admin:
 * all), narrowed to one enterprise by `enterpriseId`, and the check every policy entry passes.
 */
export function scopedYear(actor: ScopedActor, year: string, enterpriseId?: string): { key: string; accept: (entry: Parties) => boolean } {
  const own = actor.role === 'broker' ? `year:broker:${actor.organisationId}:${year}` : actor.role === 'enterprise' ? `year:enterprise:${actor.organisationId}:${year}` : everything(actor) ? `year:all:${year}` : `year:none:${year}`;
  const key = enterpriseId ? `year:enterprise:${enterpriseId}:${year}` : own;
  // Insurer staff read no subsidy year (access-rules.ts subsidyReaders): nothing passes for them.
  const reads = everything(actor) || actor.role === 'broker' || actor.role === 'enterprise';
  const accept = (entry: Parties) => reads && (actor.role === 'system' || isVisibleTo(actor as Caller, entry))
    && (!enterpriseId || entry.enterpriseOrganisationId === enterpriseId);
  return { key, accept };
}

/** The pool-statement logs a co-insured policy issued in `month` (YYYY-MM, China) is appended to: each member's. */
export function poolMonthKeysOf(parties: Parties, month: string): string[] {
  return [...new Set(parties.poolMemberIds ?? [])].map((id) => `pool:${id}:${month}`);
}

/** The month of pool business `actor`'s insurer reads, and the check every entry passes (it is a member of the entry's pool). */
export function scopedPoolMonth(actor: ScopedActor, month: string): { key: string; accept: (entry: Parties) => boolean } {
  return { key: `pool:${actor.organisationId}:${month}`, accept: (entry: Parties) => (entry.poolMemberIds ?? []).includes(actor.organisationId) };
}

// ---------------------------------------------------------------------------------------------
// The insurers' tech-insurance report (#27): per insurer and half year, one entry per policy it
// carries (sole business, or its own share of pool business), appended as policies are issued.

/** The report log of one insurer (organisation id) and half year (`2026H1`). */
export const insurerReportKey = (insurerId: string, half: string) => `report|${insurerId}|${half}`;

/** The insurers a policy with these parties is reported by: the issuing insurer and every pool member. */
export function reportingInsurersOf(parties: Parties): string[] {
  return [...new Set([parties.insurerOrganisationId, ...(parties.poolMemberIds ?? [])])];
}

/**
 * Whose report `actor` may read: its own insurer's (an insurer admin; naming another insurer is
 * refused), or the insurer it names (a platform admin or the system). Undefined: not allowed.
 */
export function reportInsurerOf(actor: ScopedActor, insurerId?: string): string | undefined {
  if (everything(actor)) return insurerId;
  if (actor.role !== 'insurer-admin') return undefined;
  return insurerId === undefined || insurerId === actor.organisationId ? actor.organisationId : undefined;
}

/**
 * The report log `actor` reads for `insurerId` (from reportInsurerOf) and a half year, and the
 * check every entry passes: it is that insurer's entry, of a policy the caller may see.
 */
export function scopedInsurerReport(actor: ScopedActor, insurerId: string, half: string): { key: string; accept: (entry: Parties & { memberId: string }) => boolean } {
  return {
    key: insurerReportKey(insurerId, half),
    accept: (entry) => entry.memberId === insurerId && reportingInsurersOf(entry).includes(insurerId) && (everything(actor) || isVisibleTo(actor as Caller, entry)),
  };
}

// Subsidy applications as the departments read them (#27). A submitted application is appended to
// the lists of its programme at every prefix of its enterprise's region code — the whole country
// (`*`), the province (2 digits), the city (4) and the district (6) — and to the platform's list,
// so a department reads exactly the lists its coverage names (its programmes × its prefixes; a
// central department: its programmes' `*`) without enumerating regions or scanning anything, and
// every entry is checked against its coverage again. A decision (or a withdrawal) appends it to the
// same lists prefixed by the status it entered, which a status filter reads.

/** What a department list entry carries for the scope check and the filters (immutable facts). */
export interface ApplicationScopeEntry { programme: string; regionCode: string }

/** The region-code prefixes a 6-digit region code lies under: its province, city and district (none for anything else). */
export function regionPrefixesOf(regionCode: string): string[] {
  return /^[0-9]{6}$/.test(regionCode) ? [regionCode.slice(0, 2), regionCode.slice(0, 4), regionCode] : [];
}

const applicationListKey = (programme: string, region: string) => `applications|${programme}|${region}`;
const ALL_APPLICATIONS = 'applications|all';

/** The lists a submitted application is appended to: the platform's, its programme's everywhere, and per prefix of its region. */
export function applicationListKeysOf(entry: ApplicationScopeEntry): string[] {
  return [ALL_APPLICATIONS, applicationListKey(entry.programme, '*'), ...regionPrefixesOf(entry.regionCode).map((p) => applicationListKey(entry.programme, p))];
}

/** The lists an application that entered `status` (granted, refused, withdrawn) is also appended to. */
export function applicationStatusListKeysOf(entry: ApplicationScopeEntry, status: string): string[] {
  return applicationListKeysOf(entry).map((key) => `${status}|${key}`);
}

/** Whether a department with this coverage reviews the application: one of its programmes, from a region it covers. */
function coversApplication(coverage: AuthorityCoverage, entry: ApplicationScopeEntry): boolean {
  if (!coverage.programmes.includes(entry.programme)) return false;
  if (coverage.level === 'central') return true;
  return coverage.regionPrefixes.some((p) => /^[0-9]{2,6}$/.test(p) && entry.regionCode.startsWith(p));
}

/** Whether `actor` may read this application at all: a platform admin (or the system) every one, a department those it covers. */
export function seesApplication(actor: ScopedActor & { authority?: AuthorityCoverage }, entry: ApplicationScopeEntry): boolean {
  if (everything(actor)) return true;
  return actor.role === 'authority-officer' && actor.authority !== undefined && coversApplication(actor.authority, entry);
}

/** The platform's sight a department's application reads its policy with (its own role sees no policy: visibility.ts). */
const APPLICATION_POLICY_READER: Caller = Object.freeze({ keyId: 'system:subsidy-applications', userName: 'subsidy applications', role: 'platform-admin', organisationId: '', organisationKind: 'platform', organisationCode: 'PLATFORM' });

/**
 * Whom the policy of an application is read as, for `actor` who reads the application (its
 * detail, its PDF, the policy schedule): a platform admin as itself; a department that covers the
 * application (seesApplication) with the platform's sight — it sees no policy as such, only the
 * policies of the applications in its scope; the system (the migration) likewise. Undefined
 * when `actor` may not read the application: its policy is then not read at all.
 */
export function policyReaderForApplication(actor: ScopedActor & { authority?: AuthorityCoverage }, entry: ApplicationScopeEntry): Caller | undefined {
  if (actor.role === 'system') return APPLICATION_POLICY_READER;
  if (!seesApplication(actor, entry)) return undefined;
  return actor.role === 'platform-admin' ? actor as Caller : APPLICATION_POLICY_READER;
}

export interface ApplicationListFilter { programme?: string; region?: string; status?: string }

/** A department's prefixes without those another one of its prefixes already covers (33 covers 3301). */
export function outermost(prefixes: readonly string[]): string[] {
  return [...new Set(prefixes)].filter((p) => !prefixes.some((q) => q !== p && p.startsWith(q))).sort();
}

/**
 * The lists `actor` reads for subsidy applications narrowed by `filter`, in the order a page goes
 * through them (programme by programme, by code), and the check every entry passes: the caller's
 * coverage again, then the filter. `region` (a 2-, 4- or 6-digit prefix) names the narrower list
 * where it lies inside one of the caller's prefixes, the caller's own prefixes inside it where it
 * is wider, and no list at all where it lies outside them: a filter narrows, never widens.
 */
export function scopedApplications(actor: ScopedActor & { authority?: AuthorityCoverage }, filter: ApplicationListFilter = {}): { keys: string[]; filtered: boolean; accept: (entry: ApplicationScopeEntry) => boolean } {
  const region = filter.region;
  const accept = (entry: ApplicationScopeEntry) => seesApplication(actor, entry)
    && (!filter.programme || entry.programme === filter.programme)
    && (!region || entry.regionCode.startsWith(region));
  const status = (key: string) => (filter.status && filter.status !== 'submitted' ? `${filter.status}|${key}` : key);
  const filtered = Boolean(filter.programme || region || filter.status);
  if (everything(actor)) {
    const keys = filter.programme ? [applicationListKey(filter.programme, region ?? '*')] : region ? [] : [ALL_APPLICATIONS];
    // Across programmes by region, a platform admin reads the platform's list, each entry filtered.
    return { keys: (keys.length ? keys : [ALL_APPLICATIONS]).map(status), filtered, accept };
  }
  const coverage = actor.role === 'authority-officer' ? actor.authority : undefined;
  if (!coverage) return { keys: [], filtered, accept: () => false };
  const programmes = [...new Set(coverage.programmes)].filter((p) => !filter.programme || p === filter.programme).sort();
  const own = regionsCoveredBy(coverage);
  const regions = !region ? own : own.flatMap((p) => (p === '*' || region.startsWith(p) ? [region] : p.startsWith(region) ? [p] : []));
  const keys = programmes.flatMap((p) => [...new Set(regions)].map((r) => status(applicationListKey(p, r))));
  return { keys, filtered, accept };
}

// Qualification lists (#27): a department's uploads, indexed (keyed log `qualificationListIndex`)
// under its own key, and the newest version per region key kept in one document per kind: a quote
// finds the newest version covering an enterprise's region in one `_id` read, and a department
// reads only its own versions.

/** The regions a department covers, as list keys name them: `*` for a central department, else its outermost prefixes. */
export function regionsCoveredBy(coverage: AuthorityCoverage): string[] {
  return coverage.level === 'central' ? ['*'] : outermost(coverage.regionPrefixes.filter((p) => /^[0-9]{2}(?:[0-9]{2}){0,2}$/.test(p)));
}

/** The region keys (`<kind>|<region prefix>`) of a list of `kind` covering `regions` (as regionsCoveredBy names them). */
export function qualificationRegionKeysOf(regions: readonly string[], kind: string): string[] {
  return regions.map((r) => `${kind}|${r}`);
}

/** The region keys under which a list of `kind` covering `regionCode` may be found: the whole country, then its province, city and district. */
export function qualificationListKeysCovering(kind: string, regionCode: string): string[] {
  return ['*', ...regionPrefixesOf(regionCode)].map((r) => `${kind}|${r}`);
}

/**
 * The qualification lists `actor` reads: its own department's versions (the index key), and the
 * check every version passes (uploaded by its department). Undefined for anyone but a department.
 */
export function scopedQualificationLists(actor: ScopedActor & { authority?: AuthorityCoverage }): { key: string; accept: (version: { authorityId: string }) => boolean } | undefined {
  if (actor.role !== 'authority-officer' || !actor.authority) return undefined;
  return { key: `authority|${actor.organisationId}`, accept: (version) => version.authorityId === actor.organisationId };
}

// A department's summary (#27) reads kept facts, not the lists: every submitted application and its
// outcome are appended to the summary logs of each list the application is in (the keys above),
// one log per China month of submission, so a summary of a period reads the months of its period
// of exactly the lists its caller reads (scopedApplications), each fact checked again.

/** The summary log of one list and month (YYYY-MM, China). */
export const summaryKey = (listKey: string, month: string) => `summary|${listKey}|${month}`;

/** The log of the months a list has summary facts in (each month once): what a summary reads first, so a long period costs its active months only. */
export const summaryMonthsKey = (listKey: string) => `summary-months|${listKey}`;

/** The lists an application's summary facts go to (each list it is in; the month is its submission's). */
export const summaryListsOf = (entry: ApplicationScopeEntry): string[] => applicationListKeysOf(entry);

/** The lists whose summary logs `actor` reads (narrowed to one programme), and the check every fact passes. */
export function scopedSummary(actor: ScopedActor & { authority?: AuthorityCoverage }, programme?: string): { lists: string[]; accept: (entry: ApplicationScopeEntry) => boolean } {
  const { keys, accept } = scopedApplications(actor, programme ? { programme } : {});
  return { lists: keys, accept };
}
