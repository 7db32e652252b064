// What rating reads of subsidies (owned by src/subsidies, a higher floor): the programmes of a
// line, and what an enterprise's policies of a year already expect or were granted (the ledger),
// for the programmes' annual caps. Quotes declare this port; src/service.ts provides the subsidies
// capability in each composed service's scope, so nothing in src/quotes imports src/subsidies or
// src/policies at runtime.
import { port } from '../db/service-scope.ts';
import type { SubsidyProgramme } from '../rating/index.ts';

export interface SubsidySource {
  /** Programmes that subsidise a line. */
  programmesFor(line: string): Promise<SubsidyProgramme[]>;
  /** Subsidy per programme on the enterprise's policies starting in `year` (YYYY): granted where known, else expected. */
  recorded(enterpriseId: string, year: string): Promise<{ programme: string; amountFen: number }[]>;
}

export const subsidySource = port<SubsidySource>('SubsidySource (the quotes\' port to src/subsidies)');
