// What was granted on a policy's applications, for the insurers' report (#27, src/reports through
// its GrantedSubsidies port): each application's outcome step read by its `_id`
// (`<policy>:<programme>:outcome`, never a scan), a granted outcome kept per service once read
// (an outcome is recorded exactly once and never changes).
import { keptRecords } from '../db/kept-records.ts';
import { stepId, SubsidyApplicationStepModel, type ApplicationStep } from './subsidy-application-model.ts';

const grantedOutcomes = keptRecords<number>(20_000, 'granted subsidy outcomes');

async function grantedOn(policyId: string, programme: string): Promise<number> {
  const id = stepId(policyId, programme, 'outcome');
  const kept = grantedOutcomes.get(id);
  if (kept !== undefined) return kept;
  const outcome = await SubsidyApplicationStepModel.findById(id).lean<ApplicationStep>();
  if (!outcome) return 0; // not decided yet: may still be granted, so nothing is kept
  const granted = outcome.status === 'granted' ? outcome.amountFen ?? 0 : 0;
  grantedOutcomes.set(id, granted);
  return granted;
}

/** The subsidies granted on a policy's applications to these programmes, in fen (0 while undecided or refused). */
export async function grantedOnPolicy(policyId: string, programmes: readonly string[]): Promise<number> {
  const amounts = await Promise.all(programmes.map((p) => grantedOn(policyId, p)));
  return amounts.reduce((sum, fen) => sum + fen, 0);
}
