import net from 'node:net';
import path from 'node:path';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { connectDatabase, disconnectDatabase } from '../db/connect-database.ts';
import { startEmbeddedFerretDb, type EmbeddedFerretDb } from '../db/embedded-ferretdb.ts';

/**
 * Runs a command-line task against the service's database: MONGODB_URI when set; otherwise the
 * embedded database of a running `npm start` (DB_PORT), or, when none answers, the embedded
 * database started here on the same data folder for the length of the task.
 */
export async function withCliDatabase<T>(task: (config: Config) => Promise<T>): Promise<T> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  let embedded: EmbeddedFerretDb | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    // A plain TCP probe: a failed mongoose connect would leave model initialisation half-done.
    if (config.DB_PORT > 0 && (await portAnswers(config.DB_PORT))) uri = `mongodb://127.0.0.1:${config.DB_PORT}/`;
    else {
      embedded = await startEmbeddedFerretDb({ dataDir: path.join(path.resolve(config.DATA_DIR), 'db'), port: 0, logger });
      uri = embedded.uri;
    }
  }
  try {
    await connectDatabase(uri, { logger, retries: 3 });
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
    return await task(config);
  } finally {
    await disconnectDatabase();
    await embedded?.stop();
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
