// The service's logger: readable lines at a terminal during development (pino-pretty), JSON lines
// everywhere else (production, files, pipes, log collectors).
import { pino, type Logger } from 'pino';

/** True when logs should be pretty: stdout is a terminal and this is not production. */
export function wantsPrettyLogs(nodeEnv: string, isTty: boolean | undefined): boolean {
  return isTty === true && nodeEnv !== 'production';
}

/** Creates the process logger at `level`; pretty when `pretty` (pino-pretty runs in a worker thread). */
export function createLogger(level: string, pretty: boolean): Logger {
  if (!pretty) return pino({ level });
  return pino({ level, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid,hostname' } } });
}
