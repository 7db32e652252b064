// Policies due for renewal (#26): `GET /v1/policies?expiringWithin=N`. As a policy is issued it is
// appended, for the China month its cover ends, to the list of every party that may see it
// (scope.ts expiringKeysOf: `expiring|<listKey>|<YYYY-MM>`, a keyed log read by `_id`). A caller's
// window of N days (1..366) reads its own list of the months the window touches, keeps the
// entries ending inside it (re-checked against its scope, scope.ts scopedExpiring) and loads their
// summaries: what it costs follows the policies ending in those months, never the book.
import type { Caller } from '../auth/caller.ts';
import { BUSINESS_SHORT_NAMES, expiringKeysOf, scopedExpiring, type BusinessEntry } from '../auth/scope.ts';
import { defineKeyedLog, shortFieldNames } from '../db/keyed-log.ts';
import { invalidInput } from '../http/app-error.ts';
import { addDays, chinaDate } from '../rating/calendar.ts';
import { loadSummaries } from './policy-lists.ts';
import type { PolicyList, PolicyRecord, PolicySummary } from './policy-schemas.ts';

/** What a due-for-renewal entry carries: the parties and product (the scope check and filters) and the last day of cover. */
export interface ExpiringEntry extends BusinessEntry { endDate: string }

const expiringLists = defineKeyedLog<ExpiringEntry>('PolicyExpiringEntry', 'policyExpiring', { codec: shortFieldNames({ ...BUSINESS_SHORT_NAMES, endDate: 'd' }) });

/** Appends an issued policy to the due-for-renewal list of every party that may see it (again: nothing). */
export async function listExpiringPolicy(policy: PolicyRecord): Promise<void> {
  const entry: ExpiringEntry = {
    brokerOrganisationId: policy.brokerOrganisationId, insurerOrganisationId: policy.insurerOrganisationId, enterpriseOrganisationId: policy.enterpriseOrganisationId,
    ...(policy.poolMemberIds?.length ? { poolMemberIds: [...policy.poolMemberIds] } : {}), productCode: policy.productCode, endDate: policy.endDate,
  };
  await Promise.all(expiringKeysOf(entry, policy.endDate).map((key) => expiringLists.append(key, policy.id, entry)));
}

/** The months (YYYY-MM) from `first`'s to `last`'s, in order. */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  let [y, m] = first.slice(0, 7).split('-').map(Number) as [number, number];
  const end = last.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    months.push(month);
    if (month >= end) return months;
    m = m === 12 ? 1 : m + 1;
    if (m === 1) y++;
  }
}

export interface ExpiringQuery { expiringWithin: number; productCode?: string | undefined; enterpriseId?: string | undefined; limit: number; offset?: number | undefined; after?: string | undefined }

/**
 * The policies the caller may see whose cover ends from today to today + N (China dates), the
 * soonest first, as summaries (a cancelled one is left out), with how many end in the window.
 */
export async function listExpiringPolicies(caller: Caller, query: ExpiringQuery, now: Date = new Date()): Promise<PolicyList> {
  if (query.after !== undefined) throw invalidInput('The due-for-renewal list is paged by offset.', [{ path: 'query.after', message: 'must be left out with expiringWithin (offset pages)' }]);
  const today = chinaDate(now);
  const last = addDays(today, query.expiringWithin);
  const filter = { ...(query.productCode ? { productCode: query.productCode } : {}), ...(query.enterpriseId ? { enterpriseId: query.enterpriseId } : {}) };
  const due = (await Promise.all(monthsBetween(today, last).map(async (month) => {
    const { key, accept } = scopedExpiring(caller, month, filter);
    return (await expiringLists.all(key)).filter((e) => accept(e.value) && e.value.endDate >= today && e.value.endDate <= last);
  }))).flat();
  due.sort((a, b) => (a.value.endDate === b.value.endDate ? (a.ref < b.ref ? -1 : 1) : a.value.endDate < b.value.endDate ? -1 : 1));
  // Only the page's summaries are read; one cancelled since it was listed is left out of its page.
  const offset = query.offset ?? 0;
  const page = due.slice(offset, offset + query.limit);
  const summaries = (await loadSummaries(page)).filter((s): s is PolicySummary => s !== null && (s.status as string) !== 'cancelled');
  return { items: summaries, total: due.length, limit: query.limit, offset };
}

/** The migration of a data folder from before the due-for-renewal lists: every stored policy appended (idempotent; offline). */
export async function buildExpiringLists(records: AsyncIterable<PolicyRecord>): Promise<{ policies: number }> {
  let policies = 0;
  let batch: PolicyRecord[] = [];
  const flush = async () => {
    await Promise.all(batch.map(listExpiringPolicy));
    policies += batch.length;
    batch = [];
  };
  for await (const record of records) {
    batch.push(record);
    if (batch.length === 200) await flush();
  }
  await flush();
  return { policies };
}
