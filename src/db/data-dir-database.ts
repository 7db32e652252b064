// The database a command-line tool works on, chosen from the service's configuration: MONGODB_URI
// when set; else the embedded database of DATA_DIR — the running service's on DB_PORT when its
// identity is DATA_DIR's, or one started here on DATA_DIR/db when nothing answers on DB_PORT.
// Anything else on DB_PORT is refused, never used. See docs/database.md.
import net from 'node:net';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Config } from '../config.ts';
import { redactUri } from './connect-database.ts';
import { ensureDatabaseIdentity, IDENTITY_FILE, readDatabaseIdentity, readIdentityFile } from './database-identity.ts';
import { startEmbeddedFerretDb, type DbLogger } from './embedded-ferretdb.ts';

export interface DataDirDatabase {
  uri: string;
  /** Which database this is, in one phrase, for the person running the command. */
  description: string;
  /** Stops the embedded database when it was started for this command; otherwise nothing. */
  stop(): Promise<void>;
}

/** A database answers on DB_PORT but is not DATA_DIR's: the message names both. */
export class DatabaseIdentityError extends Error {}

/** Resolves (and when needed starts) the database of the configuration; see the file comment. */
export async function openDataDirDatabase(config: Pick<Config, 'MONGODB_URI' | 'DATA_DIR' | 'DB_PORT'>, logger?: DbLogger): Promise<DataDirDatabase> {
  if (config.MONGODB_URI) {
    return { uri: config.MONGODB_URI, description: `MONGODB_URI ${redactUri(config.MONGODB_URI)}`, stop: async () => {} };
  }
  const dataDir = path.resolve(config.DATA_DIR);
  const port = config.DB_PORT;
  // A plain TCP probe first: a failed mongoose connect would leave model initialisation half-done.
  if (port > 0 && (await portAnswers(port))) {
    const uri = `mongodb://127.0.0.1:${port}/`;
    await checkIdentity(uri, dataDir, port);
    const identity = await readIdentityFile(dataDir);
    return { uri, description: `the database of DATA_DIR ${dataDir} (identity ${identity}), served on 127.0.0.1:${port} by the running service`, stop: async () => {} };
  }
  const embedded = await startEmbeddedFerretDb({ dataDir: path.join(dataDir, 'db'), port: 0, logger });
  try {
    const identity = await withClient(embedded.uri, (db) => ensureDatabaseIdentity(db, dataDir, logger));
    const where = new URL(embedded.uri).host;
    return { uri: embedded.uri, description: `the database of DATA_DIR ${dataDir} (identity ${identity}), embedded, started on ${where} for this command (nothing answers on DB_PORT ${port})`, stop: () => embedded.stop() };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}

async function checkIdentity(uri: string, dataDir: string, port: number): Promise<void> {
  const expected = await readIdentityFile(dataDir);
  let found: string | undefined;
  try {
    found = await withClient(uri, readDatabaseIdentity);
  } catch (err) {
    throw new DatabaseIdentityError(
      `Something answers on DB_PORT ${port} but is not a database this command can read (${err instanceof Error ? err.message : String(err)}): it will not use it. Free the port, or set DB_PORT to the port of the service of DATA_DIR ${dataDir}.`,
    );
  }
  if (expected && found === expected) return;
  const theirs = found ? `identity ${found}` : 'no identity: not started by this service';
  const ours = expected ? `identity ${expected}` : `no identity yet: ${path.join(dataDir, IDENTITY_FILE)} is missing`;
  throw new DatabaseIdentityError(
    `The database on DB_PORT ${port} (${theirs}) is not the database of DATA_DIR ${dataDir} (${ours}), so this command will not use it. ` +
      `Run the command with the DATA_DIR of the service on port ${port}, or stop that service (the command then starts DATA_DIR's own database), or set DB_PORT to the port of DATA_DIR's service.`,
  );
}

async function withClient<T>(uri: string, read: (db: mongoose.mongo.Db) => Promise<T>): Promise<T> {
  const client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000, directConnection: true });
  try {
    await client.connect();
    return await read(client.db());
  } finally {
    await client.close().catch(() => {});
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
