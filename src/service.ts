// The service composed: the one place where capabilities are wired together. createServices
// builds every capability once (their caches and background work inside) and registers every
// reaction between them (who reacts to a quote stored or a policy issued); composeService builds
// the app over them; startService adds the database, seed, catalogue
// and HTTP listener around it. Tests compose through the same function (test/support/test-app.ts).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import { createAudit, type AuditService, type AuditSubjects } from './audit/audit-service.ts';
import { seedDemoOrganisations } from './cli/demo-seed.ts';
import { createAuth, type AuthService } from './auth/auth-service.ts';
import { createCatalogue, type CatalogueService } from './catalogue/catalogue.ts';
import { ProductModel } from './catalogue/catalogue-model.ts';
import { syncProducts } from './catalogue/product-sync.ts';
import { subsidyProgrammes } from './catalogue/subsidy-programmes.ts';
import { createClients, type ClientsService } from './clients/client-service.ts';
import type { Config } from './config.ts';
import { connectDatabase, disconnectDatabase, pingDatabase } from './db/connect-database.ts';
import { ensureDatabaseIdentity } from './db/database-identity.ts';
import { startEmbeddedFerretDb } from './db/embedded-ferretdb.ts';
import { createDocumentService, documentsUnavailable, type DocumentService } from './documents/document-service.ts';
import { compileDocumentTemplates } from './documents/document-templates.ts';
import { createPdfRenderer, type PdfRenderer } from './documents/pdf-renderer.ts';
import { runMigrations, type Migration } from './db/migrations.ts';
import { createServiceScope, type ServiceScope } from './db/service-scope.ts';
import { createEventHub, type ServiceEvents } from './events.ts';
import { createMetrics, type ServiceMetrics } from './http/metrics.ts';
import { createTemplates, type Templates } from './http/templates.ts';
import { createPolicies, loadVisiblePolicy, type PoliciesService } from './policies/policy-service.ts';
import { createClaims, type ClaimsService } from './policies/policy-claims.ts';
import { createRenewals, type RenewalsService } from './policies/policy-renewal.ts';
import { createStatements, type StatementsService } from './statements/statement-service.ts';
import { createPools, type PoolsService } from './pools/pools.ts';
import type { PoolMembership } from './catalogue/pool-membership.ts';
import { createPortfolio, type PortfolioService } from './portfolio/portfolio.ts';
import { createQuotes, type QuotesService } from './quotes/quotes.ts';
import { createReports, type ReportsService } from './reports/reports.ts';
import { subsidySource } from './quotes/subsidy-source.ts';
import { qualificationSource } from './quotes/qualification-source.ts';
import { checkQualificationLists } from './subsidies/qualification-lists.ts';
import { loadVisibleQuote, quoteCreationEntry } from './quotes/quote-service.ts';
import { createSubsidyApplicationDocuments } from './subsidies/subsidy-application-pdf.ts';
import { createSubsidies, type SubsidiesService } from './subsidies/subsidies.ts';
import { applicationOutcomes } from './subsidies/application-outcomes.ts';
import { migrateDepartmentSummaries, verifyDepartmentSummaries } from './subsidies/department-summary-book.ts';

