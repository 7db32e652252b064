// Data folders written before the departments decided subsidy applications (#27): every outcome
// recorded so far was the enterprise's (or its broker's) own, and is marked `recordedBy:
// 'enterprise'` (the views show it as such); every submitted application is appended to the
// departments' lists (and a decided one to its status's lists) under the region its submission
// records — recorded now, from the enterprise's region, on a submission from before it was kept.
// A scan of the steps: offline, once (book:migrate, or the service's first start on the folder);
// idempotent — run again, nothing new.
import { policyReaderForApplication, type ScopedActor } from '../auth/scope.ts';
import { getPolicy } from '../policies/policy-service.ts';
import { applicationEntryOf, currentRegionOf, listApplicationStatus, listSubmittedApplication } from './subsidy-application-lists.ts';
import { SubsidyApplicationStepModel, type ApplicationStep } from './subsidy-application-model.ts';
import { applicationLayers } from './subsidy-application-service.ts';

/** The migration reads every application's policy, offline, as the system. */
const SYSTEM: ScopedActor = { role: 'system', organisationId: '' };

type StoredStep = ApplicationStep & { _id: string; policyId: string; programme: string };

/** Marks the outcomes recorded before departments decided them, and lists every submitted application for its departments. */
export async function migrateApplicationsToDepartments(): Promise<{ steps: number; markedAsEnterprise: number; listed: number }> {
  const steps = await SubsidyApplicationStepModel.find({}).sort({ at: 1 }).lean<StoredStep[]>();
  let markedAsEnterprise = 0;
  for (const step of steps) {
    if (step.status === 'submitted' || step.recordedBy) continue;
    // Only while unmarked: a department's decision is never re-marked.
    const res = await SubsidyApplicationStepModel.updateOne({ _id: step._id, recordedBy: { $exists: false } }, { $set: { recordedBy: 'enterprise' } });
    markedAsEnterprise += res.modifiedCount;
  }
  const outcomes = new Map(steps.filter((s) => s.status !== 'submitted').map((s) => [`${s.policyId}:${s.programme}`, s]));
  let listed = 0;
  for (const submitted of steps.filter((s) => s.status === 'submitted')) {
    // A submission from before its region was recorded: recorded now (the region the lists then used).
    if (submitted.regionCode === undefined) {
      submitted.regionCode = await currentRegionOf({ enterpriseId: submitted.enterpriseId ?? '' });
      await SubsidyApplicationStepModel.updateOne({ _id: submitted._id, regionCode: { $exists: false } }, { $set: { regionCode: submitted.regionCode } });
    }
    const reader = policyReaderForApplication(SYSTEM, { programme: submitted.programme, regionCode: submitted.regionCode });
    const policy = reader && await getPolicy(reader, submitted.policyId).catch(() => null);
    const layer = policy && applicationLayers(policy).find((l) => l.programme === submitted.programme);
    if (!policy || !layer) continue;
    const entry = await applicationEntryOf(policy, layer, submitted);
    await listSubmittedApplication(entry);
    const outcome = outcomes.get(`${submitted.policyId}:${submitted.programme}`);
    if (outcome) await listApplicationStatus(entry, outcome.status);
    listed++;
  }
  return { steps: steps.length, markedAsEnterprise, listed };
}
