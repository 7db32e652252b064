// What a caller may do next with a subsidy application, written once: the enterprise (or its
// broker) submits it and may withdraw it before a decision; the department it is filed with grants
// or refuses it (#27). The service refuses by these rules (writeStep in
// subsidy-application-service.ts, decideApplication in application-review.ts) and the pages show
// their forms by `applicationActions`, so a page never offers a step the API refuses.
import { applicationDeciders, subsidyRecorders } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';

export type ApplicationStatus = 'prepared' | 'submitted' | 'granted' | 'refused' | 'withdrawn';

/** The facts of an application the rules read (its view). */
export interface ApplicationActionFacts {
  status: ApplicationStatus;
}

/** Why a new step `step` cannot follow an application in `status` (the 409's reason), or undefined when it can. */
export function stepRefusal(status: ApplicationStatus, step: 'submitted' | 'granted' | 'refused' | 'withdrawn'): 'decided' | 'not-submitted' | undefined {
  if (status === 'granted' || status === 'refused' || status === 'withdrawn') return 'decided'; // an outcome is final
  if (step !== 'submitted' && status !== 'submitted') return 'not-submitted';
  return undefined;
}

export interface ApplicationActions {
  /** Record that it was submitted: the enterprise or its broker, while it is prepared. */
  readonly submit: boolean;
  /** Withdraw it: the enterprise or its broker, once submitted and undecided. */
  readonly withdraw: boolean;
  /** Grant or refuse it: a department's officer (the application in its scope), once submitted and undecided. */
  readonly decide: boolean;
}

/** The premium facts of a policy the submission gate reads (its view: GET /v1/policies/{id}). */
export interface PremiumFacts {
  grossPremiumFen: number;
  premiumReceivedFen?: number | undefined;
  /** What is still due after every endorsement's difference (policy-payments.ts premiumOf); the gate reads it when given. */
  premiumOutstandingFen?: number | undefined;
}

/**
 * Whether an application may be submitted on the policy's premium: only once the premium received
 * equals the gross premium (departments pay on premium paid and ask for the payment voucher:
 * ../shared/domain/policy-life.md). Undefined when it may; else what was received.
 */
export function premiumRefusal(policy: PremiumFacts): { receivedFen: number; grossFen: number } | undefined {
  const receivedFen = policy.premiumReceivedFen ?? 0;
  if (policy.premiumOutstandingFen !== undefined) return policy.premiumOutstandingFen <= 0 ? undefined : { receivedFen, grossFen: receivedFen + policy.premiumOutstandingFen };
  return receivedFen >= policy.grossPremiumFen ? undefined : { receivedFen, grossFen: policy.grossPremiumFen };
}

/** What `caller` may do next with an application it can see (on a policy whose premium facts are given: submit waits for the premium). */
export function applicationActions(caller: Caller, application: ApplicationActionFacts, policy?: PremiumFacts): ApplicationActions {
  const records = subsidyRecorders.includes(caller.role);
  const open = application.status === 'submitted' && !stepRefusal(application.status, 'granted');
  return Object.freeze({
    submit: records && application.status === 'prepared' && !stepRefusal(application.status, 'submitted') && !(policy && premiumRefusal(policy)),
    withdraw: records && open,
    decide: applicationDeciders.includes(caller.role) && open,
  });
}
