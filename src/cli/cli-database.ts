import mongoose from 'mongoose';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { connectDatabase, disconnectDatabase, redactUri } from '../db/connect-database.ts';
import { DatabaseIdentityError, openDataDirDatabase } from '../db/data-dir-database.ts';

/** The command cannot use a database (none answers, or the one on DB_PORT is not DATA_DIR's); the message says why. */
export class CliDatabaseError extends Error {}

/**
 * Connects mongoose to the service's database for a command (MONGODB_URI, else DATA_DIR's embedded
 * database: the running service's when its identity matches, or one started here) and says on
 * stderr which one it is. Throws CliDatabaseError when there is none it may use.
 */
export async function connectCliDatabase(config: Config): Promise<{ close(): Promise<void> }> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  let database;
  try {
    database = await openDataDirDatabase(config, logger);
  } catch (err) {
    if (err instanceof DatabaseIdentityError) throw new CliDatabaseError(err.message);
    throw err;
  }
  try {
    await connectDatabase(database.uri, { logger, retries: config.MONGODB_URI ? 1 : 3, serverSelectionTimeoutMS: 1500 });
  } catch {
    await database.stop();
    throw new CliDatabaseError(`No database answers at ${redactUri(database.uri)}: start the service with \`npm start\` (or set MONGODB_URI) and try again.`);
  }
  try {
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  } catch (err) {
    await disconnectDatabase();
    await database.stop();
    throw err;
  }
  process.stderr.write(`Database: ${database.description}\n`);
  return {
    async close() {
      await disconnectDatabase();
      await database.stop();
    },
  };
}

/** Runs a command-line task against the service's database (see connectCliDatabase); a configuration or database problem exits 1 with its message. */
export async function withCliDatabase<T>(task: (config: Config) => Promise<T>): Promise<T> {
  let config: Config;
  let database: { close(): Promise<void> };
  try {
    config = loadConfig();
    database = await connectCliDatabase(config);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CliDatabaseError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  try {
    return await task(config);
  } finally {
    await database.close();
  }
}