/** Every capability, built once by createServices; routes and pages receive it (or the part they need). */
export interface Services {
  config: Config;
  logger: Logger;
  /** The hub quotes and policies announce on, with every reaction registered here. */
  events: ServiceEvents;
  /** This service's Prometheus metrics (GET /metrics), also fed by the renderer and background compaction. */
  metrics: ServiceMetrics;
  /** The one template environment of pages, documents and the API reference (src/http/templates.ts). */
  templates: Templates;
  auth: AuthService;
  clients: ClientsService;
  catalogue: CatalogueService;
  pools: PoolsService;
  quotes: QuotesService;
  policies: PoliciesService;
  /** #26: claims paid on policies (announced on the hub: claimPaid). */
  claims: ClaimsService;
  /** #26: renewal quotes of policies, through the quotes capability. */
  renewals: RenewalsService;
  /** Quote and policy PDFs (503 `unavailable` when composed without a renderer). */
  documents: DocumentService;
  /** The PDF renderer behind documents (undefined when composed without PDFs). */
  renderer: PdfRenderer | undefined;
  subsidies: SubsidiesService;
  statements: StatementsService;
  /** The insurers' tech-insurance report (#27) and the logs it reads. */
  reports: ReportsService;
  portfolio: PortfolioService;
  audit: AuditService;
  /**
   * This service's state (caches, hints): its operations run in it already; the app also runs each
   * request in it, so work an operation leaves running (a bulk run's rows, a stream) uses it too.
   */
  scope: ServiceScope;
  /** Stops background work and closes the renderer (the database is its owner's). */
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Render PDFs (a Chromium pool, launched on the first PDF); without it the PDF routes answer 503. */
  pdf?: boolean;
  pdfPoolSize?: number;
  /** Compact the rating books in the background (every intervalMs) until close(). */
  compaction?: boolean;
  compactionIntervalMs?: number;
}

/**
 * Builds every capability once, in floor order, and registers every reaction between them:
 * - quotes stored, approved or declined → the portfolio's rating book records them;
 * - a policy issued → the subsidy ledger and years record its subsidies, the rating book records
 *   it, the pool members' months record it (co-insured), then (with PDFs) its schedules are queued
 *   to be rendered and stored behind the bind's answer.
 * Nothing here touches the database: a service composed before connecting works once connected.
 * Two calls give two services that share no hub, cache, metrics, renderer or background job.
 */
export function createServices(config: Config, logger: Logger, options: ServiceOptions = {}): Services {
  // This service's caches and hints (catalogue revision cache, compiled versions, kept
  // organisations, rating-book hints) live in its scope; every operation handed out runs in it.
  const scope = createServiceScope();
  const metrics = createMetrics();
  // Pages, documents and the API reference: one template environment, compiled now, so a broken
  // template stops the start rather than the first page or download.
  const templates = createTemplates();
  const events = createEventHub();
  const pdf = options.pdf ? createPdfDocuments(config, logger, metrics, templates, options.pdfPoolSize) : undefined;
  const documents = scope.bind(pdf?.documents ?? documentsUnavailable);
  // Subsidies first: the ledger records an issued policy before the other reactions run, and the
  // ports the catalogue and quotes declare for subsidies are provided in this service's scope.
  const subsidyDocuments = pdf ? scope.bind(pdf.subsidyDocuments) : undefined;
  // A department reads a policy schedule through an application in its scope (#27): subsidies ask the documents.
  const subsidies = scope.bind(createSubsidies({ ...(subsidyDocuments ? { documents: subsidyDocuments } : {}), schedules: documents }));
  scope.run(() => provideSubsidyPorts(subsidies, events));
  events.onPolicyIssued((policy) => subsidies.recordIssuedPolicy(policy));
  const compaction = options.compaction ? { logger, onCompacted: metrics.ratingBookCompacted, ...(options.compactionIntervalMs ? { intervalMs: options.compactionIntervalMs } : {}) } : undefined;
  // Quotes and policies announce on the hub, bound once here: no caller passes it.
  const quotes = scope.bind(createQuotes({ events }));
  // Started in the scope, so its rounds (timers) use this service's state too. A bulk save stores through quotes.
  const portfolio = scope.bind(scope.run(() => createPortfolio({ quotes, ...(compaction ? { compaction } : {}) })));
  events.onQuotesStored((stored) => portfolio.recordStoredQuotes(stored));
  events.onPolicyIssued((policy) => portfolio.recordIssuedPolicy(policy));
  // The pool members' months a statement reads (src/statements/pool-month-log.ts).
  const statements = scope.bind(createStatements());
  events.onPolicyIssued((policy) => statements.recordIssuedPolicy(policy));
  // The insurers' report logs (src/reports/tech-insurance-log.ts): each reporting insurer's half year.
  // Offline (book:migrate, book:verify), the report rebuilds its grant facts from the applications' outcomes.
  const reports = scope.bind(createReports({ subsidies: { grantedFen: subsidies.grantedOnPolicy } }));
  events.onPolicyIssued((policy) => reports.recordIssuedPolicy(policy));
  // What becomes of a policy after its issue, kept as facts in the same logs (tech-insurance-facts.ts):
  // a claim paid, a cancellation's refund, a subsidy granted on one of its applications.
  events.onClaimPaid((claim) => reports.recordClaimPaid(claim));
  events.onPolicyChanged((change) => reports.recordPolicyChange(change));
  events.onApplicationOutcome((outcome) => reports.recordApplicationOutcome(outcome));
  // Queued, not awaited: the bind answers before its schedule is rendered (src/documents/schedule-backlog.ts).
  if (pdf) events.onPolicyIssued((policy) => documents.storePolicySchedules(policy.id));
  // A policy changed mid-term (an endorsement; later a cancellation: src/policies/policy-changes.ts):
  // the ledger and the subsidy years take its layers after the change, the pool members' months an
  // adjustment line in the month of the change. Each is idempotent by the change's ref.
  events.onPolicyChanged((change) => subsidies.recordPolicyChange(change));
  events.onPolicyChanged((change) => statements.recordPolicyChange(change));
  // Pools' side of the catalogue's PoolMembership port (drafting and publishing ask it).
  const pools = scope.bind(createPools());
  const catalogue = scope.bind(createCatalogue({ pools: pools.membership }));
  return Object.freeze({
    config, logger, events, metrics, templates, renderer: pdf?.renderer, scope,
    auth: scope.bind(createAuth()), clients: scope.bind(createClients()), catalogue, pools,
    quotes, policies: scope.bind(createPolicies({ events, grantedOnPolicy: subsidies.grantedOnPolicy })), documents,
    claims: scope.bind(createClaims({ events })), renewals: scope.bind(createRenewals({ quotes })),
    subsidies, statements, reports, portfolio, audit: scope.bind(createAudit({ subjects: auditSubjects(catalogue) })),
    async close() {
      portfolio.close();
      await documents.close(); // the schedule being rendered is finished; what is queued is left to first downloads
      await pdf?.renderer.close();
    },
  });
}

