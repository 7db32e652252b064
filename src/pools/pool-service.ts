// Pools as their members see them: the co-insured policies an insurer carries a share of, and its
// statement for a period. Policies are read through the policies capability.
import type { Caller } from '../auth/caller.ts';
import { insurerDirectory } from '../catalogue/pool-members.ts';
import { invalidInput } from '../http/app-error.ts';
import { listPoolPolicies } from '../policies/policy-service.ts';
import { addDays, chinaDate } from '../rating/index.ts';
import { buildPoolStatement, type PoolStatement } from './pool-statement.ts';

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
  const [policies, directory] = await Promise.all([listPoolPolicies(caller, period), insurerDirectory()]);
  const names = new Map([...directory.values()].map((i) => [i.code, i.name]));
  const insurer = { insurer: caller.organisationCode, name: names.get(caller.organisationCode) ?? caller.organisationCode };
  return buildPoolStatement(insurer, period, policies, names, (p) => chinaDate(new Date(p.issuedAt)));
}
