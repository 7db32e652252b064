// The departments' summary facts (department-summary-log.ts) built from, and checked against, the
// stored application steps: a scan of the steps, offline (book:migrate, the service's first start on
// a data folder written before them, and book:verify). Idempotent: run again, nothing new.
import { expectEntry, logDifferences, type ExpectedLog } from '../db/log-verify.ts';
import { departmentSummaryLog, departmentSummaryMonths, summaryFactKeys, summaryFactOf, summaryMonthKeys, type SummaryFact } from './department-summary-log.ts';
import type { ApplicationListEntry } from './subsidy-application-lists.ts';
import { storedApplications } from './application-migration.ts';

/** Every submitted application's facts (its submission and, when recorded, its outcome) with the keys they belong to. */
async function* storedFacts(): AsyncGenerator<{ entry: ApplicationListEntry; keys: string[]; ref: string; fact: SummaryFact }> {
  for await (const { entry, submitted, outcome } of storedApplications()) {
    const keys = summaryFactKeys(entry);
    yield { entry, keys, ...summaryFactOf(entry, submitted) };
    if (outcome) yield { entry, keys, ...summaryFactOf(entry, outcome) };
  }
}

/** Appends every stored application's facts to its summary logs (a data folder from before them); again: nothing new. */
export async function migrateDepartmentSummaries(): Promise<{ facts: number }> {
  let facts = 0;
  for await (const { entry, keys, ref, fact } of storedFacts()) {
    await departmentSummaryMonths.appendAll(summaryMonthKeys(entry));
    await departmentSummaryLog.appendAll(keys.map((key) => ({ key, ref, value: fact })));
    facts++;
  }
  return { facts };
}

/** The differences between the kept summary logs and a recomputation from the stored steps (none: they agree). */
export async function verifyDepartmentSummaries(): Promise<string[]> {
  const expected: ExpectedLog<SummaryFact> = new Map();
  const months: ExpectedLog<string> = new Map();
  for await (const { entry, keys, ref, fact } of storedFacts()) {
    for (const key of keys) expectEntry(expected, key, ref, fact);
    for (const m of summaryMonthKeys(entry)) expectEntry(months, m.key, m.ref, m.value);
  }
  const differences = [...await logDifferences(departmentSummaryMonths, months), ...await logDifferences(departmentSummaryLog, expected)];
  return differences.map((d) => `department summary ${d}`);
}
