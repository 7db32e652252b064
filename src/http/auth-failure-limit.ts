// Failed authentication limited per client address (AUTH_FAILURES_PER_MINUTE), on the API (a wrong,
// revoked or malformed API key) and on the web sign-in form alike, so that a client guessing or
// replaying keys gets 429s instead of an endless run of fast 401s. See docs/hardening.md
// (Session 5 (#23): sessions and failed sign-ins).
//
// - Only failures are counted, and only failures are refused: a request whose key is valid is
//   answered as always, whatever its address did before — an office behind one NAT address is not
//   locked out by one colleague's typo, nor by an attacker sharing the address.
// - Counted across instances by the per-key rate limiter's mechanism (src/http/rate-limit.ts:
//   blocks of the minute taken by exact-_id inserts), keyed by the client address instead of a key.
// - Once an address is over its limit, a key that already failed (remembered here by its hash) is
//   refused at once without looking it up; any other key is still looked up — refusing it unread
//   would lock out a valid key — and answered 429 if it is wrong too.
// - A request with no credential at all is a 401 that is not counted: it cannot be a guess.
// - The client address is req.ip, which TRUST_PROXY decides (X-Forwarded-For from trusted proxies
//   only); IPv6 clients are counted by their /64, which one host usually holds whole.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request } from 'express';
import { AppError } from './app-error.ts';
import { createRateLimiter, RateLimitedError, responseOf } from './rate-limit.ts';

export type AuthChannel = 'api' | 'web';

export interface AuthFailureLimiterOptions {
  /** Failed authentications per client address per minute; 0 turns refusing off (failures are still counted in metrics). */
  perMinute: number;
  /** Told of every failed authentication (the metrics count them). */
  onFailure?: (channel: AuthChannel) => void;
  /** Told of every request refused with 429 for its address's failures. */
  onRefused?: (channel: AuthChannel) => void;
  /** The clock, for tests. */
  now?: () => number;
}

export interface AuthFailureLimiter {
  /**
   * Checks a request's credential with `authenticate` (which throws an `unauthenticated` AppError
   * for a wrong key). A failure is counted against the request's client address and answered as
   * thrown (401) until the address is over its limit, then as a RateLimitedError (429, Retry-After
   * set on the response). `credential` undefined or empty: nothing is counted.
   */
  check<T>(req: Request, channel: AuthChannel, credential: string | undefined, authenticate: () => Promise<T>): Promise<T>;
}

/** How long a failed credential is remembered (refused unread while its address is over the limit). */
const REMEMBER_MS = 10 * 60_000;
const REMEMBER_MAX = 10_000;

/** The first 64 bits of an IPv6 address, written out: `2001:db8:0:1::/64`. */
function ipv6Prefix(ip: string): string {
  const [head = '', tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** The address failures are counted under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function clientBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const bare = ip.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) is not part of the address
  return isIP(bare) === 6 && !bare.includes('.') ? ipv6Prefix(bare) : bare;
}

const hashOf = (credential: string) => createHash('sha256').update(credential).digest('base64url');

/** Creates the limiter; one per app, shared by the API and the sign-in page. */
export function createAuthFailureLimiter(options: AuthFailureLimiterOptions): AuthFailureLimiter {
  const { perMinute, onFailure, onRefused, now = Date.now } = options;
  const limiter = createRateLimiter({
    perMinute,
    now,
    rateLimitHeaders: false, // those describe the per-key limit; a refusal here says Retry-After
    refusal: (limit, retryAfter) => ({
      message: `Too many failed sign-ins from your address: at most ${limit} a minute. Try again in ${retryAfter} s.`,
      details: [{ path: 'header.authorization', message: `exceeds ${limit} failed authentications per minute from this client address (auth failure limit)` }],
    }),
  });
  const failed = new Map<string, number>();

  const remember = (hash: string) => {
    if (failed.size >= REMEMBER_MAX) failed.clear();
    failed.set(hash, now() + REMEMBER_MS);
  };
  const failedBefore = (hash: string) => (failed.get(hash) ?? 0) > now();

  /** Runs a step of the limiter, telling the metrics of a refusal. */
  const refusing = async (channel: AuthChannel, step: () => Promise<void> | void) => {
    try {
      await step();
    } catch (err) {
      if (err instanceof RateLimitedError) onRefused?.(channel);
      throw err;
    }
  };

  return {
    async check(req, channel, credential, authenticate) {
      if (!credential) return authenticate();
      // The address and the hash are worked out on the failure paths only: a valid key costs nothing here.
      const keyOf = () => `auth-failures|${clientBucket(req.ip)}`;
      const res = responseOf(req);
      if (failed.size > 0 && failedBefore(hashOf(credential))) {
        // The same wrong key again: over the limit it is refused without a look-up.
        await refusing(channel, () => {
          try {
            limiter.refuseIfExhausted(keyOf(), res);
          } catch (err) {
            onFailure?.(channel);
            throw err;
          }
        });
      }
      try {
        return await authenticate();
      } catch (err) {
        if (!(err instanceof AppError) || err.kind !== 'unauthenticated') throw err;
        onFailure?.(channel);
        remember(hashOf(credential));
        await refusing(channel, () => limiter.take(keyOf(), res));
        throw err;
      }
    },
  };
}