/**
 * Provides the subsidies capability to the ports the lower floors declare for it, in the current
 * scope: the catalogue's SubsidyProgrammes (src/catalogue/subsidy-programmes.ts) and the quotes'
 * SubsidySource (src/quotes/subsidy-source.ts). createServices calls it in each service's scope;
 * code run outside any service (test fixtures, the benches) calls it once, unscoped.
 */
export function provideSubsidyPorts(subsidies: SubsidiesService = createSubsidies(), events?: Pick<ServiceEvents, 'applicationOutcome'>): void {
  subsidyProgrammes.provide({ programmesFor: subsidies.programmesFor, upsertProgramme: subsidies.upsertProgramme });
  subsidySource.provide({ programmesFor: subsidies.programmesFor, recorded: subsidies.recorded });
  qualificationSource.provide({ check: checkQualificationLists }); // the departments' lists (#27)
  // An application's outcome announced on the service's hub (the insurers' report keeps grants); unscoped: no one reacts.
  applicationOutcomes.provide({ outcomeRecorded: events ? (outcome) => events.applicationOutcome(outcome) : async () => {} });
}

/** What the audit reader asks before showing a record's trail: each record's own visibility rule, from its capability. */
function auditSubjects(catalogue: CatalogueService): AuditSubjects {
  return {
    assertProductVisible: (caller, code) => catalogue.assertProductVisible(caller, code),
    visibleQuoteEntry: async (caller, id) => quoteCreationEntry(await loadVisibleQuote(caller, id)),
    assertPolicyVisible: async (caller, id) => { await loadVisiblePolicy(caller, id); },
  };
}

