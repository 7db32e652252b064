// The departments' summaries (#27) as kept facts in a keyed log (src/db/keyed-log.ts): when an
// application is submitted, and when its outcome (granted, refused) or its withdrawal is recorded,
// one immutable fact is appended to the summary log of each list the application is in
// (scope.ts summaryKeysOf: `summary|<list key>|<YYYY-MM>`, the China month it was submitted in).
// A summary reads the months of its period of the lists its caller reads and folds them
// (department-summary.ts): what a period holds, never a whole book.
import { summaryKey, summaryListsOf, summaryMonthsKey, type ApplicationScopeEntry } from '../auth/scope.ts';
import { defineKeyedLog } from '../db/keyed-log.ts';
import type { ApplicationListEntry } from './subsidy-application-lists.ts';
import type { ApplicationStep } from './subsidy-application-model.ts';

/** An application submitted: what the summary counts of it (ref `<application id>|submitted`). */
export interface SubmittedFact extends ApplicationScopeEntry {
  kind: 'submitted';
  id: string;
  name: ApplicationListEntry['name'];
  submittedOn: string;
  appliedFen: number;
}

/** What became of it (ref `<application id>|outcome`): granted (with the amount), refused or withdrawn. */
export interface OutcomeFact extends ApplicationScopeEntry {
  kind: 'outcome';
  id: string;
  submittedOn: string;
  status: Exclude<ApplicationStep['status'], 'submitted'>;
  amountFen?: number;
}

export type SummaryFact = SubmittedFact | OutcomeFact;

export const departmentSummaryLog = defineKeyedLog<SummaryFact>('DepartmentSummaryFact', 'departmentSummaryLogs');

/** Per list, the months (YYYY-MM) it has facts in, each once (ref = the month): a summary reads only those of its period. */
export const departmentSummaryMonths = defineKeyedLog<string>('DepartmentSummaryMonth', 'departmentSummaryMonths');

/** The fact a recorded step adds to the summaries of its application (listed as `entry`). */
export function summaryFactOf(entry: ApplicationListEntry, step: Pick<ApplicationStep, 'status' | 'amountFen'>): { ref: string; fact: SummaryFact } {
  const base = { id: entry.id, programme: entry.programme, regionCode: entry.regionCode, submittedOn: entry.submittedOn };
  if (step.status === 'submitted') return { ref: `${entry.id}|submitted`, fact: { kind: 'submitted', ...base, name: entry.name, appliedFen: entry.appliedFen } };
  return { ref: `${entry.id}|outcome`, fact: { kind: 'outcome', ...base, status: step.status, ...(step.status === 'granted' ? { amountFen: step.amountFen ?? 0 } : {}) } };
}

/** The logs a fact of this application goes to: each of its lists, in the month it was submitted. */
export const summaryFactKeys = (entry: ApplicationListEntry) => summaryListsOf(entry).map((list) => summaryKey(list, entry.submittedOn.slice(0, 7)));

/** The month logs of the application's lists, with its submission month. */
export const summaryMonthKeys = (entry: ApplicationListEntry) => summaryListsOf(entry).map((list) => ({ key: summaryMonthsKey(list), ref: entry.submittedOn.slice(0, 7), value: entry.submittedOn.slice(0, 7) }));

/** Appends a recorded step's fact to its application's summary logs, and the month to its lists' months (idempotent by ref). */
export async function recordSummaryStep(entry: ApplicationListEntry, step: Pick<ApplicationStep, 'status' | 'amountFen'>): Promise<void> {
  const { ref, fact } = summaryFactOf(entry, step);
  await departmentSummaryMonths.appendAll(summaryMonthKeys(entry));
  await departmentSummaryLog.appendAll(summaryFactKeys(entry).map((key) => ({ key, ref, value: fact })));
}
