// The subsidy years of the whole book, rebuilt from what is stored (the policies and the recorded
// application steps): the migration of a data folder written before the years were kept
// (idempotent: every append is by ref), and book:verify's recomputation. Both scan: offline only.
import { yearKeysOf } from '../auth/scope.ts';
import { expectEntry, logDifferences, type ExpectedLog } from '../db/log-verify.ts';
import { allPolicyChanges } from '../policies/policy-changes.ts';
import { allPolicyRecords } from '../policies/policy-service.ts';
import { SubsidyApplicationStepModel, type ApplicationStep } from './subsidy-application-model.ts';
import { appendYearChange, appendYearPolicy, appendYearStep, subsidyYearLog, yearChangeEntry, yearChangeRef, yearPolicyEntry, yearStepEntry, type YearEntry, type YearPolicyEntry, type YearStepEntry } from './subsidy-year-log.ts';

interface StoredStep extends ApplicationStep { _id: string; policyId: string; programme: string }

/** Every fact of every year, recomputed: the policies with applications, then each recorded step. */
async function* bookFacts(): AsyncGenerator<{ policy: YearPolicyEntry; step?: YearStepEntry }> {
  const policies = new Map<string, YearPolicyEntry>();
  for await (const record of allPolicyRecords()) {
    const entry = yearPolicyEntry(record);
    if (!entry) continue;
    policies.set(entry.policyId, entry);
    yield { policy: entry };
  }
  const cursor = SubsidyApplicationStepModel.find({}).lean<StoredStep[]>().cursor({ batchSize: 1000 });
  for await (const step of cursor as AsyncIterable<StoredStep>) {
    const policy = policies.get(step.policyId);
    if (policy) yield { policy, step: yearStepEntry(step.policyId, step.programme, step) };
  }
}

/** Builds the subsidy years from the stored policies and steps (a data folder from before #25); again: nothing new. */
export async function migrateSubsidyYears(): Promise<{ policies: number; steps: number }> {
  const counts = { policies: 0, steps: 0 };
  for await (const { policy, step } of bookFacts()) {
    if (step) {
      await appendYearStep(policy, step);
      counts.steps++;
    } else {
      await appendYearPolicy(policy);
      counts.policies++;
    }
  }
  // Changes (endorsements, cancellations) kept before this ran: appended by ref, so again adds nothing.
  for (const changes of (await allPolicyChanges()).values()) for (const change of changes) await appendYearChange(yearChangeEntry(change));
  return counts;
}

/** The differences between the kept subsidy years and a recomputation from the stored book (none: they agree). */
export async function verifySubsidyYears(): Promise<string[]> {
  const expected: ExpectedLog<YearEntry> = new Map();
  for await (const { policy, step } of bookFacts()) {
    for (const key of yearKeysOf(policy, policy.startDate.slice(0, 4))) {
      if (step) expectEntry(expected, key, `${step.policyId}:${step.programme}:${step.step}`, step);
      else expectEntry(expected, key, `policy:${policy.policyId}`, policy);
    }
  }
  for (const changes of (await allPolicyChanges()).values()) {
    for (const change of changes) {
      const entry = yearChangeEntry(change);
      for (const key of yearKeysOf(entry, entry.startDate.slice(0, 4))) expectEntry(expected, key, yearChangeRef(entry), entry);
    }
  }
  return (await logDifferences(subsidyYearLog, expected)).map((d) => `subsidy year ${d}`);
}