/** One Chromium pool per service, launched lazily on the first PDF, over the service's templates. */
function createPdfDocuments(config: Config, logger: Logger, metrics: ServiceMetrics, engine: Templates, pdfPoolSize?: number) {
  const poolSize = pdfPoolSize ?? config.PDF_POOL_SIZE;
  const renderer = createPdfRenderer({
    executablePath: config.CHROME_PATH, ...(poolSize ? { poolSize } : {}), logger,
    onRender: metrics.pdfRendered, onPoolWait: metrics.pdfPoolWaited,
  });
  const templates = compileDocumentTemplates(engine);
  const documents = createDocumentService({ renderer, templates, logger, scheduleBacklog: config.POLICY_SCHEDULE_BACKLOG });
  const subsidyDocuments = createSubsidyApplicationDocuments({ renderer, templates, logger });
  return { renderer, documents, subsidyDocuments };
}

export interface ComposedService {
  app: Express;
  services: Services;
  events: ServiceEvents;
  /** The PDF renderer (Chromium starts on the first PDF only) and the documents service. */
  renderer: PdfRenderer;
  documents: DocumentService;
  /** The app's Prometheus metrics (GET /metrics), also fed by the renderer and background compaction. */
  metrics: ServiceMetrics;
  /** Stops background work and closes the renderer (the database is its owner's). */
  close(): Promise<void>;
}

/**
 * Composes the service on a connected database: every capability (createServices, with PDFs and
 * background compaction of the rating books) and the Express app over them.
 */
export function composeService(config: Config, logger: Logger, options: { pdfPoolSize?: number; compactionIntervalMs?: number } = {}): ComposedService {
  const services = createServices(config, logger, { pdf: true, compaction: true, ...options });
  const app = createApp({ config, logger, isDatabaseReady: pingDatabase, services, templates: services.templates });
  const { events, documents, metrics } = services;
  return { app, services, events, documents, metrics, renderer: services.renderer!, close: () => services.close() };
}

export interface RunningService {
  url: string;
  databaseUri: string;
  /** Stops accepting, lets in-flight requests finish, then closes the database and the launcher. */
  stop(): Promise<void>;
}

/** Starts the whole service: database (embedded or MONGODB_URI), indexes, demo seed, HTTP. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const dataDir = path.resolve(config.DATA_DIR);
  let embedded: Awaited<ReturnType<typeof startEmbeddedFerretDb>> | undefined;
  let databaseUri: string;
  if (config.MONGODB_URI) databaseUri = config.MONGODB_URI;
  else {
    embedded = await startEmbeddedFerretDb({ dataDir: path.join(dataDir, 'db'), port: config.DB_PORT, logger });
    databaseUri = embedded.uri;
    logger.info({ dataDir: embedded.dataDir, uri: databaseUri }, 'embedded FerretDB started');
  }
  // Composed before connecting (composition reads nothing), so the catalogue warmed below is the
  // one the app serves from.
  const composed = composeService(config, logger);
  try {
    await connectDatabase(databaseUri, { logger, retries: config.DB_CONNECT_RETRIES });
    // The CLIs reuse this database only when DATA_DIR and the database carry the same identity.
    if (embedded) logger.info({ identity: await ensureDatabaseIdentity(mongoose.connection.db!, dataDir, logger) }, 'database identity');
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
    // In the service's scope: what the seed and sync cache (organisations, the catalogue's
    // revision) is the service's own, not the process's unscoped state.
    await composed.services.scope.run(() => seedNewDatabase(config, logger, dataDir, composed.services.pools.membership));
    // A data folder written before the keyed-log lists and aggregates (#25) gets them built once.
    for (const result of await composed.services.scope.run(() => runMigrations(bookMigrations(composed.services)))) {
      if (result.ran) logger.info({ migration: result.name, ...result.summary }, 'data migration ran');
    }
    logger.info({ versions: await composed.services.catalogue.warmCompiledCache() }, 'compiled published product versions');
  } catch (err) {
    await composed.close();
    await embedded?.stop();
    throw err;
  }

  const { app } = composed;
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(config.PORT, config.HOST, () => resolve(listening));
    listening.once('error', reject);
  });
  server.requestTimeout = config.REQUEST_TIMEOUT_MS + 5000;
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  logger.info({ url }, 'service listening');

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    logger.info('shutting down: no new connections, finishing in-flight requests');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const forced = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
    await closed;
    clearTimeout(forced);
    await composed.close();
    await disconnectDatabase();
    await embedded?.stop();
    logger.info('stopped');
  })());
  return { url, databaseUri, stop };
}

/**
 * What a data folder written by an earlier version needs to be read by this one (docs/database.md,
 * "Lists and aggregates on keyed logs"): each capability builds its keyed logs from its stored
 * records, idempotently. Run once per database at start (a marker by `_id` records it) and by
 * `npm run book:migrate`.
 */
