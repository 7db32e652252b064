import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
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

const logger = pino({ level: config.LOG_LEVEL });

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
