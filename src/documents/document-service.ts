// Quotation and policy-schedule PDFs: loads a quote or policy the caller may see, builds the view
// in the asked language, renders HTML (templates compiled once) and the PDF (pooled Chromium).
//
// Quotes render on demand behind a per-process cache (quote-pdfs.ts); policy schedules are
// rendered once, stored immutably and always served from the database (policy-schedules.ts),
// rendered after the bind has answered (schedule-backlog.ts) or by their first download.
// Nothing here reacts to binds by itself: src/service.ts wires "policy issued" to
// storePolicySchedules. See docs/documents.md.
import type { Caller } from '../auth/caller.ts';
import { unavailable } from '../http/app-error.ts';
import { createDocumentPrinter } from './document-printer.ts';
import { filingTemplate, renderFilingPdf } from './filing-document.ts';
import type { DocumentTemplates } from './document-templates.ts';
import type { DocumentLang } from './document-view.ts';
import type { PdfFile } from './pdf-file.ts';
import type { PdfRenderer, RendererLogger } from './pdf-renderer.ts';
import { createPolicySchedules } from './policy-schedules.ts';
import { createQuotePdfs } from './quote-pdfs.ts';
import { createEndorsementPdfs } from './endorsement-document.ts';
import { createCancellationPdfs } from './cancellation-document.ts';
import { cancellationOf } from '../policies/cancellation-service.ts';
import { loadVisiblePolicy } from '../policies/policy-service.ts';
import { endorsementsOf } from '../policies/endorsement-service.ts';
import { createScheduleBacklog } from './schedule-backlog.ts';

export type { PdfFile } from './pdf-file.ts';

export interface DocumentService {
  /** The quotation of a quote the caller may see (404 otherwise), rendered on demand and cached. */
  quotePdf(caller: Caller, quoteId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile>;
  /** The stored schedule of a policy the caller may see (404 otherwise), byte-identical on every download. */
  policyPdf(caller: Caller, policyId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile>;
  /**
   * Queues a policy's schedule (every language) to be rendered and stored behind the bind's answer,
   * and resolves at once; a schedule not stored by then (backlog full, instance stopped, render
   * failed) is rendered by its first download. Does nothing once closed.
   */
  storePolicySchedules(policyId: string): Promise<void>;
  /** Policies whose schedules are queued or being rendered in this instance now. */
  schedulesPending(): number;
  /** Resolves once this instance has no schedule queued or being rendered. */
  schedulesSettled(): Promise<void>;
  /** The 批单 of a policy's endorsement `n` (404 when the policy is not visible or has no such endorsement). */
  endorsementPdf(caller: Caller, policyId: string, n: number, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile>;
  /** #26: the 退保批单 of a cancelled policy (404 when the policy is not visible or not cancelled). */
  cancellationPdf(caller: Caller, policyId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile>;
  /** The filing document (费率表) of a product version the caller's insurer owns (404 otherwise). */
  filingPdf(caller: Caller, code: string, version: string): Promise<PdfFile>;
  /**
   * Renders another capability's template of the shared environment ('pools/statement') with its
   * view on the same renderer, with the same deadline and error answer (503 on a render failure);
   * `metadataDate` fixes the PDF's dates.
   */
  renderTemplatePdf(template: string, view: object, title: string, metadataDate: Date): Promise<Buffer>;
  /** Stops storing schedules of issued policies and waits for the one being rendered (the renderer is closed by its owner). */
  close(): Promise<void>;
}

export interface DocumentServiceOptions {
  renderer: PdfRenderer;
  templates: DocumentTemplates;
  logger?: RendererLogger & { error?(obj: object, msg?: string): void };
  /** Rendered quotations kept per process (default 256). */
  quoteCacheEntries?: number;
  /** Deadline of one render (default 15 s). */
  renderTimeoutMs?: number;
  /** Policies whose schedules may wait to be rendered behind their binds (POLICY_SCHEDULE_BACKLOG, default 200); beyond it, the first download renders. */
  scheduleBacklog?: number;
}

/** Wires the documents capability: a renderer pool and compiled templates behind quotePdf and policyPdf. */
export function createDocumentService(options: DocumentServiceOptions): DocumentService {
  const { templates, logger } = options;
  const printer = createDocumentPrinter(options.renderer, options.renderTimeoutMs ?? 15_000, logger);
  const schedules = createPolicySchedules(printer, templates, logger);
  const backlog = createScheduleBacklog(schedules.storeAll, options.scheduleBacklog ?? 200, logger);
  return {
    quotePdf: createQuotePdfs(printer, templates, options.quoteCacheEntries ?? 256),
    policyPdf: schedules.policyPdf,
    endorsementPdf: createEndorsementPdfs(templates.engine, printer.print, async (caller, policyId) => {
      const record = await loadVisiblePolicy(caller, policyId);
      return { record, endorsements: await endorsementsOf(record.id) };
    }),
    cancellationPdf: createCancellationPdfs(templates.engine, printer.print, async (caller, policyId) => {
      const record = await loadVisiblePolicy(caller, policyId);
      return { record, cancellation: (await cancellationOf(record.id))?.view };
    }),
    filingPdf: (caller, code, version) => renderFilingPdf(caller, code, version, filingTemplate(templates.engine), printer.print),
    renderTemplatePdf: async (template, view, title, metadataDate) => printer.print(templates.engine.render(template, view), title, metadataDate),
    storePolicySchedules: (policyId) => Promise.resolve(backlog.add(policyId)),
    schedulesPending: backlog.pending,
    schedulesSettled: backlog.settled,
    close: backlog.close,
  };
}

/** Stands in when an app is composed without a renderer (e.g. tools that only need the route list). */
export const documentsUnavailable: DocumentService = {
  quotePdf: () => Promise.reject(unavailable('PDF rendering is not configured in this process.')),
  policyPdf: () => Promise.reject(unavailable('PDF rendering is not configured in this process.')),
  filingPdf: () => Promise.reject(unavailable('PDF rendering is not configured in this process.')),
  endorsementPdf: () => Promise.reject(unavailable('PDF rendering is not configured in this process.')),
  cancellationPdf: () => Promise.reject(unavailable('PDF rendering is not configured in this process.')),
  renderTemplatePdf: () => Promise.reject(unavailable('PDF rendering is not configured in this process.')),
  storePolicySchedules: () => Promise.resolve(),
  schedulesPending: () => 0,
  schedulesSettled: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