export function bookMigrations(services: Services): Migration[] {
  return [
    { name: 'keyed-logs-1:quotes', run: () => services.quotes.buildLists() },
    { name: 'keyed-logs-1:policies', run: () => services.policies.buildLists() },
    { name: 'keyed-logs-1:clients', run: () => services.clients.buildLists() },
    { name: 'keyed-logs-1:audit', run: () => services.audit.buildLists() },
    { name: 'keyed-logs-1:subsidy-years', run: () => services.subsidies.migrateYears() },
    { name: 'keyed-logs-1:pool-months', run: () => services.statements.migratePoolMonths() },
    { name: 'organisation-credit-codes-1', run: () => services.auth.buildCreditCodes() },
    { name: 'keyed-logs-2:tech-insurance-reports', run: () => services.reports.migrateTechInsuranceReports() },
    // #26: the due-for-renewal lists of the policies stored before them (GET /v1/policies?expiringWithin=N).
    { name: 'expiring-lists-1:policies', run: () => services.policies.buildExpiringLists() },
    // #27: outcomes recorded before the departments decided are marked as the enterprise's; submitted applications listed for the departments.
    { name: 'subsidy-departments-1', run: () => services.subsidies.migrateDepartments() },
    // The departments' summaries as kept facts per list and month of submission, and the insurers'
    // report facts (claims, refunds, grants) of the policies' life so far: both from the stored book.
    { name: 'department-summaries-1', run: () => migrateDepartmentSummaries() },
    { name: 'tech-insurance-facts-1', run: () => services.reports.migrateTechInsuranceReports() },
    // Endorsements' premium differences joined the report's facts (premium written): appended to the logs once more (idempotent by ref).
    { name: 'tech-insurance-facts-2', run: () => services.reports.migrateTechInsuranceReports() },
    // Quotes read the newest qualification list covering a region from one document per kind, not the index logs' tops.
    { name: 'qualification-newest-1', run: () => services.subsidies.migrateQualificationLists() },
  ];
}

/** What `npm run book:verify` checks, each aggregate against a recomputation from the stored book: the differences, named. */
export async function bookDifferences(services: Services): Promise<string[]> {
  return [
    ...await services.subsidies.verifyYears(), ...await services.statements.verifyPoolMonths(),
    ...await services.reports.verifyTechInsuranceReports(), ...await verifyDepartmentSummaries(),
  ];
}

/** The demo organisations (SEED_DEMO) and, on a database without products, the shipped catalogue, published. */
async function seedNewDatabase(config: Config, logger: Logger, dataDir: string, pools: PoolMembership): Promise<void> {
  if (config.SEED_DEMO) {
    const seeded = await seedDemoOrganisations(dataDir);
    if (seeded) printDemoKeys(seeded.keys, seeded.file);
  }
  if ((await ProductModel.estimatedDocumentCount()) === 0) {
    // A new database gets the shipped catalogue, published, so brokers can quote at once.
    // The shipped pools are the demo organisations' own: with the demo seed they are accepted.
    const lines = await syncProducts({ pools, dir: config.PRODUCTS_DIR, publish: true, acceptPools: config.SEED_DEMO });
    for (const line of lines) {
      if (line.outcome === 'error') logger.warn(line, 'product sync');
      else logger.info(line, 'product sync');
    }
  }
}

function printDemoKeys(keys: object, file: string): void {
  const lines = Object.entries(keys as Record<string, string>).map(([name, key]) => `  ${name.padEnd(18)} ${key}`);
  process.stdout.write(`\nDemo organisations created. Their API keys (shown once; also in ${file}, mode 600):\n${lines.join('\n')}\n\n`);
}
