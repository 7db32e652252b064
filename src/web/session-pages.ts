// Sign-in, sign-out and the start page. Sign-in runs before there is a session, so these routes
// read the cookie themselves; the language comes from the pipeline's resolveLang like every page.
import { AppError } from '../http/app-error.ts';
import { homeOf, isSameOrigin, readCookie, resolveLang, safeNext, sendPage, SESSION_COOKIE, type PagePipeline } from './page-pipeline.ts';
import { translate } from './web-messages.ts';
import { createWebSession, endWebSession, loadWebSession, SESSION_HOURS } from './web-session-service.ts';

/** Mounts sign-in, sign-out and `/` (the role's start page). */
export function mountSessionPages({ router, formBody, page, renderError }: PagePipeline): void {
  router.get('/sign-in', (req, res, next) => {
    const lang = resolveLang(req, res);
    (async () => {
      const session = await loadWebSession(readCookie(req, SESSION_COOKIE));
      if (session) return res.redirect(303, homeOf(session.caller.role));
      sendPage(req, res, 'sign-in', lang, null, { title: translate('signIn', lang), next: safeNext(req.query.next) });
    })().catch(next);
  });

  router.post('/sign-in', formBody, (req, res, next) => {
    const lang = resolveLang(req, res);
    (async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!isSameOrigin(req)) throw new AppError('forbidden', translate('csrf', lang));
      const apiKey = typeof body.apiKey === 'string' ? body.apiKey : '';
      let created;
      try {
        created = await createWebSession(apiKey);
      } catch (err) {
        if (err instanceof AppError && err.kind === 'unauthenticated') {
          sendPage(req, res, 'sign-in', lang, null, { title: translate('signIn', lang), error: translate('badKey', lang), next: safeNext(body.next) }, 401);
          return;
        }
        throw err;
      }
      res.cookie(SESSION_COOKIE, created.token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: SESSION_HOURS * 3600_000 });
      res.redirect(303, safeNext(body.next) ?? homeOf(created.session.caller.role));
    })().catch((err: unknown) => (res.headersSent ? next(err) : renderError(req, res, lang, null, err)));
  });

  router.post('/sign-out', formBody, (req, res, next) => {
    (async () => {
      const token = readCookie(req, SESSION_COOKIE);
      const session = await loadWebSession(token);
      const body = (req.body ?? {}) as Record<string, unknown>;
      // Signing out someone else's session from another site would be a nuisance: same checks as any form.
      if (session && (!isSameOrigin(req) || body._csrf !== session.csrfToken)) throw new AppError('forbidden', 'CSRF');
      await endWebSession(token);
      res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
      res.redirect(303, '/sign-in');
    })().catch((err: unknown) => (res.headersSent ? next(err) : renderError(req, res, resolveLang(req, res), null, err)));
  });

  page('get', '/', 'signed-in', async ({ res, caller }) => {
    res.redirect(303, homeOf(caller.role));
  });
}
