// The service composed: the one place where capabilities are wired together. composeService
// builds the app over its services and registers every reaction between capabilities (who
// reacts to a quote stored or a policy issued); startService adds the database, seed, catalogue
// and HTTP listener around it. Tests compose through the same function (test/support/test-app.ts).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import { seedDemoOrganisations } from './cli/demo-seed.ts';
import { ProductModel } from './catalogue/catalogue-model.ts';
import { warmCompiledCache } from './catalogue/catalogue-service.ts';
import { syncProducts } from './catalogue/product-sync.ts';
import type { Config } from './config.ts';
import { connectDatabase, disconnectDatabase, pingDatabase } from './db/connect-database.ts';
import { ensureDatabaseIdentity } from './db/database-identity.ts';
import { startEmbeddedFerretDb } from './db/embedded-ferretdb.ts';
import { createDocumentService, type DocumentService } from './documents/document-service.ts';
import { compileDocumentTemplates } from './documents/document-templates.ts';
import { createPdfRenderer, type PdfRenderer } from './documents/pdf-renderer.ts';
import { createEventHub, type ServiceEvents } from './events.ts';
import { createSubsidyApplicationDocuments, type SubsidyApplicationDocuments } from './subsidies/subsidy-application-pdf.ts';
import { createMetrics, type ServiceMetrics } from './http/metrics.ts';
import { createTemplates } from './http/templates.ts';
import { recordIssuedPolicy, recordStoredQuotes, startBackgroundCompaction } from './portfolio/rating-book.ts';

/**
 * A hub with every reaction between capabilities registered:
 * - quotes stored, approved or declined → the portfolio's rating book records them;
 * - a policy issued → the rating book records it, then (with `documents`) its schedules are stored.
 */
export function createServiceEvents(documents?: DocumentService): ServiceEvents {
  const events = createEventHub();
  events.onQuotesStored((stored) => recordStoredQuotes(stored));
  events.onPolicyIssued((policy) => recordIssuedPolicy(policy));
  if (documents) events.onPolicyIssued((policy) => documents.storePolicySchedules(policy.id));
  return events;
}

export interface ComposedService {
  app: Express;
  events: ServiceEvents;
  /** The PDF renderer (Chromium starts on the first PDF only) and the documents service. */
  renderer: PdfRenderer;
  documents: DocumentService;
  /** Subsidy application PDFs and ZIPs, on the same renderer and templates. */
  subsidyDocuments: SubsidyApplicationDocuments;
  /** The app's Prometheus metrics (GET /metrics), also fed by the renderer and background compaction. */
  metrics: ServiceMetrics;
  /** Stops background work and closes the renderer (the database is its owner's). */
  close(): Promise<void>;
}

/**
 * Composes the service on a connected database: PDF renderer and documents, the events and their
 * reactions, background compaction of the rating books, and the Express app over them.
 */
export function composeService(config: Config, logger: Logger, options: { pdfPoolSize?: number; compactionIntervalMs?: number } = {}): ComposedService {
  // One Chromium pool per process, launched lazily on the first PDF; templates compile now so a
  // broken template stops the start rather than the first download.
  // One set of metrics for the app and for the work it starts; the insert batchers, which are the
  // process's, report into the process metrics (src/http/metrics.ts).
  const metrics = createMetrics();
  const poolSize = options.pdfPoolSize ?? config.PDF_POOL_SIZE;
  const renderer = createPdfRenderer({
    executablePath: config.CHROME_PATH, ...(poolSize ? { poolSize } : {}), logger,
    onRender: metrics.pdfRendered, onPoolWait: metrics.pdfPoolWaited,
  });
  const engine = createTemplates(); // pages, documents and the API reference: one environment
  const templates = compileDocumentTemplates(engine);
  const documents = createDocumentService({ renderer, templates, logger });
  const subsidyDocuments = createSubsidyApplicationDocuments({ renderer, templates, logger });
  const events = createServiceEvents(documents);
  const compaction = startBackgroundCompaction({ logger, onCompacted: metrics.ratingBookCompacted, ...(options.compactionIntervalMs ? { intervalMs: options.compactionIntervalMs } : {}) });
  const app = createApp({ config, logger, isDatabaseReady: pingDatabase, documents, events, metrics, subsidyDocuments, templates: engine });
  return {
    app, events, renderer, documents, metrics, subsidyDocuments,
    async close() {
      compaction.stop();
      documents.close();
      await renderer.close();
    },
  };
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
  try {
    await connectDatabase(databaseUri, { logger, retries: config.DB_CONNECT_RETRIES });
    // The CLIs reuse this database only when DATA_DIR and the database carry the same identity.
    if (embedded) logger.info({ identity: await ensureDatabaseIdentity(mongoose.connection.db!, dataDir, logger) }, 'database identity');
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
    if (config.SEED_DEMO) {
      const seeded = await seedDemoOrganisations(dataDir);
      if (seeded) printDemoKeys(seeded.keys, seeded.file);
    }
    if ((await ProductModel.estimatedDocumentCount()) === 0) {
      // A new database gets the shipped catalogue, published, so brokers can quote at once.
      // The shipped pools are the demo organisations' own: with the demo seed they are accepted.
      const lines = await syncProducts({ dir: config.PRODUCTS_DIR, publish: true, acceptPools: config.SEED_DEMO });
      for (const line of lines) {
        if (line.outcome === 'error') logger.warn(line, 'product sync');
        else logger.info(line, 'product sync');
      }
    }
    logger.info({ versions: await warmCompiledCache() }, 'compiled published product versions');
  } catch (err) {
    await embedded?.stop();
    throw err;
  }

  const composed = composeService(config, logger);
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

function printDemoKeys(keys: object, file: string): void {
  const lines = Object.entries(keys as Record<string, string>).map(([name, key]) => `  ${name.padEnd(18)} ${key}`);
  process.stdout.write(`\nDemo organisations created. Their API keys (shown once; also in ${file}, mode 600):\n${lines.join('\n')}\n\n`);
}
