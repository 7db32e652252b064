// Test database harness. ONE database server per mocha run, started lazily on first use:
//   - TEST_MONGODB_URI or MONGODB_URI when set (a real MongoDB, a shared FerretDB, ...), else
//   - an embedded FerretDB on a free port with its data in a fresh temp folder (removed at the end).
// Each test file gets its own database (test_<file>_<random>) via useFreshDatabase().
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import mongoose from 'mongoose';
import type { Connection, Model } from 'mongoose';
import { connectDatabase, disconnectDatabase } from '../../src/db/connect-database.ts';
import { startEmbeddedFerretDb } from '../../src/db/embedded-ferretdb.ts';
import type { EmbeddedFerretDb } from '../../src/db/embedded-ferretdb.ts';

let server: Promise<{ uri: string; embedded?: EmbeddedFerretDb; tempDir?: string }> | undefined;

/**
 * Base URI of the test database server (no database name), starting the embedded FerretDB on
 * first call. Memoised: every caller in the run shares the same server.
 */
export async function getTestDatabaseUri(): Promise<string> {
  server ??= (async () => {
    const external = process.env.TEST_MONGODB_URI || process.env.MONGODB_URI;
    if (external) return { uri: external };
    const tempDir = await mkdtemp(join(tmpdir(), 'techins-test-db-'));
    try {
      const embedded = await startEmbeddedFerretDb({ dataDir: tempDir, port: 0 });
      return { uri: embedded.uri, embedded, tempDir };
    } catch (err) {
      await rm(tempDir, { recursive: true, force: true });
      throw err;
    }
  })();
  server.catch(() => {
    server = undefined; // let a later caller retry and see the error again
  });
  return (await server).uri;
}

/** Stops the embedded server (if this run started one) and removes its temp folder. */
export async function stopTestDatabase(): Promise<void> {
  const started = server;
  server = undefined;
  if (!started) return;
  const s = await started.catch(() => undefined);
  if (!s) return;
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.disconnected) await disconnectDatabase().catch(() => {});
  await s.embedded?.stop();
  if (s.tempDir) await rm(s.tempDir, { recursive: true, force: true });
}

/**
 * Creates collections and indexes for the given models (default: every model registered with
 * mongoose) in the currently connected database, the way the app does at boot (Model.init()).
 * Model.init() memoises its first result, which belongs to an earlier test file's database (or
 * a failed attempt), so the memo is reset first; afterwards `await Model.init()` anywhere is cheap.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function buildIndexes(models: readonly Model<any>[] = Object.values(mongoose.models)): Promise<void> {
  for (const model of models) {
    (model as unknown as { $init?: unknown }).$init = undefined;
    try {
      await model.init();
    } catch (err) {
      throw new Error(`Cannot build indexes for model ${model.modelName}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

export interface FreshDatabase {
  /** Name of this file's database (valid after the `before` hook). */
  readonly dbName: string;
  /** Server URI without database name. */
  readonly serverUri: string;
  /** mongoose's default connection, connected to dbName. */
  readonly connection: Connection;
  /** Deletes every document in every collection (keeps indexes); for a clean slate between tests. */
  clear(): Promise<void>;
}

export interface FreshDatabaseOptions {
  /** Only build indexes for these models (default: all models registered with mongoose). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  models?: readonly Model<any>[];
}

/**
 * Call inside a `describe`: before → connects mongoose's default connection to a new, unique
 * database for this file and builds the indexes of registered models; after → drops it and
 * disconnects. Models must be defined (mongoose.model(...)) at module load, as the app does.
 */
export function useFreshDatabase(options: FreshDatabaseOptions = {}): FreshDatabase {
  let dbName = '';
  let serverUri = '';
  before(async function () {
    this.timeout(300_000); // the first use in a fresh clone may build the launcher
    serverUri = await getTestDatabaseUri();
    const file = this.test?.parent?.file ?? this.test?.file ?? 'anon';
    const slug = basename(file).replace(/\.test\.[cm]?[jt]s$|\.[cm]?[jt]s$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 40);
    dbName = `test_${slug}_${randomBytes(4).toString('hex')}`;
    if (mongoose.connection.readyState !== mongoose.ConnectionStates.disconnected) await disconnectDatabase();
    await connectDatabase(serverUri, { dbName, retries: 3, backoff: 100 });
    await buildIndexes(options.models);
  });
  after(async function () {
    this.timeout(30_000);
    if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) {
      await mongoose.connection.dropDatabase();
    }
    await disconnectDatabase();
  });
  return {
    get dbName() {
      return dbName;
    },
    get serverUri() {
      return serverUri;
    },
    get connection() {
      return mongoose.connection;
    },
    async clear() {
      const db = mongoose.connection.db;
      if (!db) throw new Error('useFreshDatabase: not connected (call clear() inside a test or hook)');
      for (const c of await db.collections()) await c.deleteMany({});
    },
  };
}
