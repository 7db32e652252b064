// What rating reads of the departments' qualification lists (#27, owned by src/subsidies, a higher
// floor): per kind of list covering the enterprise's region, the qualification codes it holds on
// the start date. src/service.ts provides it with the subsidy ports.
import { port } from '../db/service-scope.ts';
import type { QualificationListCheck } from '../rating/index.ts';

/**
 * How one run of checks (a bulk file's rows) remembers a read by its key: the newest list version
 * per kind and region is read once for all its rows instead of four reads each; a list uploaded
 * during the run is not seen by its later rows (as BatchQuoteCache's other reads).
 */
export type QualificationRunMemo = <T>(key: string, read: () => Promise<T>) => Promise<T>;

export interface QualificationSource {
  /** The lists covering the enterprise's region for the codes asked, read on `date`; kinds with no list are left out. */
  check(enterprise: { regionCode?: string | undefined; creditCode?: string | undefined }, date: string, asked: readonly string[], run?: QualificationRunMemo): Promise<QualificationListCheck[]>;
}

export const qualificationSource = port<QualificationSource>('QualificationSource (the quotes\' port to the departments\' lists)');
