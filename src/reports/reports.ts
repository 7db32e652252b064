// The reports capability's front door (#27), built once by src/service.ts: the insurers'
// tech-insurance report; the reactions that keep its logs (a policy issued, a claim paid, a
// cancellation, a subsidy granted); offline, the logs built from the stored book (book:migrate)
// and compared with a recomputation (book:verify).
import type { Caller } from '../auth/caller.ts';
import { migrateTechInsuranceReports, recordReportChange, recordReportClaim, recordReportGrant, verifyTechInsuranceReports } from './tech-insurance-facts.ts';
import { recordReportPolicy } from './tech-insurance-log.ts';
import { techInsuranceReport, type ReportDeps } from './tech-insurance-report.ts';

export function createReports(deps: ReportDeps) {
  return Object.freeze({
    /** The insurer's report for a period (`2026H1`, `2026H2`, `2026`). */
    techInsuranceReport: (caller: Caller, query: { period?: string; insurer?: string }, now?: Date) => techInsuranceReport(caller, query, now),
    /** The reactions src/service.ts registers: a policy issued, a claim paid, a policy changed (a cancellation), an application's outcome. */
    recordIssuedPolicy: recordReportPolicy, recordClaimPaid: recordReportClaim, recordPolicyChange: recordReportChange, recordApplicationOutcome: recordReportGrant,
    /** Offline: every insurer's logs (entries and facts) built from the stored book; compared with a recomputation. */
    migrateTechInsuranceReports: () => migrateTechInsuranceReports(deps.subsidies),
    verifyTechInsuranceReports: () => verifyTechInsuranceReports(deps.subsidies),
  });
}
export type ReportsService = ReturnType<typeof createReports>;
