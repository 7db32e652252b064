// The subsidies capability's front door: applications, their recorded outcomes and the subsidy
// year, with the application PDFs and ZIPs when a renderer was composed (src/service.ts).
import type { SubsidyApplicationDocuments } from './subsidy-application-pdf.ts';
import { listApplications, recordApplicationStatus } from './subsidy-application-service.ts';
import { subsidyYear, subsidyYearCsv, subsidyYearXlsx } from './subsidy-year-service.ts';

export function createSubsidies(deps: { documents?: SubsidyApplicationDocuments } = {}) {
  return Object.freeze({
    listApplications, recordApplicationStatus, subsidyYear, subsidyYearCsv, subsidyYearXlsx,
    /** Application PDFs and ZIPs; undefined when no renderer was composed (their routes answer 503). */
    documents: deps.documents,
  });
}
export type SubsidiesService = ReturnType<typeof createSubsidies>;
