// Server-rendered pages for insurers', brokers' and enterprises' staff. Pages read the session,
// call the same services the API calls, and render Handlebars views; no business rule lives here.
// The pipeline (page-pipeline.ts) checks session, CSRF and roles; each room mounts its own pages.
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { ServiceEvents } from '../events.ts';
import { createPagePipeline } from './page-pipeline.ts';
import { mountPolicyPages, type WebDocuments } from './policy-pages.ts';
import { mountPoolPages, type PoolDocuments } from './pool-pages.ts';
import { mountProductPages } from './product-pages.ts';
import { mountQuotingPages } from './quoting-pages.ts';
import { mountReferralPages } from './referral-pages.ts';
import { mountSessionPages } from './session-pages.ts';

/** Creates the web pages' router; mount it before the API routes. */
export function createWebRouter(options: { logger?: Logger; documents?: WebDocuments & PoolDocuments; events: ServiceEvents }): Router {
  const { events } = options;
  const router = express.Router();
  router.use('/assets', express.static(new URL('./assets/', import.meta.url).pathname, { fallthrough: false, index: false, maxAge: '1h' }));
  const pipeline = createPagePipeline(router, options.logger);
  mountSessionPages(pipeline);
  mountQuotingPages(pipeline, events);
  mountReferralPages(pipeline, events);
  mountPolicyPages(pipeline, events, options.documents);
  mountPoolPages(pipeline, options.documents);
  mountProductPages(pipeline);
  return router;
}
