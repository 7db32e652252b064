// The catalogue's port to the subsidy programmes (owned by src/subsidies, a higher floor): publishing
// and testing a version run its test vectors against the programmes of its line, the public
// catalogue shows them, and product sync loads products/subsidies/. src/service.ts provides the
// implementation (the subsidies capability) in each composed service's scope.
import type { systemActor } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { port } from '../db/service-scope.ts';
import type { SubsidyProgramme } from '../rating/index.ts';

export interface SubsidyProgrammes {
  /** Programmes that subsidise a line. */
  programmesFor(line: string): Promise<SubsidyProgramme[]>;
  /** Stores a programme (product sync); unchanged → nothing written. */
  upsertProgramme(actor: Caller | typeof systemActor, programme: SubsidyProgramme): Promise<'created' | 'updated' | 'unchanged'>;
}

export const subsidyProgrammes = port<SubsidyProgrammes>('SubsidyProgrammes (the catalogue\'s port to src/subsidies)');

/** Programmes that subsidise a line, through the port. */
export function subsidyProgrammesFor(line: string): Promise<SubsidyProgramme[]> {
  return subsidyProgrammes().programmesFor(line);
}
