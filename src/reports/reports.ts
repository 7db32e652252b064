// The reports capability's front door (#27), built once by src/service.ts: the insurers'
// tech-insurance report; the reaction to a policy issued that keeps its logs; offline, the logs
// built from the stored book (book:migrate) and compared with a recomputation (book:verify).
import type { Caller } from '../auth/caller.ts';
import { migrateTechInsuranceReports, recordReportPolicy, verifyTechInsuranceReports } from './tech-insurance-log.ts';
import { techInsuranceReport, type ReportDeps } from './tech-insurance-report.ts';

export function createReports(deps: ReportDeps) {
  return Object.freeze({
    /** The insurer's report for a period (`2026H1`, `2026H2`, `2026`). */
    techInsuranceReport: (caller: Caller, query: { period?: string; insurer?: string }, now?: Date) => techInsuranceReport(deps, caller, query, now),
    /** The reaction src/service.ts registers on a policy issued. */
    recordIssuedPolicy: recordReportPolicy,
    migrateTechInsuranceReports, verifyTechInsuranceReports,
  });
}
export type ReportsService = ReturnType<typeof createReports>;
