// The subsidies capability's front door, built once by src/service.ts: the programmes (what the
// catalogue's and quotes' ports read), the ledger (each enterprise's subsidies of a year, written in
// reaction to a policy issued and to each recorded outcome), the applications with what a caller
// may do next with one, the subsidy year, and the application PDFs and ZIPs when a renderer was
// composed.
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import type { DocumentService } from '../documents/document-service.ts';
import type { Caller } from '../auth/caller.ts';
import { decideApplication, getReviewedApplication, listReviewedApplications, reviewedPolicy } from './application-review.ts';
import { departmentSummary } from './department-summary.ts';
import { confirmQualificationList, previewQualificationList } from './qualification-list-preview.ts';
import { buildNewestQualificationLists, getQualificationList, listOwnQualificationLists } from './qualification-lists.ts';
import { migrateApplicationsToDepartments } from './application-migration.ts';
import { applicationActions } from './subsidy-actions.ts';
import type { SubsidyApplicationDocuments } from './subsidy-application-pdf.ts';
import { listApplications, recordApplicationStatus } from './subsidy-application-service.ts';
import { grantedOnPolicy } from './subsidy-granted.ts';
import { recordPolicySubsidies, recordSubsidyChange, subsidiesRecorded } from './subsidy-ledger.ts';
import { subsidyDeltas, type PolicyChange } from '../policies/policy-changes.ts';
import { listSubsidyProgrammes, subsidyProgrammesByCode, subsidyProgrammesFor, upsertSubsidyProgramme } from './subsidy-programmes.ts';
import { migrateSubsidyYears, verifySubsidyYears } from './subsidy-year-book.ts';
import { appendYearChange, appendYearPolicy, yearChangeEntry, yearPolicyEntry } from './subsidy-year-log.ts';
import { subsidyYear, writeSubsidyYear } from './subsidy-year-service.ts';

/**
 * Reaction to a policy issued: the ledger records the subsidies it expects, and the subsidy years
 * of its enterprise, broker and the platform the policy with its applications (both idempotent).
 */
async function recordIssuedPolicy(policy: PolicyRecord): Promise<void> {
  const subsidies = policy.result.subsidies.layers.map((l) => ({ programme: l.programme, amountFen: l.amountFen }));
  await recordPolicySubsidies({ id: policy.id, enterpriseId: policy.enterpriseOrganisationId, startDate: policy.startDate, subsidies });
  const entry = yearPolicyEntry(policy);
  if (entry) await appendYearPolicy(entry);
}

/**
 * Reaction to a policy changed (an endorsement, a cancellation): the ledger records what the change
 * adds to or takes from each programme (so the next quote's annual caps count the policy's latest
 * layers), and the years the policy's layers after the change (both idempotent by the change's ref).
 */
async function recordPolicyChange(change: PolicyChange): Promise<void> {
  await recordSubsidyChange({ policyId: change.policyId, enterpriseId: change.enterpriseOrganisationId, startDate: change.startDate, ref: change.ref, deltas: subsidyDeltas(change) });
  await appendYearChange(yearChangeEntry(change));
}

export function createSubsidies(deps: { documents?: SubsidyApplicationDocuments; schedules?: Pick<DocumentService, 'policyPdf'> } = {}) {
  /** The policy schedule of an application a department reviews (404 outside its scope); undefined without a renderer. */
  const applicationSchedule = deps.schedules && (async (caller: Caller, id: string, lang: 'zh-CN' | 'en', ifNoneMatch?: string) => {
    const { policyId, reader } = await reviewedPolicy(caller, id);
    return deps.schedules!.policyPdf(reader, policyId, lang, ifNoneMatch);
  });
  return Object.freeze({
    /** Programmes that subsidise a line; store one (product sync); every programme. */
    programmesFor: subsidyProgrammesFor, upsertProgramme: upsertSubsidyProgramme, listProgrammes: listSubsidyProgrammes, programmesByCode: subsidyProgrammesByCode,
    /** Subsidy per programme on an enterprise's policies starting in a year: granted where known, else expected. */
    recorded: subsidiesRecorded,
    /** The reaction src/service.ts registers on a policy issued. */
    recordIssuedPolicy,
    /** The reaction src/service.ts registers on a policy changed. */
    recordPolicyChange,
    listApplications, recordApplicationStatus, applicationActions, subsidyYear, writeSubsidyYear,
    /** The departments' side (#27): their queue, one application, the decision, the policy schedule through an application. */
    listReviewedApplications, getReviewedApplication, decideApplication, applicationSchedule,
    /** A department's summary of its applications in a period, per programme and province (#27). */
    departmentSummary,
    /** A department's qualification lists on the pages (#27): its versions, one with a page of rows, an upload previewed then confirmed. */
    listOwnQualificationLists, getQualificationList, previewQualificationList, confirmQualificationList,
    /** Offline (book:migrate): outcomes recorded before the departments decided are marked as the enterprise's; submitted applications listed. */
    migrateDepartments: migrateApplicationsToDepartments,
    /** Offline (book:migrate): the newest version of each kind per region, from the stored versions (what quotes read). */
    migrateQualificationLists: buildNewestQualificationLists,
    /** Offline (book:migrate, book:verify): build the subsidy years from the stored book; compare them with a recomputation. */
    migrateYears: migrateSubsidyYears, verifyYears: verifySubsidyYears,
    /** Subsidies granted on a policy's applications (the insurers' report, #27). */
    grantedOnPolicy,
    /** Application PDFs and ZIPs; undefined when no renderer was composed (their routes answer 503). */
    documents: deps.documents,
  });
}
export type SubsidiesService = ReturnType<typeof createSubsidies>;
