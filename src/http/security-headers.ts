// helmet's security headers, worked out once. With fixed options (no nonce functions) helmet sets
// the same headers on every response, so they are captured from one run of helmet at start-up and
// copied onto each response: the same headers as helmet's own middleware, without re-running its
// dozen header functions per request.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet sets (and removes) for these options. */
export function helmetHeaders(options: Readonly<HelmetOptions>): { set: [string, string][]; removed: string[] } {
  const set = new Map<string, string>();
  const removed = new Set<string>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      removed.delete(name.toLowerCase());
      set.set(name, String(value));
    },
    removeHeader(name: string) {
      for (const key of set.keys()) if (key.toLowerCase() === name.toLowerCase()) set.delete(key);
      removed.add(name.toLowerCase());
    },
  };
  let finished = false;
  helmet(options)({} as Request, recorder as unknown as Response, (err?: unknown) => {
    if (err) throw err;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously: its headers cannot be worked out once');
  return { set: [...set], removed: [...removed] };
}

/** Middleware setting helmet's headers for these options on every response. */
export function securityHeaders(options: Readonly<HelmetOptions>): RequestHandler {
  const { set, removed } = helmetHeaders(options);
  return (_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
