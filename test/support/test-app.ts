import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { pino } from 'pino';
import supertest from 'supertest';
import { seedDemoOrganisations, type DemoKeys } from '../../src/cli/demo-seed.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { DocumentService } from '../../src/documents/document-service.ts';
import type { PdfRenderer } from '../../src/documents/pdf-renderer.ts';
import type { ServiceEvents } from '../../src/events.ts';
import type { ServiceMetrics } from '../../src/http/metrics.ts';
import { composeService, type ComposedService, type Services } from '../../src/service.ts';
import { useFreshDatabase } from './database.ts';

export interface TestApp {
  app: Express;
  http: ReturnType<typeof supertest>;
  keys: DemoKeys;
  config: Config;
  dataDir: string;
  /** Organisation ids by demo code (PLATFORM, KCIC, HTIC, ZXIC, MXB, HZZZ, JNXC). */
  organisations: Record<string, string>;
  /** The app's PDF renderer (Chromium starts on the first PDF only) and documents service. */
  renderer: PdfRenderer;
  documents: DocumentService;
  /** The app's events, with the service's reactions registered (for a second app on the same wiring). */
  events: ServiceEvents;
  /** The app's metrics, as composeService wired them. */
  metrics: ServiceMetrics;
  /** Every capability as composeService built them (for a second app over the same services). */
  services: Services;
}

/**
 * Gives a test file a fresh database with the demo organisations and keys, and the Express app
 * composed as the service composes it (src/service.ts composeService: the same reactions and
 * background work), in process, called through supertest. Call inside a describe; the returned
 * object fills in `before`.
 */
/** The service the running test file composed (useTestApp), whose scope test helpers run in. */
let activeServices: Services | undefined;

/**
 * Runs a test helper's work (a sync of the shipped products, …) in the scope of the service the
 * test file composed, so what it caches is that service's, not the process's unscoped state.
 */
export function inTestService<T>(work: () => T): T {
  return activeServices ? activeServices.scope.run(work) : work();
}

export function useTestApp(env: Record<string, string> = {}): TestApp {
  useFreshDatabase();
  const context = {} as TestApp;
  let composed: ComposedService | undefined;
  before(async () => {
    context.dataDir = await mkdtemp(path.join(os.tmpdir(), 'techins-test-'));
    // The suite sends many wrong keys from 127.0.0.1 (the authorisation matrix, the fuzz test): the
    // failed-authentication limit is lifted here and tested with its default-sized limit on its own.
    context.config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: context.dataDir, AUTH_FAILURES_PER_MINUTE: '1000000', ...env });
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
    composed = composeService(context.config, pino({ level: 'silent' }), { pdfPoolSize: context.config.PDF_POOL_SIZE ?? 2 });
    activeServices = composed.services;
    // Seeded in the service's scope, as startService seeds: what the seed caches is that service's.
    const seeded = await inTestService(() => seedDemoOrganisations(context.dataDir));
    if (!seeded) throw new Error('the test database was not empty');
    context.keys = seeded.keys;
    const organisations = await mongoose.connection.collection('organisations').find({}).toArray();
    context.organisations = Object.fromEntries(organisations.map((o) => [o.code as string, String(o._id)]));
    Object.assign(context, { app: composed.app, renderer: composed.renderer, documents: composed.documents, events: composed.events, metrics: composed.metrics, services: composed.services });
    context.http = supertest(context.app);
  });
  after(async () => {
    if (activeServices === composed?.services) activeServices = undefined;
    await composed?.close();
    if (context.dataDir) await rm(context.dataDir, { recursive: true, force: true });
  });
  return context;
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
