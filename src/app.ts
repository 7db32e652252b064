import { readFileSync } from 'node:fs';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { trustProxySetting, type Config } from './config.ts';
import { auditRoutes } from './audit/audit-routes.ts';
import { auditSchemas } from './audit/audit-schemas.ts';
import { authRoutes } from './auth/auth-routes.ts';
import { authSchemas } from './auth/auth-schemas.ts';
import { catalogueRoutes } from './catalogue/catalogue-routes.ts';
import { tableRoutes } from './catalogue/table-routes.ts';
import { clientRoutes } from './clients/client-routes.ts';
import { clientSchemas } from './clients/client-schemas.ts';
import { catalogueSchemas } from './catalogue/catalogue-schemas.ts';
import { documentRoutes } from './documents/document-routes.ts';
import { policyRoutes } from './policies/policy-routes.ts';
import { paymentRoutes } from './policies/payment-routes.ts';
import { paymentSchemas } from './policies/payment-schemas.ts';
import { endorsementRoutes } from './policies/endorsement-routes.ts';
import { cancellationRoutes } from './policies/cancellation-routes.ts';
import { claimRoutes } from './policies/claim-routes.ts';
import { claimSchemas } from './policies/claim-schemas.ts';
import { policySchemas } from './policies/policy-schemas.ts';
import { poolInvitationRoutes } from './pools/pool-invitation-routes.ts';
import { statementRoutes } from './statements/statement-routes.ts';
import { reportRoutes } from './reports/report-routes.ts';
import { reportSchemas } from './reports/report-schemas.ts';
import { poolSchemas } from './pools/pool-schemas.ts';
import { statementSchemas } from './statements/statement-schemas.ts';
import { portfolioRoutes } from './portfolio/portfolio-routes.ts';
import { portfolioSchemas } from './portfolio/portfolio-schemas.ts';
import { quoteRoutes } from './quotes/quote-routes.ts';
import { quoteSchemas } from './quotes/quote-schemas.ts';
import { subsidyRoutes } from './subsidies/subsidy-routes.ts';
import { reviewRoutes } from './subsidies/review-routes.ts';
import { reviewSchemas } from './subsidies/review-schemas.ts';
import { summaryRoutes } from './subsidies/summary-routes.ts';
import { summarySchemas } from './subsidies/summary-schemas.ts';
import { qualificationListRoutes, qualificationListSchemas } from './subsidies/qualification-list-routes.ts';
import { subsidySchemas } from './subsidies/subsidy-schemas.ts';
import { renderApiDocs } from './http/api-docs.ts';
import { cacheCallers } from './http/api-key-cache.ts';
import { createAuthFailureLimiter } from './http/auth-failure-limit.ts';
import { createErrorMiddleware, notFoundHandler, sendError } from './http/error-middleware.ts';
import type { ServiceMetrics } from './http/metrics.ts';
import { isApiPath, mountRoutes } from './http/mount-routes.ts';
import { buildOpenApiDocument } from './http/openapi.ts';
import { createRateLimiter, responseOf } from './http/rate-limit.ts';
import { requestLog } from './http/request-log.ts';
import { requestTimeout } from './http/request-timeout.ts';
import { securityHeaders } from './http/security-headers.ts';
import { defaultUploadLimits, uploadLimitsOf, type UploadLimits } from './http/upload-limits.ts';
import type { RouteDefinition } from './http/route.ts';
import { registerSchema } from './http/schema-registry.ts';
import { createTemplates, type Templates } from './http/templates.ts';
import { createWebRouter } from './web/web-routes.ts';
import { listingOnly } from './http/listing-only.ts';
import type { Services } from './service.ts';

export interface AppDependencies {
  config: Config;
  logger: Logger;
  /** Answers whether the database responds to a ping right now. */
  isDatabaseReady(): Promise<boolean>;
  /** Every capability, composed by src/service.ts createServices; routes and pages call these. */
  services: Services;
  /** Prometheus metrics of this app (GET /metrics); the services' when not given. */
  metrics?: ServiceMetrics;
  /** The service's template environment (pages, documents, API reference); compiled here when not given. */
  templates?: Templates;
}

/**
 * Every API route over `services`, in the order the OpenAPI document lists them. Without services
 * (listing the routes only: tests, the OpenAPI document) every operation answers 503.
 */
export function allRoutes(services: Services = listingOnly<Services>(), uploadLimits: UploadLimits = defaultUploadLimits): RouteDefinition[] {
  return [
    ...authRoutes(services), ...clientRoutes(services), ...catalogueRoutes(services), ...tableRoutes(services, uploadLimits.sheet), ...quoteRoutes(services), ...policyRoutes(services), ...paymentRoutes(services), ...endorsementRoutes(services), ...cancellationRoutes(services), ...claimRoutes(services),
    ...documentRoutes(services), ...subsidyRoutes(services), ...reviewRoutes(services), ...qualificationListRoutes(uploadLimits.sheet), ...statementRoutes(services), ...poolInvitationRoutes(services), ...portfolioRoutes(services, uploadLimits.bulk), ...auditRoutes(services),
    ...reportRoutes(services),
    ...summaryRoutes(services),
  ];
}

