import type { NextFunction, Request, Response } from 'express';
import { sendError } from './error-middleware.ts';

/** Answers 503 when a request runs past its budget, so a stuck dependency never holds a client forever. */
export function requestTimeout(timeoutMs: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const timer = setTimeout(() => {
      if (!res.headersSent) sendError(res, 503, 'timeout', `The request took longer than ${timeoutMs} ms and was stopped.`);
    }, timeoutMs);
    timer.unref();
    res.on('close', () => clearTimeout(timer));
    next();
  };
}
