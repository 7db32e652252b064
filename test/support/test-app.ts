import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { pino } from 'pino';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { seedDemoOrganisations, type DemoKeys } from '../../src/auth/demo-seed.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { pingDatabase } from '../../src/db/connect-database.ts';
import { createDocumentService, type DocumentService } from '../../src/documents/document-service.ts';
import { compileDocumentTemplates } from '../../src/documents/document-templates.ts';
import { createPdfRenderer, type PdfRenderer } from '../../src/documents/pdf-renderer.ts';
import { useFreshDatabase } from './database.ts';
import { storeSchedulesOnIssue } from './policy-issued-documents.ts';

export interface TestApp {
  app: Express;
  http: ReturnType<typeof supertest>;
  keys: DemoKeys;
  config: Config;
  dataDir: string;
  /** Organisation ids by demo code (PLATFORM, KCIC, HTIC, MXB, HZZZ, JNXC). */
  organisations: Record<string, string>;
  /** The app's PDF renderer (Chromium starts on the first PDF only) and documents service. */
  renderer: PdfRenderer;
  documents: DocumentService;
}

/**
 * Gives a test file a fresh database with the demo organisations and keys, and the Express app
 * (in process, called through supertest). Call inside a describe; the returned object fills in `before`.
 */
export function useTestApp(env: Record<string, string> = {}): TestApp {
  useFreshDatabase();
  const context = {} as TestApp;
  let unwireDocuments: (() => void) | undefined;
  before(async () => {
    context.dataDir = await mkdtemp(path.join(os.tmpdir(), 'techins-test-'));
    context.config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: context.dataDir, ...env });
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
    const seeded = await seedDemoOrganisations(context.dataDir);
    if (!seeded) throw new Error('the test database was not empty');
    context.keys = seeded.keys;
    const organisations = await mongoose.connection.collection('organisations').find({}).toArray();
    context.organisations = Object.fromEntries(organisations.map((o) => [o.code as string, String(o._id)]));
    context.renderer = createPdfRenderer({ executablePath: context.config.CHROME_PATH, poolSize: context.config.PDF_POOL_SIZE ?? 2 });
    context.documents = createDocumentService({ renderer: context.renderer, templates: compileDocumentTemplates() });
    unwireDocuments = storeSchedulesOnIssue(context.documents);
    context.app = createApp({ config: context.config, logger: pino({ level: 'silent' }), isDatabaseReady: pingDatabase, documents: context.documents });
    context.http = supertest(context.app);
  });
  after(async () => {
    unwireDocuments?.();
    context.documents?.close();
    await context.renderer?.close();
    if (context.dataDir) await rm(context.dataDir, { recursive: true, force: true });
  });
  return context;
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
