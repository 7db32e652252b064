// Prometheus metrics (prom-client), one registry per app: tests create several apps in one
// process, and prom-client's global default registry would refuse the second app's metrics
// ("already registered") or mix their counts. Process metrics (CPU, memory, event loop, GC) are
// the same for every app of a process, so they live in one lazily created process registry that
// each app's /metrics merges in. See docs/deploy.md (Metrics) for the series and the scrape set-up.
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Label of requests that matched no route pattern (404s, static assets). */
const UNMATCHED_ROUTE = 'unmatched';

const LATENCY_BUCKETS = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface ServiceMetrics {
  registry: Registry;
  /** Express middleware: counts and times every request by method, route pattern and status. */
  countRequests: RequestHandler;
  /** GET /metrics in the Prometheus text format; with a token, only for `Authorization: Bearer <token>`. */
  serveMetrics(token?: string): RequestHandler;
  /** One request refused by the per-key rate limit (429). */
  rateLimitRejected(): void;
  /** One failed authentication (a wrong, revoked or malformed key) on the API or the sign-in page. */
  authFailed(channel: 'api' | 'web'): void;
  /** One request refused (429) because its client address failed to authenticate too often. */
  authFailureRejected(channel: 'api' | 'web'): void;
  /** One PDF render: how long it took and how it ended ('ok' or an error code). */
  pdfRendered(seconds: number, outcome: string): void;
  /** Time a render waited for a free page of the Chromium pool. */
  pdfPoolWaited(seconds: number): void;
  /** One rating-book compaction: how many tail records it folded into pages. */
  ratingBookCompacted(records: number): void;
}

let processRegistry: Registry | undefined;
let insertBatches: Histogram<'collection'> | undefined;

/**
 * CPU, memory, event-loop lag, GC, handles, and the insert batchers: collected once per process
 * however many apps it runs. The batchers (src/db/insert-batcher.ts) are per process, not per app:
 * two apps of one process share their queues and one insert command can carry both apps'
 * documents, so their batch sizes are a fact of the process.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    insertBatches = new Histogram({ name: 'db_insert_batch_documents', help: 'Documents per insert command of the insert batchers, by collection.', labelNames: ['collection'], buckets: [1, 2, 4, 8, 16, 32, 64], registers: [processRegistry] });
  }
  return processRegistry;
}

/** One insert command of a batcher (the batchers' `onBatch`): its collection and document count. */
export function observeInsertBatch(collection: string, documents: number): void {
  processMetrics();
  insertBatches!.observe({ collection }, documents);
}

/** The Express route pattern that answered the request (`/v1/quotes/:id`), never the raw URL. */
function routeLabel(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl ?? ''}${pattern}` : UNMATCHED_ROUTE;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Creates the metrics of one app in their own registry (plus the shared process metrics). */
export function createMetrics(): ServiceMetrics {
  const registry = new Registry();
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route pattern and status.', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({ name: 'http_request_duration_seconds', help: 'Time from the request to the last byte of the response, by method and route pattern.', labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const rejections = new Counter({ name: 'rate_limit_rejections_total', help: 'Requests refused with 429 by the per-API-key rate limit.', registers: [registry] });
  const authFailures = new Counter({ name: 'auth_failures_total', help: 'Failed authentications (wrong, revoked or malformed API key), by channel: api (Authorization header) or web (sign-in form).', labelNames: ['channel'], registers: [registry] });
  const authRejections = new Counter({ name: 'auth_failure_rejections_total', help: 'Requests refused with 429 because their client address had too many failed authentications this minute, by channel.', labelNames: ['channel'], registers: [registry] });
  const renders = new Histogram({ name: 'pdf_render_duration_seconds', help: 'PDF renders by outcome (ok or the error code), with their duration.', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const poolWaits = new Histogram({ name: 'pdf_pool_wait_seconds', help: 'Time a render waited for a free browser page.', buckets: LATENCY_BUCKETS, registers: [registry] });
  const compactions = new Counter({ name: 'rating_book_compactions_total', help: 'Rating-book compactions run by this instance.', registers: [registry] });
  const compacted = new Counter({ name: 'rating_book_compacted_records_total', help: 'Rating-book tail records folded into pages by this instance.', registers: [registry] });
  const exposed = Registry.merge([processMetrics(), registry]);

  const countRequests: RequestHandler = (req, res, next) => {
    if (req.path === '/metrics') return next(); // scrapes would outnumber the traffic they measure
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = routeLabel(req);
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      latency.observe({ method: req.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };

  const serveMetrics = (token?: string): RequestHandler => (req: Request, res: Response, next: NextFunction) => {
    if (token && !sameSecret(req.get('authorization') ?? '', `Bearer ${token}`)) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('metrics need Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    exposed.metrics().then((text) => res.type(exposed.contentType).send(text), next);
  };

  return {
    registry,
    countRequests,
    serveMetrics,
    rateLimitRejected: () => rejections.inc(),
    authFailed: (channel) => authFailures.inc({ channel }),
    authFailureRejected: (channel) => authRejections.inc({ channel }),
    pdfRendered: (seconds, outcome) => renders.observe({ outcome }, seconds),
    pdfPoolWaited: (seconds) => poolWaits.observe(seconds),
    ratingBookCompacted: (records) => {
      compactions.inc();
      compacted.inc(records);
    },
  };
}
