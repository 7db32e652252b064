// The access log: one pino line per request when its response closes, and the request id every
// answer carries (X-Request-Id). The request and response are serialised only when that line's
// level is on: a request at LOG_LEVEL=warn that answers 200 costs an id and one listener.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { pino, type Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-csrf-token'];

/** A serialised request or response with its credential headers replaced by "[redacted]". */
export function redactSecrets<T extends { headers?: Record<string, unknown> }>(serialized: T): T {
  const headers = serialized?.headers;
  if (!headers || !SECRET_HEADERS.some((h) => h in headers)) return serialized;
  const safe: Record<string, unknown> = { ...headers };
  for (const h of SECRET_HEADERS) if (h in safe) safe[h] = '[redacted]';
  return { ...serialized, headers: safe };
}

/** The caller's X-Request-Id when it is a plain token, else a fresh UUID. */
function newRequestId(req: Request): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** 5xx at error, 4xx at warn, the rest at info; a response the client abandoned at warn. */
function levelOf(res: Response): 'error' | 'warn' | 'info' {
  if (res.statusCode >= 500) return 'error';
  return res.statusCode >= 400 || !res.writableFinished ? 'warn' : 'info';
}

function logClosed(logger: Logger, req: Request, res: Response, startedAt: number): void {
  const level = levelOf(res);
  if (!logger.isLevelEnabled(level)) return;
  const line = {
    req: redactSecrets(pino.stdSerializers.req(req)),
    res: redactSecrets(pino.stdSerializers.res(res)),
    responseTime: Date.now() - startedAt,
  };
  const message = !res.writableFinished ? 'request aborted' : level === 'error' ? 'request errored' : 'request completed';
  logger[level](line, message);
}

/** The id requestLog gave this request (also in its X-Request-Id header). */
export function requestIdOf(req: Request): string | undefined {
  return (req as Request & { id?: string }).id;
}

/** Sets the request id (req.id and the X-Request-Id header) and logs the request when it ends, unless `ignore(url)`. */
export function requestLog(logger: Logger, ignore: (url: string) => boolean): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = newRequestId(req);
    (req as Request & { id?: string }).id = id;
    res.setHeader('x-request-id', id);
    if (!ignore(req.url)) {
      const startedAt = Date.now();
      res.once('close', () => logClosed(logger, req, res, startedAt));
    }
    next();
  };
}
