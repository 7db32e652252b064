// A whole service in this process on a throw-away embedded FerretDB, for scripts/fuzz.ts and
// scripts/evidence.ts (mocha tests use test/support/test-app.ts instead).
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { seedDemoOrganisations, type DemoKeys } from '../../src/cli/demo-seed.ts';
import { syncProducts } from '../../src/catalogue/product-sync.ts';
import { createPoolMembership } from '../../src/pools/pool-membership.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { connectDatabase, disconnectDatabase } from '../../src/db/connect-database.ts';
import { startEmbeddedFerretDb } from '../../src/db/embedded-ferretdb.ts';
import { composeService } from '../../src/service.ts';

/** Pools' side of the catalogue's PoolMembership port, as src/service.ts passes it. */
const pools = createPoolMembership();

export interface Harness {
  baseUrl: string;
  config: Config;
  keys: DemoKeys;
  organisations: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts FerretDB in a temp folder, seeds the demo, publishes products/ and listens on a free port. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'techins-harness-'));
  const db = await startEmbeddedFerretDb({ dataDir: path.join(dir, 'db'), port: 0 });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, ...env });
  await connectDatabase(`${db.uri.replace(/\/?(\?.*)?$/, '')}/techins_harness`, { retries: 3 });
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  const seeded = await seedDemoOrganisations(dir);
  if (!seeded) throw new Error('harness database was not empty');
  const failed = (await syncProducts({ pools, dir: 'products', publish: true, acceptPools: true })).filter((l) => l.outcome === 'error');
  if (failed.length) throw new Error(`product sync failed: ${JSON.stringify(failed)}`);
  const organisations = Object.fromEntries((await mongoose.connection.collection('organisations').find({}).toArray()).map((o) => [o.code as string, String(o._id)]));
  const composed = composeService(config, pino({ level: config.LOG_LEVEL }), { pdfPoolSize: config.PDF_POOL_SIZE ?? 2 });
  const { app } = composed;
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    keys: seeded.keys,
    organisations,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await composed.close();
      await disconnectDatabase();
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
