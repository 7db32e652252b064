// What rating reads of the departments' qualification lists (#27, owned by src/subsidies, a higher
// floor): per kind of list covering the enterprise's region, the qualification codes it holds on
// the start date. src/service.ts provides it with the subsidy ports.
import { port } from '../db/service-scope.ts';
import type { QualificationListCheck } from '../rating/index.ts';

/**
 * Where one run of checks (a bulk file's rows) keeps the newest list version it found per kind and
 * region, so that its rows read the index once per region instead of four reads each; a list
 * uploaded during the run is not seen by its later rows (as BatchQuoteCache's other reads).
 */
export type QualificationRunMemo = Map<string, Promise<unknown>>;

export interface QualificationSource {
  /** The lists covering the enterprise's region for the codes asked, read on `date`; kinds with no list are left out. */
  check(enterprise: { regionCode?: string | undefined; creditCode?: string | undefined }, date: string, asked: readonly string[], run?: QualificationRunMemo): Promise<QualificationListCheck[]>;
}

export const qualificationSource = port<QualificationSource>('QualificationSource (the quotes\' port to the departments\' lists)');
