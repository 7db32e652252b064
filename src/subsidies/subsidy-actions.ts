// What a caller may do next with a subsidy application, written once: record its submission, or
// record its outcome (granted or refused). The service refuses by these rules (writeStep in
// subsidy-application-service.ts) and the policy page shows its forms by `applicationActions`, so a
// page never offers a step the API refuses.
import { subsidyRecorders } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';

/** The facts of an application the rules read (its view). */
export interface ApplicationActionFacts {
  status: 'prepared' | 'submitted' | 'granted' | 'refused';
}

/** Why a new step `step` cannot follow an application in `status` (the 409's reason), or undefined when it can. */
export function stepRefusal(status: ApplicationActionFacts['status'], step: 'submitted' | 'granted' | 'refused'): 'decided' | 'not-submitted' | undefined {
  if (status === 'granted' || status === 'refused') return 'decided'; // a recorded outcome is final
  if (step !== 'submitted' && status !== 'submitted') return 'not-submitted';
  return undefined;
}

export interface ApplicationActions {
  /** Record that it was submitted: the enterprise or its broker, while it is prepared. */
  readonly submit: boolean;
  /** Record that it was granted or refused: the enterprise or its broker, once submitted and undecided. */
  readonly decide: boolean;
}

/** What `caller` may do next with an application it can see. */
export function applicationActions(caller: Caller, application: ApplicationActionFacts): ApplicationActions {
  const records = subsidyRecorders.includes(caller.role);
  return Object.freeze({
    submit: records && application.status === 'prepared' && !stepRefusal(application.status, 'submitted'),
    decide: records && application.status === 'submitted' && !stepRefusal(application.status, 'granted'),
  });
}
