// Four-eyes publishing (maker–checker, issue #28): an insurer admin submits a draft for approval;
// another admin of the same insurer publishes (or schedules) it. The submission covers the draft's
// content except its first day, which the approver chooses when publishing; any other edit after
// the submission voids it, so what is published is what a second person saw submitted.
// Exempt: the platform's own product sync (products/ at start, the products CLI) publishes as the
// system. A platform admin may prepare and submit a draft on the insurer's behalf but never approve
// it: a tariff is the insurer's own decision, so the checker is always one of its admins.
import { recordAudit, type systemActor } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { conflict, invalidInput, type ErrorDetail } from '../http/app-error.ts';
import type { ProductDefinition } from '../rating/index.ts';
import { ProductVersionModel } from './catalogue-model.ts';
import type { PoolMembership } from './pool-membership.ts';
import { hashDefinition } from './product-definitions.ts';
import { testVersion } from './product-versions.ts';
import { publishVersionFrom } from './version-publishing.ts';
import { assertProductVisible, getVersion, type VersionView } from './version-reads.ts';

type Actor = Caller | typeof systemActor;

/** Where a version stands on its way to publication. */
export type ApprovalState = 'not-submitted' | 'submitted' | 'changed-since-submission' | 'published';

export interface ApprovalView {
  productCode: string;
  version: string;
  state: ApprovalState;
  submittedBy?: string;
  submittedAt?: string;
  /** Whether the caller may publish the version now (a submitted draft, and the caller not its submitter). */
  callerMayPublish: boolean;
}

/** The rule's name in every refusal, so a client can tell a four-eyes refusal from a clash of dates. */
export const FOUR_EYES_RULE = 'four-eyes';

/** What a submission covers: the definition without its first day. */
export function approvalHash(definition: ProductDefinition): string {
  const { effectiveFrom: _firstDay, ...content } = definition;
  return hashDefinition(content);
}

interface Submission {
  submittedBy?: string | null;
  submittedByName?: string | null;
  submittedAt?: Date | null;
  submittedHash?: string | null;
}

async function submissionOf(code: string, version: string): Promise<Submission> {
  return (await ProductVersionModel.findOne({ productCode: code, version }, { submittedBy: 1, submittedByName: 1, submittedAt: 1, submittedHash: 1 }).lean()) ?? {};
}

function stateOf(view: VersionView, submission: Submission): ApprovalState {
  if (view.status !== 'draft') return 'published';
  if (!submission.submittedBy) return 'not-submitted';
  return submission.submittedHash === approvalHash(view.definition) ? 'submitted' : 'changed-since-submission';
}

/** The same person: the same key, or (a key rotated between submitting and publishing) the same name in the same organisation. */
function isSubmitter(caller: Caller, submission: Submission): boolean {
  return caller.keyId === submission.submittedBy || caller.userName === submission.submittedByName;
}

/** Why the caller may not publish the version now, or undefined when it may. */
function fourEyesProblem(caller: Actor, view: VersionView, submission: Submission): ErrorDetail | undefined {
  if (caller.role === 'system' || view.status !== 'draft') return undefined;
  const state = stateOf(view, submission);
  const at = { path: 'version' };
  if (state === 'not-submitted') return { ...at, message: `must be submitted for approval by one insurer admin and published by another (${FOUR_EYES_RULE})` };
  if (state === 'changed-since-submission') return { ...at, message: `changed since it was submitted; must be submitted again (${FOUR_EYES_RULE})` };
  if (caller.role !== 'insurer-admin') return { ...at, message: `must be published by an admin of the product's insurer (${FOUR_EYES_RULE})` };
  if (isSubmitter(caller as Caller, submission)) return { ...at, message: `must be published by an admin other than its submitter ${submission.submittedByName ?? ''} (${FOUR_EYES_RULE})` };
  return undefined;
}

/** The drafts of a product awaiting a second admin (submitted, unchanged since), for the versions list. */
export async function awaitingApproval(caller: Caller, code: string): Promise<Set<string>> {
  await assertProductVisible(caller, code);
  const drafts = await ProductVersionModel.find({ productCode: code, status: 'draft', submittedBy: { $exists: true, $ne: null } }, { version: 1, definition: 1, submittedHash: 1 }).lean();
  return new Set(drafts.filter((d) => d.submittedHash === approvalHash(d.definition as ProductDefinition)).map((d) => d.version));
}

