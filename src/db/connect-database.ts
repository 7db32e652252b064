// One database connection for the whole process: mongoose's DEFAULT connection.
// Capability folders define models with `mongoose.model(...)`, which binds them to the default
// connection, so connectDatabase() connects that one and returns it. See docs/database.md.
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import type { DbLogger } from './embedded-ferretdb.ts';

export interface ConnectDatabaseOptions {
  logger?: DbLogger;
  /** Attempts before giving up (default 5). */
  retries?: number;
  /** Delay before the 2nd attempt in ms, doubled each time up to 5 s (default 200). */
  backoff?: number;
  /** How long one attempt waits for a server (default 2000 ms). Also bounds every later operation when the DB is down. */
  serverSelectionTimeoutMS?: number;
  /** Database name when the URI has none. */
  dbName?: string;
}

/** Driver options: fail fast when the database is down instead of hanging requests. */
export const DRIVER_OPTIONS = {
  autoIndex: true, // unique indexes are load-bearing (exactly-once inserts)
  autoCreate: true,
  bufferCommands: false, // no silent queueing while disconnected: operations throw at once
  maxPoolSize: 20,
  connectTimeoutMS: 3000,
  socketTimeoutMS: 30_000,
  heartbeatFrequencyMS: 2000,
  retryWrites: false, // FerretDB 1.x has no transactions/retryable writes
} as const;

/** mongodb://user:pass@host/db?x → mongodb://host/db (never log credentials). */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, '$1');
}

/**
 * Connects mongoose's default connection, retrying with exponential backoff while the server
 * is unreachable. Throws "Cannot reach the database at <uri> after N attempts: <cause>".
 */
export async function connectDatabase(uri: string, options: ConnectDatabaseOptions = {}): Promise<Connection> {
  const { logger, retries = 5, backoff = 200, serverSelectionTimeoutMS = 2000, dbName } = options;
  const attempts = Math.max(1, retries);
  const safeUri = redactUri(uri);
  mongoose.set('strictQuery', true);
  // Mongoose otherwise captures a stack trace on every query (to report a query run twice); with
  // source maps on, that capture was ≈1 % of a quote creation's CPU.
  mongoose.set('skipOriginalStackTraces', true);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await mongoose.connect(uri, {
        ...DRIVER_OPTIONS,
        serverSelectionTimeoutMS,
        ...(dbName ? { dbName } : {}),
      });
      logger?.info({ uri: safeUri, db: mongoose.connection.name }, 'database connected');
      return mongoose.connection;
    } catch (err) {
      lastError = err;
      await mongoose.disconnect().catch(() => {});
      if (attempt < attempts) {
        const delay = Math.min(backoff * 2 ** (attempt - 1), 5000);
        logger?.warn({ uri: safeUri, attempt, delayMs: delay, err: errorMessage(err) }, 'database unreachable, retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
  throw new Error(
    `Cannot reach the database at ${safeUri} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${errorMessage(lastError)}`,
    { cause: lastError },
  );
}

/** For /readyz: true when the connected database answers ping within `timeoutMs`. Never throws. */
export async function pingDatabase(timeoutMs = 1000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected || !db) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const ping = db.admin().command({ ping: 1 }, { timeoutMS: timeoutMs }).then(
      (r) => r.ok === 1,
      () => false,
    );
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes the default connection (no-op when not connected). */
export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    // MongoServerSelectionError's message is usually the useful part ("connect ECONNREFUSED 127.0.0.1:1").
    return err.message;
  }
  return String(err);
}
