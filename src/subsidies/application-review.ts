// The departments' side of subsidy applications (#27): a department (an `authority` organisation)
// reads the submitted applications of its programmes from its regions — its lists named by
// scope.ts, every entry checked against its coverage again — and decides each once: granted (at
// most what was applied for) or refused (with a reason). The decision is the application's outcome
// step (one `_id` per application, shared with a withdrawal), so of concurrent decisions exactly
// one is made; it feeds the ledger and the subsidy year as every outcome does.
import type { Caller } from '../auth/caller.ts';
import { scopedApplications } from '../auth/scope.ts';
import { findByIds } from '../db/by-ids.ts';
import { chainPage } from '../db/log-chain.ts';
import type { LogEntry } from '../db/keyed-log.ts';
import { invalidInput, notFound } from '../http/app-error.ts';
import type { SubsidyProgramme } from '../rating/index.ts';
import { applicationLists, parseApplicationId, type ApplicationListEntry } from './subsidy-application-lists.ts';
import { stepId, SubsidyApplicationStepModel, type ApplicationStep } from './subsidy-application-model.ts';
import { applicationView, loadFiledApplication, programmesByCode, readSteps, writeStep, type Steps } from './subsidy-application-service.ts';
import type { DecisionRequest, ReviewedApplication, ReviewedApplicationList } from './review-schemas.ts';

export type { DecisionRequest, ReviewedApplication, ReviewedApplicationList } from './review-schemas.ts';

export interface ReviewQuery { status?: 'submitted' | 'granted' | 'refused' | 'withdrawn'; programme?: string; region?: string; limit: number; offset?: number; after?: string }

/** An application as its department reviews it: the facts fixed at submission, its steps, the programme's papers. */
function reviewedView(entry: ApplicationListEntry, steps: Steps, programme: SubsidyProgramme | undefined): ReviewedApplication {
  const { id: _id, pdfPath, ...view } = applicationView(entry.policyId, { programme: entry.programme, name: entry.name, level: entry.level, amountFen: entry.expectedFen }, programme, steps);
  return {
    ...view, id: entry.id, policyId: entry.policyId, policyNumber: entry.policyNumber, enterpriseId: entry.enterpriseOrganisationId, enterpriseName: entry.enterpriseName,
    regionCode: entry.regionCode, line: entry.line, startDate: entry.startDate, expectedFen: entry.expectedFen, appliedFen: entry.appliedFen, submittedOn: entry.submittedOn,
    papers: (programme?.application?.papers ?? []).map((p) => ({ kind: p.kind, label: p.label, ...(p.note ? { note: p.note } : {}) })),
    pdfPath, schedulePath: `/v1/subsidy-applications/${entry.id}/policy-schedule`,
  };
}

/** The rows of a page: each application's outcome step by `_id` (its submission is the entry), the programmes per line once. */
async function loadRows(entries: readonly LogEntry<ApplicationListEntry>[]): Promise<ReviewedApplication[]> {
  const lines = [...new Set(entries.map((e) => e.value.line))];
  // The page's outcomes in one `$in` read (src/db/by-ids.ts), beside each line's programmes.
  const [outcomes, programmes] = await Promise.all([
    findByIds<ApplicationStep>(SubsidyApplicationStepModel.collection, entries.map(({ value: e }) => stepId(e.policyId, e.programme, 'outcome'))),
    Promise.all(lines.map((line) => programmesByCode(line))).then((found) => new Map(lines.map((line, i) => [line, found[i]!]))),
  ]);
  return entries.map(({ value: entry }, i) => {
    const submitted = { status: 'submitted' as const, amountFen: entry.appliedFen, on: entry.submittedOn };
    return reviewedView(entry, { submitted, outcome: outcomes[i]! }, programmes.get(entry.line)!.get(entry.programme));
  });
}

/**
 * A page of the applications `caller` reviews, narrowed by status, programme and region (a 2-, 4-
 * or 6-digit prefix): a department its programmes × regions, a platform admin all. Another
 * department's programme or region finds nothing.
 */
export async function listReviewedApplications(caller: Caller, query: ReviewQuery): Promise<ReviewedApplicationList> {
  const { keys, filtered, accept } = scopedApplications(caller, query);
  const status = query.status;
  return chainPage(applicationLists, keys, query, {
    filtered,
    accept,
    load: loadRows,
    ...(status ? { keep: (row: ReviewedApplication) => row.status === status } : {}),
  });
}

function filedApplication(caller: Caller, id: string) {
  const named = parseApplicationId(id);
  if (!named) throw notFound('The subsidy application');
  return loadFiledApplication(caller, named.policyId, named.programme);
}

/** One application `caller` reviews; any other (not submitted, another department's, no such) is not found. */
export async function getReviewedApplication(caller: Caller, id: string): Promise<ReviewedApplication> {
  const { policy, entry, steps } = await filedApplication(caller, id);
  return reviewedView(entry, steps, (await programmesByCode(policy.line)).get(entry.programme));
}

/** The policy a department reads the schedule of, through an application in its scope (else not found), and whom it is read as (scope.ts). */
export async function reviewedPolicy(caller: Caller, id: string): Promise<{ policyId: string; reader: Caller }> {
  const { policy, reader } = await filedApplication(caller, id);
  return { policyId: policy.id, reader };
}

/**
 * Records a department's decision on an application in its scope, once: granted (1 fen up to what
 * was applied for) or refused (a reason required). A second decision, concurrent or later, and a
 * decision on a withdrawn application are conflicts (409); the decision is audited and feeds the
 * ledger and the subsidy year (writeStep), so a smaller grant frees the annual cap by the difference.
 */
export async function decideApplication(caller: Caller, id: string, request: DecisionRequest, now: Date = new Date()): Promise<ReviewedApplication> {
  const { policy, layer, entry } = await filedApplication(caller, id);
  if (request.outcome === 'granted') {
    if (request.grantedFen === undefined) throw invalidInput('Say how much is granted.', [{ path: 'body.grantedFen', message: 'is required when outcome is granted (required)' }]);
    if (request.grantedFen > entry.appliedFen) throw invalidInput('A grant cannot exceed the amount applied for.', [{ path: 'body.grantedFen', message: `must be <= ${entry.appliedFen}, the amount applied for (maximum)` }]);
    if (request.reason !== undefined) throw invalidInput('A grant has no reason.', [{ path: 'body.reason', message: 'is only allowed when outcome is refused (dependencies)' }]);
  } else {
    if (request.reason === undefined || request.reason.trim() === '') throw invalidInput('Say why it is refused.', [{ path: 'body.reason', message: 'is required when outcome is refused (required)' }]);
    const extra = (['grantedFen', 'reference'] as const).filter((f) => request[f] !== undefined);
    if (extra.length) throw invalidInput('A refusal carries its reason only.', extra.map((f) => ({ path: `body.${f}`, message: 'is only allowed when outcome is granted (dependencies)' })));
  }
  const step = request.outcome === 'granted'
    ? { status: 'granted' as const, grantedFen: request.grantedFen!, ...(request.reference ? { reference: request.reference } : {}), ...(request.on ? { on: request.on } : {}) }
    : { status: 'refused' as const, reason: request.reason!.trim(), ...(request.on ? { on: request.on } : {}) };
  await writeStep(caller, policy, layer, step, now, { recordedBy: 'authority', exclusive: true });
  return reviewedView(entry, await readSteps(policy.id, layer.programme), (await programmesByCode(policy.line)).get(layer.programme));
}
