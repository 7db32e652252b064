// What follows a recorded step of a subsidy application beyond the subsidies' own records
// (subsidy-application-service.ts completeStep): the departments' summary facts
// (department-summary-log.ts), and the announcement of an outcome to whoever reacts (the insurers'
// report keeps the subsidies granted on its policies) through the ApplicationOutcomes port, which
// src/service.ts provides from the service's event hub. Idempotent, as every part of completeStep.
import { port } from '../db/service-scope.ts';
import { recordSummaryStep } from './department-summary-log.ts';
import type { ApplicationListEntry } from './subsidy-application-lists.ts';
import type { ApplicationStep } from './subsidy-application-model.ts';

/** An application's outcome as announced: granted (with the amount granted), refused or withdrawn. */
export interface ApplicationOutcome { policyId: string; programme: string; status: Exclude<ApplicationStep['status'], 'submitted'>; amountFen?: number }

export interface ApplicationOutcomes {
  /** Reacts to an outcome recorded (again for a repeat: reactions are idempotent). */
  outcomeRecorded(outcome: ApplicationOutcome): Promise<void>;
}

export const applicationOutcomes = port<ApplicationOutcomes>('ApplicationOutcomes (who reacts to a subsidy application\'s outcome)');

/**
 * After a step is stored (or found stored by a repeat): its summary fact — for an outcome, the
 * submission's too (idempotent: what a crash cut off is completed) — then, for an outcome, the announcement.
 */
export async function stepCompleted(entry: ApplicationListEntry, step: Pick<ApplicationStep, 'status' | 'amountFen'>): Promise<void> {
  await recordSummaryStep(entry, { status: 'submitted' });
  if (step.status === 'submitted') return;
  await recordSummaryStep(entry, step);
  await applicationOutcomes().outcomeRecorded({ policyId: entry.policyId, programme: entry.programme, status: step.status, ...(step.status === 'granted' ? { amountFen: step.amountFen ?? 0 } : {}) });
}
