import { createHash, randomBytes } from 'node:crypto';
import type { AuthService } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { WebSessionModel } from './web-session-model.ts';

/** Sessions end this long after sign-in, whatever happens in between. */
export const SESSION_HOURS = 8;

export interface WebSession {
  caller: Caller;
  csrfToken: string;
  expiresAt: Date;
}

type SessionAuth = Pick<AuthService, 'resolveApiKey' | 'callerForKeyId'>;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Signs in with a raw API key: checks it, stores a session (keyed by the hash of a random token)
 * and returns the token for the cookie. The raw key is never stored. Throws 401 for a bad key.
 */
async function createWebSession({ resolveApiKey }: SessionAuth, apiKey: string, now: Date = new Date()): Promise<{ token: string; session: WebSession }> {
  const caller = await resolveApiKey(apiKey.trim());
  // Lazy clean-up in place of a TTL index.
  await WebSessionModel.deleteMany({ expiresAt: { $lt: now } });
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  await WebSessionModel.create({ _id: hashToken(token), tokenHash: hashToken(token), keyId: caller.keyId, csrfToken, expiresAt });
  return { token, session: { caller, csrfToken, expiresAt } };
}

/**
 * The session behind a cookie token, with its caller re-resolved from the key record on every
 * request: a revoked key or an expired session yields null (signed out).
 */
async function loadWebSession({ callerForKeyId }: SessionAuth, token: string | undefined, now: Date = new Date()): Promise<WebSession | null> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const tokenHash = hashToken(token);
  const row = await WebSessionModel.findById(tokenHash).lean();
  if (!row) return null;
  if (row.expiresAt.getTime() <= now.getTime()) {
    await WebSessionModel.deleteOne({ _id: tokenHash });
    return null;
  }
  const caller = await callerForKeyId(row.keyId);
  if (!caller) {
    await WebSessionModel.deleteOne({ _id: tokenHash });
    return null;
  }
  return { caller, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
}

/** Signs out: the session row goes, so the cookie is worthless even if kept. */
async function endWebSession(token: string | undefined): Promise<void> {
  if (token) await WebSessionModel.deleteOne({ _id: hashToken(token) });
}

/** The pages' sessions over the auth capability (keys resolved through it, never its module). */
export function createWebSessions(auth: SessionAuth) {
  return Object.freeze({
    createWebSession: (apiKey: string, now?: Date) => createWebSession(auth, apiKey, now),
    loadWebSession: (token: string | undefined, now?: Date) => loadWebSession(auth, token, now),
    endWebSession,
  });
}
export type WebSessions = ReturnType<typeof createWebSessions>;
