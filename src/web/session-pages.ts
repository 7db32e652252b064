// Sign-in, sign-out and the start page. Sign-in runs before there is a session, so these routes
// read the cookie themselves; the language comes from the pipeline's resolveLang like every page.
import { AppError } from '../http/app-error.ts';
import type { AuthFailureLimiter } from '../http/auth-failure-limit.ts';
import { RateLimitedError } from '../http/rate-limit.ts';
import { homeOf, isSameOrigin, ownsProducts, readCookie, resolveLang, safeNext, SESSION_COOKIE, type PagePipeline } from './page-pipeline.ts';
import { translate } from './web-messages.ts';
import { SESSION_HOURS } from './web-session-service.ts';

/** Mounts sign-in, sign-out and `/` (the role's start page). */
export function mountSessionPages({ router, formBody, page, renderError, services, sessions, sendPage }: PagePipeline, authFailures?: AuthFailureLimiter): void {
  router.get('/sign-in', (req, res, next) => {
    const lang = resolveLang(req, res);
    (async () => {
      const session = await sessions.loadWebSession(readCookie(req, SESSION_COOKIE));
      if (session) return res.redirect(303, homeOf(session.caller.role, await ownsProducts(services.catalogue, session.caller)));
      sendPage(req, res, 'sign-in', lang, null, { title: translate('signIn', lang), next: safeNext(req.query.next) });
    })().catch(next);
  });

  router.post('/sign-in', formBody, (req, res, next) => {
    const lang = resolveLang(req, res);
    (async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!isSameOrigin(req)) throw new AppError('forbidden', translate('csrf', lang));
      const apiKey = typeof body.apiKey === 'string' ? body.apiKey : '';
      const signInAgain = (error: string, status: number) => sendPage(req, res, 'sign-in', lang, null, { title: translate('signIn', lang), error, next: safeNext(body.next) }, status);
      let created;
      try {
        // A bad key counts against the client's address, like a bad key on the API (an empty form does not).
        const check = () => sessions.createWebSession(apiKey);
        created = await (authFailures ? authFailures.check(req, 'web', apiKey.trim(), check) : check());
      } catch (err) {
        if (err instanceof RateLimitedError) return signInAgain(translate('tooManySignIns', lang, { seconds: err.retryAfterSeconds }), 429);
        if (err instanceof AppError && err.kind === 'unauthenticated') return signInAgain(translate('badKey', lang), 401);
        throw err;
      }
      // Secure whenever the request came over HTTPS, directly or through a trusted proxy (TRUST_PROXY).
      res.cookie(SESSION_COOKIE, created.token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: SESSION_HOURS * 3600_000 });
      res.redirect(303, safeNext(body.next) ?? homeOf(created.session.caller.role, await ownsProducts(services.catalogue, created.session.caller)));
    })().catch((err: unknown) => (res.headersSent ? next(err) : renderError(req, res, lang, null, err)));
  });

  router.post('/sign-out', formBody, (req, res, next) => {
    (async () => {
      const token = readCookie(req, SESSION_COOKIE);
      const session = await sessions.loadWebSession(token);
      const body = (req.body ?? {}) as Record<string, unknown>;
      // Signing out someone else's session from another site would be a nuisance: same checks as any form.
      if (session && (!isSameOrigin(req) || body._csrf !== session.csrfToken)) throw new AppError('forbidden', 'CSRF');
      await sessions.endWebSession(token);
      res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
      res.redirect(303, '/sign-in');
    })().catch((err: unknown) => (res.headersSent ? next(err) : renderError(req, res, resolveLang(req, res), null, err)));
  });

  page('get', '/', 'signed-in', async ({ res, caller }) => {
    res.redirect(303, homeOf(caller.role, res.locals.ownsProducts !== false));
  });
}
