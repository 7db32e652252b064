// A pool member's statement (共保结算清单) for a period: the co-insured policies its insurer carries
// a share of, read from the member's months (pool-month-log.ts: kept as policies are issued, so a
// month costs its own policies, never the book). A room above policies (floor 9 of
// docs/architecture.md): the pools room sits below quotes and policies, so it cannot read them.
import { findEnterprisesByIds } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { invalidInput } from '../http/app-error.ts';
import { addDays, chinaDate, type ProductDefinition } from '../rating/index.ts';
import { migratePoolMonths, poolPoliciesOf, recordPoolChange, recordPoolPolicy, verifyPoolMonths } from './pool-month-log.ts';
import { buildPoolStatement, type PoolStatement, type StatementPolicy } from './pool-statement.ts';

/** The longest period one statement covers. */
const MAX_PERIOD_DAYS = 366;

/** A statement period: from the first of this China month to today unless given. */
export function statementPeriod(query: { from?: string; to?: string }, now: Date): { from: string; to: string } {
  const today = chinaDate(now);
  const from = query.from ?? `${today.slice(0, 8)}01`;
  const to = query.to ?? today;
  if (to < from) throw invalidInput('The period ends before it starts.', [{ path: 'query.to', message: 'must be on or after from (order)' }]);
  if (addDays(from, MAX_PERIOD_DAYS) <= to) throw invalidInput(`A statement covers at most ${MAX_PERIOD_DAYS} days.`, [{ path: 'query.to', message: `must be within ${MAX_PERIOD_DAYS} days of from (maximum)` }]);
  return { from, to };
}

/** The caller's insurer's pool statement (共保结算清单) for a period of issue dates. */
export async function poolStatement(caller: Caller, query: { from?: string; to?: string }, now: Date = new Date()): Promise<PoolStatement> {
  const period = statementPeriod(query, now);
  const [policies, directory] = await Promise.all([poolPoliciesOf(caller, period), insurerDirectory()]);
  const names = new Map([...directory.values()].map((i) => [i.code, { insurer: i.code, name: i.name, ...(i.nameEn ? { nameEn: i.nameEn } : {}) }]));
  const insurer = names.get(caller.organisationCode) ?? { insurer: caller.organisationCode, name: caller.organisationCode };
  const [products, enterprises] = await Promise.all([productNamesOf(policies), findEnterprisesByIds([...new Set(policies.map((p) => p.enterpriseId))])]);
  const namesEn = new Map(enterprises.flatMap((e) => (e.nameEn ? [[e.id, e.nameEn] as const] : [])));
  return buildPoolStatement(insurer, period, policies, names, (p) => products.get(`${p.productCode}@${p.productVersion}`) ?? { zh: p.productCode, en: p.productCode }, (p) => chinaDate(new Date(p.issuedAt)), namesEn);
}

/** The name of each policy's product in the version it was issued on (a retired product keeps its name). */
async function productNamesOf(policies: readonly StatementPolicy[]): Promise<Map<string, { zh: string; en: string }>> {
  const pinned = [...new Set(policies.map((p) => `${p.productCode}@${p.productVersion}`))];
  const found = await Promise.all(pinned.map(async (key) => {
    const at = key.lastIndexOf('@');
    const version = await findPinnedVersion(key.slice(0, at), key.slice(at + 1)).catch(() => undefined);
    return [key, version && (version.definition as ProductDefinition).name] as const;
  }));
  return new Map(found.flatMap(([key, name]) => (name ? [[key, name] as const] : [])));
}

/**
 * The statements capability (composed in src/service.ts): a pool member's statement for a period;
 * the reaction to a policy issued that keeps the members' months; offline, the months built from
 * the stored book (book:migrate) and compared with a recomputation (book:verify).
 */
export function createStatements() {
  return Object.freeze({ poolStatement, recordIssuedPolicy: recordPoolPolicy, recordPolicyChange: recordPoolChange, migratePoolMonths, verifyPoolMonths });
}
export type StatementsService = ReturnType<typeof createStatements>;
