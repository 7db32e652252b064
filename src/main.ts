import { ConfigError, loadConfig } from './config.ts';
import { createLogger, wantsPrettyLogs } from './http/logger.ts';
import { startService } from './service.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\nFix these environment variables and start again (see README, Configuration).\n`);
    process.exit(1);
  }
  throw err;
}

// Readable at a terminal in development; JSON lines otherwise (production, pipes, files).
const logger = createLogger(config.LOG_LEVEL, wantsPrettyLogs(config.NODE_ENV, process.stdout.isTTY));

try {
  const service = await startService(config, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.stop().then(() => process.exit(0), (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
} catch (err) {
  logger.fatal({ err }, 'the service could not start');
  process.stderr.write(`The service could not start: ${(err as Error).message}\n`);
  process.exit(1);
}

// A bug in one request must not take the process down with everyone else's requests.
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
