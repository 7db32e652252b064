import type { Caller } from '../auth/caller.ts';

/**
 * Remembers resolved callers for `ttlMs` so a busy client does not cost two database reads
 * (key, organisation) per request. Only successful resolutions are kept: unknown or malformed
 * keys always go to the database, so the cache cannot be filled by guessing.
 * Safe across instances because nothing is shared: the only effect is that a revoked key keeps
 * working for at most `ttlMs` on the instances that have seen it recently (documented in README
 * and docs/hardening.md). ttlMs = 0 turns it off.
 */
export function cacheCallers(resolve: (authorization: string | undefined) => Promise<Caller>, ttlMs: number, maxEntries = 10_000, now: () => number = Date.now) {
  if (ttlMs <= 0) return resolve;
  const entries = new Map<string, { caller: Caller; expires: number }>();
  return async (authorization: string | undefined): Promise<Caller> => {
    if (!authorization) return resolve(authorization);
    const hit = entries.get(authorization);
    const t = now();
    if (hit && hit.expires > t) return hit.caller;
    const caller = await resolve(authorization);
    if (entries.size >= maxEntries) entries.clear();
    entries.set(authorization, { caller, expires: t + ttlMs });
    return caller;
  };
}
