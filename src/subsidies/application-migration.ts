// Data folders written before the departments decided subsidy applications (#27): every outcome
// recorded so far was the enterprise's (or its broker's) own, and is marked `recordedBy:
// 'enterprise'` (the views show it as such); every submitted application is appended to the
// departments' lists (and a decided one to its status's lists) under the region its submission
// records — recorded now, from the enterprise's region, on a submission from before it was kept.
// A scan of the steps: offline, once (book:migrate, or the service's first start on the folder);
// idempotent — run again, nothing new.
import { policyReaderForApplication, type ScopedActor } from '../auth/scope.ts';
import type { Caller } from '../auth/caller.ts';
import { AppError } from '../http/app-error.ts';
import { getPolicy, type PolicyView } from '../policies/policy-service.ts';
import { applicationEntryOf, currentRegionOf, listApplicationStatus, listSubmittedApplication, type ApplicationListEntry } from './subsidy-application-lists.ts';
import { stepId, SubsidyApplicationStepModel, type ApplicationStep } from './subsidy-application-model.ts';
import { applicationLayers } from './subsidy-application-service.ts';

/** The migration reads every application's policy, offline, as the system. */
const SYSTEM: ScopedActor = { role: 'system', organisationId: '' };

type StoredStep = ApplicationStep & { _id: string; policyId: string; programme: string };

/** The policy of a step, or null when it is gone; a database error stops the migration (it is run again). */
async function policyOrNull(reader: Caller, policyId: string): Promise<PolicyView | null> {
  return getPolicy(reader, policyId).catch((err: unknown) => {
    if (err instanceof AppError && err.kind === 'not_found') return null;
    throw err;
  });
}

/**
 * Every submitted application, oldest first (the lists' order), by cursor: its list entry under
 * the region its submission records (recorded now, once, on a submission from before it was
 * kept) and its outcome step, when recorded. Applications whose policy or layer is gone are left
 * out. Also what the departments' summary facts are built from (department-summary-book.ts).
 */
export async function* storedApplications(): AsyncGenerator<{ entry: ApplicationListEntry; submitted: ApplicationStep; outcome?: ApplicationStep }> {
  for await (const found of SubsidyApplicationStepModel.find({ status: 'submitted' }).sort({ at: 1 }).lean<StoredStep[]>().cursor()) {
    const submitted = found as StoredStep;
    if (submitted.regionCode === undefined) {
      submitted.regionCode = await currentRegionOf({ enterpriseId: submitted.enterpriseId ?? '' });
      await SubsidyApplicationStepModel.updateOne({ _id: submitted._id, regionCode: { $exists: false } }, { $set: { regionCode: submitted.regionCode } });
    }
    const reader = policyReaderForApplication(SYSTEM, { programme: submitted.programme, regionCode: submitted.regionCode });
    const policy = reader ? await policyOrNull(reader, submitted.policyId) : null;
    const layer = policy && (await applicationLayers(policy)).find((l) => l.programme === submitted.programme);
    if (!policy || !layer) continue;
    const entry = await applicationEntryOf(policy, layer, submitted);
    const outcome = await SubsidyApplicationStepModel.findById(stepId(submitted.policyId, submitted.programme, 'outcome')).lean<ApplicationStep>();
    yield { entry, submitted, ...(outcome ? { outcome } : {}) };
  }
}

/** Marks the outcomes recorded before departments decided them, and lists every submitted application for its departments. */
export async function migrateApplicationsToDepartments(): Promise<{ submissions: number; markedAsEnterprise: number; listed: number }> {
  // Only while unmarked: a department's decision is never re-marked.
  const marked = await SubsidyApplicationStepModel.updateMany({ status: { $ne: 'submitted' }, recordedBy: { $exists: false } }, { $set: { recordedBy: 'enterprise' } });
  const submissions = await SubsidyApplicationStepModel.countDocuments({ status: 'submitted' });
  let listed = 0;
  for await (const { entry, outcome } of storedApplications()) {
    await listSubmittedApplication(entry);
    if (outcome) await listApplicationStatus(entry, outcome.status);
    listed++;
  }
  return { submissions, markedAsEnterprise: marked.modifiedCount, listed };
}
