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
import { applicationEntryOf, currentRegionOf, listApplicationStatus, listSubmittedApplication } from './subsidy-application-lists.ts';
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

/** Marks the outcomes recorded before departments decided them, and lists every submitted application for its departments. */
export async function migrateApplicationsToDepartments(): Promise<{ submissions: number; markedAsEnterprise: number; listed: number }> {
  // Only while unmarked: a department's decision is never re-marked.
  const marked = await SubsidyApplicationStepModel.updateMany({ status: { $ne: 'submitted' }, recordedBy: { $exists: false } }, { $set: { recordedBy: 'enterprise' } });
  let submissions = 0;
  let listed = 0;
  // One submission at a time, oldest first (the lists' order), by cursor; its outcome by `_id`.
  for await (const submitted of SubsidyApplicationStepModel.find({ status: 'submitted' }).sort({ at: 1 }).lean<StoredStep[]>().cursor()) {
    submissions++;
    if (await listSubmission(submitted as StoredStep)) listed++;
  }
  return { submissions, markedAsEnterprise: marked.modifiedCount, listed };
}

/** Lists one submitted application (recording its region first when it has none); false when its policy or layer is gone. */
async function listSubmission(submitted: StoredStep): Promise<boolean> {
  // A submission from before its region was recorded: recorded now (the region the lists then used).
  if (submitted.regionCode === undefined) {
    submitted.regionCode = await currentRegionOf({ enterpriseId: submitted.enterpriseId ?? '' });
    await SubsidyApplicationStepModel.updateOne({ _id: submitted._id, regionCode: { $exists: false } }, { $set: { regionCode: submitted.regionCode } });
  }
  const reader = policyReaderForApplication(SYSTEM, { programme: submitted.programme, regionCode: submitted.regionCode });
  const policy = reader ? await policyOrNull(reader, submitted.policyId) : null;
  const layer = policy && (await applicationLayers(policy)).find((l) => l.programme === submitted.programme);
  if (!policy || !layer) return false;
  const entry = await applicationEntryOf(policy, layer, submitted);
  await listSubmittedApplication(entry);
  const outcome = await SubsidyApplicationStepModel.findById(stepId(submitted.policyId, submitted.programme, 'outcome')).lean<ApplicationStep>();
  if (outcome) await listApplicationStatus(entry, outcome.status);
  return true;
}