const apiExamples = JSON.parse(readFileSync(new URL('./http/api-examples.json', import.meta.url), 'utf8')) as Record<string, { request?: unknown; response?: unknown }>;

const API_DESCRIPTION = [
  'Product catalogue, premium rating with worksheets, quotes, policies and documents for Chinese tech insurance (科技保险).',
  '',
  'Conventions: every list answers `{ items, total, limit, offset }` and takes `limit` (1–200, default 50) and `offset`.',
  'A query parameter a route does not declare is a 400 (`invalid_input`, detail path `query.<name>`): a misspelt filter never silently widens a list.',
  'Every error answers `{ error: { code, message, details[{ path, message, value? }], requestId } }`; `code` is one of the ErrorResponse enum.',
  'Creating a quote, binding a quote and recording a claim take an `Idempotency-Key` (1–100 characters): a retry with the same key answers 200 with what the first request made.',
  'Brokers find the enterprises they quote for at /v1/clients. Picks are keyed by step key: GET /v1/catalogue/{code} lists the steps your role may pick in.',
].join('\n');

/** The OpenAPI document of these routes (served at /openapi.json; linted and turned into a client in test/contract). */
export function buildApiDocument(routes: readonly RouteDefinition[] = allRoutes()): Record<string, unknown> {
  registerAllSchemas();
  // Examples recorded from the generated client's journey (test/contract), by operationId.
  const withExamples = routes.map((route) => (route.examples || !apiExamples[route.operationId] ? route : { ...route, examples: apiExamples[route.operationId] }));
  return buildOpenApiDocument(withExamples, { title: 'Tech insurance service (科技保险)', version: '0.1.0', description: API_DESCRIPTION });
}

export function registerAllSchemas(): void {
  for (const schema of [...authSchemas, ...clientSchemas, ...catalogueSchemas, ...quoteSchemas, ...claimSchemas, ...policySchemas, ...paymentSchemas, ...subsidySchemas, ...reviewSchemas, ...qualificationListSchemas, ...statementSchemas, ...poolSchemas, ...portfolioSchemas, ...auditSchemas, ...reportSchemas, ...summarySchemas]) registerSchema(schema as Record<string, unknown>);
}

/** Paths whose requests are not access-logged: probes and scrapes would drown the traffic. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The Express application: middleware, pages and API routes over services composed in src/service.ts. */
export function createApp(deps: AppDependencies): Express {
  const { config, logger } = deps;
  registerAllSchemas();
  const uploadLimits = uploadLimitsOf(config);
  const { services } = deps;
  const routes = allRoutes(services, uploadLimits);
  const openApi = buildApiDocument(routes);
  const templates = deps.templates ?? createTemplates();
  const docsHtml = renderApiDocs(openApi, templates);

  const app = express();
  app.disable('x-powered-by');
  // Every request runs in the service's scope: its caches, also for work an operation leaves running.
  app.use((_req, _res, next) => services.scope.run(next));
  // Who says which address a request comes from and whether it arrived over HTTPS: req.ip (the
  // failed-authentication limit) and req.secure (Secure cookies) follow X-Forwarded-* from these only.
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  app.set('query parser', 'simple');
  const metrics = deps.metrics ?? services.metrics;
  app.use(metrics.countRequests);

  app.use(requestLog(logger, (url) => QUIET_PATHS.has(url)));
  app.use(securityHeaders({
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], objectSrc: ["'none'"], frameAncestors: ["'none'"] } },
  }));
  app.use(requestTimeout(config.REQUEST_TIMEOUT_MS));
  app.use(express.json({ limit: config.BODY_LIMIT, strict: true }));

  // The API first: its requests are the traffic, and its paths (/v1) meet nothing else below.
  const resolveCaller = cacheCallers(services.auth.authenticateApiKey, config.API_KEY_CACHE_MS);
  const rateLimiter = createRateLimiter({ perMinute: config.RATE_LIMIT_PER_MINUTE, onRefused: () => metrics.rateLimitRejected() });
  const authFailures = createAuthFailureLimiter({ perMinute: config.AUTH_FAILURES_PER_MINUTE, onFailure: metrics.authFailed, onRefused: metrics.authFailureRejected });
  app.use(mountRoutes(routes, {
    authenticate: async (req) => {
      const authorization = req.get('authorization');
      const caller = await authFailures.check(req, 'api', authorization, () => resolveCaller(authorization));
      await rateLimiter.take(caller.keyId, responseOf(req));
      return caller;
    },
    validateResponses: config.VALIDATE_RESPONSES,
  }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  app.get('/readyz', async (_req, res) => {
    if (await deps.isDatabaseReady()) res.json({ status: 'ready', database: 'up' });
    else sendError(res, 503, 'unavailable', 'The database does not answer a ping.', [{ path: 'database', message: 'is down (ping)' }]);
  });
  app.get('/metrics', metrics.serveMetrics(config.METRICS_TOKEN));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(docsHtml);
  });

  // Pages for people (session cookie, their own strict CSP); the API above stays Bearer-only.
  const webRouter = createWebRouter({ templates: deps.templates, logger, services, authFailures, uploadLimits });
  app.use((req, res, next) => (isApiPath(req.path) ? next() : webRouter(req, res, next)));

  app.use(notFoundHandler);
  app.use(createErrorMiddleware(logger));
  return app;
}