/** Where a version stands on its way to publication, and whether the caller may publish it. */
export async function approvalOf(caller: Caller, code: string, version: string): Promise<ApprovalView> {
  const view = await getVersion(caller, code, version);
  const submission = await submissionOf(code, version);
  const state = stateOf(view, submission);
  return {
    productCode: code, version, state,
    ...(submission.submittedBy && state !== 'not-submitted' ? { submittedBy: submission.submittedByName ?? '', submittedAt: submission.submittedAt!.toISOString() } : {}),
    callerMayPublish: state === 'submitted' && fourEyesProblem(caller, view, submission) === undefined,
  };
}

/**
 * Submits a draft for approval (the maker's step): its pool must name known insurers whose shares
 * add up, and it must compile and pass its vectors, as a publish would (members' consent and the
 * dates are the publish's to check). Submitting again (after an edit) replaces the submission; audited.
 */
export async function submitVersion(pools: PoolMembership, caller: Caller, code: string, version: string, now = new Date()): Promise<ApprovalView> {
  const view = await getVersion(caller, code, version);
  if (view.status !== 'draft') throw conflict(`Version ${version} of ${code} is ${view.status}; only a draft is submitted for approval.`);
  await pools.checkMembers(view.definition);
  const outcome = await testVersion(caller, code, version);
  if (outcome.compileErrors.length) throw invalidInput(`Version ${version} of ${code} does not compile.`, outcome.compileErrors);
  const failing = outcome.vectors.filter((v) => !v.passed);
  if (failing.length) {
    throw invalidInput(`Version ${version} of ${code} fails ${failing.length} test vector(s): ${failing.map((v) => `"${v.name}"`).join(', ')}.`,
      failing.map((v) => ({ path: `definition.testVectors[name=${v.name}]`, message: `${v.message} (testVector)` })));
  }
  const result = await ProductVersionModel.updateOne(
    { productCode: code, version, status: 'draft', definitionHash: view.definitionHash },
    { $set: { submittedBy: caller.keyId, submittedByName: caller.userName, submittedAt: now, submittedHash: approvalHash(view.definition) } },
  );
  if (result.matchedCount === 0) throw conflict(`Version ${version} of ${code} changed meanwhile; reload it and submit again.`);
  await recordAudit(caller, {
    action: 'version.submit', entityType: 'productVersion', entityId: `${code}@${version}`, organisationId: (await ProductVersionModel.findOne({ productCode: code, version }, { insurerOrganisationId: 1 }).lean())!.insurerOrganisationId,
    summary: `Submitted ${code} ${version} for approval: another admin of the insurer publishes it.`,
  }, now);
  return approvalOf(caller, code, version);
}

/**
 * Publishes (or schedules) a submitted draft as its checker: refused with 409 (four-eyes) when the
 * draft was not submitted, changed since, or the caller is its submitter or not an admin of the
 * insurer. The approval is audited beside the publication, naming the submitter.
 */
export async function publishApproved(pools: PoolMembership, caller: Caller, code: string, version: string, effectiveFrom?: string, now?: Date): Promise<VersionView> {
  const view = await getVersion(caller, code, version);
  const submission = await submissionOf(code, version);
  const problem = fourEyesProblem(caller, view, submission);
  if (problem) throw conflict(`Version ${version} of ${code} cannot be published by you: ${problem.message}.`, [problem]);
  const published = await publishVersionFrom(pools, caller, code, version, effectiveFrom, now);
  if (view.status === 'draft') {
    await recordAudit(caller, {
      action: 'version.approve', entityType: 'productVersion', entityId: `${code}@${version}`, organisationId: caller.organisationId,
      summary: `Approved ${code} ${version}, submitted by ${submission.submittedByName ?? ''} on ${submission.submittedAt?.toISOString() ?? ''}, and published it.`,
    });
  }
  return published;
}
