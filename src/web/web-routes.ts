// Server-rendered pages for insurers', brokers' and enterprises' staff. Pages read the session,
// call the same services the API calls, and render Handlebars views; no business rule lives here.
// The pipeline (page-pipeline.ts) checks session, CSRF and roles; each room mounts its own pages.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../http/app-error.ts';
import type { AuthFailureLimiter } from '../http/auth-failure-limit.ts';
import { isApiPath } from '../http/mount-routes.ts';
import type { UploadLimits } from '../http/upload-limits.ts';
import { createTemplates, type Templates } from '../http/templates.ts';
import { createPagePipeline, errorPageData, readCookie, resolveLang, SESSION_COOKIE, type PageDefinition, type PagePipeline } from './page-pipeline.ts';
import { createWebSessions } from './web-session-service.ts';
import { listingOnly } from '../http/listing-only.ts';
import type { Services } from '../service.ts';
import { mountClientPages } from './client-pages.ts';
import { mountImpactPages } from './impact-pages.ts';
import { mountPolicyPages, renderPolicyPage } from './policy-pages.ts';
import { mountPoolPages } from './pool-pages.ts';
import { mountRenewalPages } from './renewal-pages.ts';
import { mountProductPages } from './product-pages.ts';
import { mountRateTablePages } from './rate-table-pages.ts';
import { mountQuotingPages } from './quoting-pages.ts';
import { mountReferralPages } from './referral-pages.ts';
import { mountReportPages } from './report-pages.ts';
import { mountSessionPages } from './session-pages.ts';
import { mountSubsidyPages } from './subsidy-pages.ts';
import { mountPaymentPages } from './payment-pages.ts';
import { mountEndorsementPages } from './endorsement-pages.ts';
import { mountCancellationPages } from './cancellation-pages.ts';
import { mountReviewPages } from './review-pages.ts';
import { mountSummaryPages } from './summary-pages.ts';
import { mountQualificationPages } from './qualification-pages.ts';
import { createPageViews } from './web-views.ts';

/**
 * Creates the web pages' router over the composed services (its last handler the HTML 404 of a
 * path nothing answered); mount it before the API's 404. `templates`: the service's template
 * environment (a new one when not given: the page table); `pageTable`, when given, receives every page mounted.
 */
export function createWebRouter(options: { templates?: Templates; logger?: Logger; services: Services; authFailures?: AuthFailureLimiter; uploadLimits?: UploadLimits; pageTable?: PageDefinition[] }): Router {
  const { services } = options;
  const router = express.Router();
  router.use('/assets', express.static(new URL('./assets/', import.meta.url).pathname, { fallthrough: false, index: false, maxAge: '1h' }));
  const pipeline = createPagePipeline(router, services, createWebSessions(services.auth), createPageViews(options.templates ?? createTemplates()), options.logger, options.uploadLimits);
  mountSessionPages(pipeline, options.authFailures);
  mountQuotingPages(pipeline);
  mountReferralPages(pipeline);
  mountClientPages(pipeline);
  mountRenewalPages(pipeline, (request, id, claim) => renderPolicyPage(request, id, { claim })); // #26: before the policy pages, so /policies/due is not read as a policy id
  mountPolicyPages(pipeline);
  mountPoolPages(pipeline);
  mountProductPages(pipeline);
  mountRateTablePages(pipeline);
  mountImpactPages(pipeline);
  mountSubsidyPages(pipeline, (request, id, subsidy) => renderPolicyPage(request, id, { subsidy }));
  mountReportPages(pipeline);
  mountPaymentPages(pipeline, (request, id, form) => renderPolicyPage(request, id, form));
  mountEndorsementPages(pipeline, (request, id, endorsement) => renderPolicyPage(request, id, { endorsement }));
  mountCancellationPages(pipeline, (request, id, cancellation) => renderPolicyPage(request, id, { cancellation }));
  mountReviewPages(pipeline);
  mountSummaryPages(pipeline);
  mountQualificationPages(pipeline);
  options.pageTable?.push(...pipeline.pages);
  router.use(webNotFound(pipeline));
  return router;
}

/** Every page (method, path, access) as createWebRouter mounts them: the page table, like allRoutes() for the API. */
export function webPageTable(services: Services = listingOnly<Services>()): PageDefinition[] {
  const pageTable: PageDefinition[] = [];
  createWebRouter({ services, pageTable });
  return pageTable;
}

/**
 * The 404 for a path nothing answered: an HTML page for a browser's GET of a web path; the API's
 * paths (/v1) and callers that do not ask for HTML keep the JSON error (the app's 404 after it).
 */
function webNotFound({ sendPage, sessions }: PagePipeline) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const wantsHtml = (req.method === 'GET' || req.method === 'HEAD') && !isApiPath(req.path) && Boolean(req.accepts(['json', 'html']) === 'html');
    if (!wantsHtml) return next();
    const lang = resolveLang(req, res);
    sessions.loadWebSession(readCookie(req, SESSION_COOKIE)).then((session) => {
      sendPage(req, res, 'error', lang, session, errorPageData(new AppError('not_found', ''), lang), 404);
    }, next);
  };
}
