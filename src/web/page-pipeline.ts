// The pages' request pipeline: language, session, CSRF, role checks, error pages and rendering.
// Every room (session-pages.ts, quoting-pages.ts, …) mounts its pages through `page()` here, so
// each page handler starts from a signed-in caller whose role the shared access rules allow.
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { insurerReportReaders, insurerStaff, poolMembers, quoters, renewers, subsidyRecorders } from '../auth/access-rules.ts';
import type { Caller, Role } from '../auth/caller.ts';
import { AppError, statusByKind } from '../http/app-error.ts';
import { databaseFaultOf } from '../db/database-faults.ts';
import { defaultUploadLimits, formatLimit, UploadLimitError, type UploadLimits } from '../http/upload-limits.ts';
import { formProblemOf, multipartBody } from './multipart-form.ts';
import { nameOf } from '../i18n/messages.ts';
import { translateValidation } from '../i18n/format.ts';
import { translate, type Lang } from './web-messages.ts';
import type { Services } from '../service.ts';
import type { WebSession, WebSessions } from './web-session-service.ts';
import type { PageViews } from './web-views.ts';

export const SESSION_COOKIE = 'tis_session';
export const LANG_COOKIE = 'tis_lang';

/** Pages allow scripts and styles from this origin only: no inline script, no inline style. */
export const PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
].join('; ');

/** Who may open a page: anyone signed in, or the listed roles (the lists in auth/access-rules.ts). */
export type PageAccess = 'signed-in' | readonly Role[];

export interface PageRequest {
  req: Request;
  res: Response;
  lang: Lang;
  session: WebSession;
  caller: Caller;
  body: Record<string, unknown>;
  /** The composed capabilities (src/service.ts). */
  services: Services;
  /** Renders a view into the layout for this request's language and session. */
  render(name: string, data: Record<string, unknown>, status?: number): void;
}

export type PageHandler = (page: PageRequest) => Promise<void>;

/** One page as the pipeline mounted it: what the generated page matrix (test/hardening) walks. */
export interface PageDefinition { method: 'get' | 'post'; path: string; access: PageAccess }

export interface PagePipeline {
  router: Router;
  /** The composed capabilities pages call (src/service.ts). */
  services: Services;
  /** Sign-in sessions over the auth capability. */
  sessions: WebSessions;
  /** Every page mounted so far, in order. */
  pages: PageDefinition[];
  /** Parses posted forms (urlencoded; multipart/form-data for file uploads is read by multipart-form.ts). */
  formBody: RequestHandler;
  /** The bounds on uploaded files (the SHEET_* and FORM_* settings). */
  uploadLimits: UploadLimits;
  /** A page for signed-in callers the access allows; POSTs also need the same origin and the session's CSRF token. */
  page(method: 'get' | 'post', path: string, access: PageAccess, handler: PageHandler): void;
  /** The error page for a failed request: an AppError's status and message, 503 when the database is away, otherwise a logged 500. */
  renderError(req: Request, res: Response, lang: Lang, session: WebSession | null, err: unknown): void;
  /** Sends a rendered page with the layout's user, navigation, CSRF token and language switch (pages outside `page()`: sign-in, not found). */
  sendPage(req: Request, res: Response, name: string, lang: Lang, session: WebSession | null, data: Record<string, unknown>, status?: number): void;
  /** Renders a page template without the layout (a part of a page sent to its script). */
  fragment(name: string, data: Record<string, unknown> & { lang: Lang }): string;
}

const ID = /^[0-9a-f]{24}$/;
const CODE = /^[A-Za-z0-9._-]{1,64}$/;

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** ?lang= wins (and is remembered in a cookie), then the cookie, then Chinese. */
export function resolveLang(req: Request, res: Response): Lang {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
  if (asked === 'zh-CN' || asked === 'en') {
    res.cookie(LANG_COOKIE, asked, { sameSite: 'strict', path: '/', maxAge: 365 * 86_400_000, secure: req.secure });
    return asked;
  }
  return readCookie(req, LANG_COOKIE) === 'en' ? 'en' : 'zh-CN';
}

/**
 * Browsers say where a POST comes from: Sec-Fetch-Site, else Origin. With helmet's
 * Referrer-Policy no-referrer, Chromium sends `Origin: null` on form posts, so Sec-Fetch-Site wins.
 */
export function isSameOrigin(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none';
  const origin = req.get('origin');
  if (origin && origin !== 'null') return origin === `${req.protocol}://${req.get('host')}`;
  return true;
}

function navFor(caller: Caller | undefined, lang: Lang, ownsProducts: boolean) {
  if (!caller) return [];
  const items: { href: string; key: string }[] = [];
  const role = caller.role;
  // Everyone may browse the catalogue (enterprises read what they may be offered).
  items.push({ href: '/catalogue', key: 'catalogue' });
  // A subsidy department (#27) has no business of its own: its queue of applications to review.
  if (role === 'authority-officer') return [...items, { href: '/applications', key: 'review_nav' }, { href: '/subsidy-summary', key: 'sum_nav' }, { href: '/qualification-lists', key: 'ql_nav' }].map((i) => ({ href: i.href, label: translate(i.key, lang) }));
  // An insurer with no products of its own (a pool follower only) has nothing to underwrite or file.
  if (insurerStaff.includes(role) && ownsProducts) items.push({ href: '/referrals', key: 'referrals' }, { href: '/products', key: 'products' });
  if (quoters.includes(role)) items.push({ href: '/clients', key: 'clients' });
  items.push({ href: '/quotes', key: role === 'enterprise' ? 'myQuotes' : 'quotes' });
  items.push({ href: '/policies', key: role === 'enterprise' ? 'myPolicies' : 'policies' });
  if (renewers.includes(role)) items.push({ href: '/policies/due', key: 'life_due' }); // #26
  if (poolMembers.includes(role)) items.push({ href: '/pools', key: 'pools' }, { href: '/pools/invitations', key: 'poolInvitations' });
  const nav = items.map((i) => ({ href: i.href, label: translate(i.key, lang) }));
  if (subsidyRecorders.includes(role)) nav.push({ href: '/subsidies', label: translate('subsidy_yearNav', lang) });
  if (insurerReportReaders.includes(role)) nav.push({ href: '/reports/tech-insurance', label: translate('techReport', lang) });
  return nav;
}

/** Sends a rendered page with the layout's user, navigation, CSRF token and language switch. */
function sendPage(views: PageViews, req: Request, res: Response, name: string, lang: Lang, session: WebSession | null, data: Record<string, unknown>, status = 200): void {
  const path = typeof data.langPath === 'string' ? data.langPath : req.path;
  const other: Lang = lang === 'en' ? 'zh-CN' : 'en';
  const html = views.page(name, {
    ...data,
    lang,
    htmlLang: lang,
    user: session ? { name: session.caller.userName, role: session.caller.role, roleLabel: nameOf('userRole', session.caller.role, lang) } : undefined,
    nav: navFor(session?.caller, lang, res.locals.ownsProducts !== false),
    csrfToken: session?.csrfToken,
    otherLang: { href: `${path}?lang=${other}`, label: other === 'en' ? 'English' : '中文', lang: other },
  });
  res.status(status).set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' }).type('html').send(html);
}

const accessAllows = (caller: Caller, access: PageAccess) => access === 'signed-in' || access.includes(caller.role);

/**
 * Whether the caller's insurer files products of its own (an insurer that only follows in other
 * insurers' pools does not); true for every other organisation kind, which the answer never narrows.
 */
export async function ownsProducts(catalogue: Pick<Services['catalogue'], 'hasProducts'>, caller: Caller): Promise<boolean> {
  if (caller.role !== 'insurer-admin' && caller.role !== 'underwriter') return true;
  return catalogue.hasProducts(caller);
}

/** Where each role starts (an insurer without products of its own: its pool business). */
export function homeOf(role: Role, productOwner = true): string {
  switch (role) {
    case 'broker': return '/catalogue';
    case 'underwriter': return productOwner ? '/referrals' : '/pools';
    case 'insurer-admin': return productOwner ? '/products' : '/pools';
    case 'enterprise': return '/quotes';
    case 'authority-officer': return '/applications';
    default: return '/catalogue';
  }
}

/** Creates the pipeline on a router over the services and the pages' views; rooms mount their pages through it. */
export function createPagePipeline(router: Router, services: Services, sessions: WebSessions, views: PageViews, logger?: Logger, uploadLimits: UploadLimits = defaultUploadLimits): PagePipeline {
  const send: PagePipeline['sendPage'] = (...args) => sendPage(views, ...args);
  const formBody = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 5000 });
  const multipart = multipartBody(uploadLimits.form);

  const renderError = (req: Request, res: Response, lang: Lang, session: WebSession | null, err: unknown) => {
    if (err instanceof AppError) {
      send(req, res, 'error', lang, session, errorPageData(err, lang), statusByKind[err.kind]);
      return;
    }
    const fault = databaseFaultOf(err);
    if (fault) {
      // The database is away: the page says so (503), as the API does, rather than "failed".
      logger?.warn({ err, fault }, 'web page: database unavailable');
      send(req, res, 'error', lang, session, errorPageData(new AppError('unavailable', translate('unavailable', lang)), lang), 503);
      return;
    }
    logger?.error({ err }, 'web page failed');
    send(req, res, 'error', lang, session, { title: translate('error', lang), heading: translate('error', lang), message: translate('serverError', lang) }, 500);
  };

  const pages: PageDefinition[] = [];
  const page = (method: 'get' | 'post', path: string, access: PageAccess, handler: PageHandler) => {
    pages.push({ method, path, access });
    const handlers = method === 'post' ? [formBody, multipart] : [];
    router[method](path, ...handlers, (req: Request, res: Response, next: NextFunction) => {
      const lang = resolveLang(req, res);
      let session: WebSession | null = null;
      (async () => {
        session = await sessions.loadWebSession(readCookie(req, SESSION_COOKIE));
        if (!session) return refuseSignedOut(method, req, res);
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (method === 'post') {
          const token = typeof body._csrf === 'string' ? body._csrf : req.get('x-csrf-token');
          // A form refused at a limit before its token was read: say which limit (nothing was done).
          if (token === undefined && isSameOrigin(req)) { const problem = formProblemOf(req); if (problem) throw problem; }
          if (!isSameOrigin(req) || token !== session.csrfToken) throw new AppError('forbidden', translate('csrf', lang));
        }
        res.locals.ownsProducts = await ownsProducts(services.catalogue, session.caller);
        if (!accessAllows(session.caller, access)) throw new AppError('forbidden', translate('forbidden', lang));
        const current = session;
        const render = (name: string, data: Record<string, unknown>, status?: number) => send(req, res, name, lang, current, data, status);
        await handler({ req, res, lang, session, caller: session.caller, body, services, render });
      })().catch((err: unknown) => {
        if (res.headersSent) return next(err);
        renderError(req, res, lang, session, err);
      });
    });
  };

  return { router, services, sessions, pages, formBody, uploadLimits, page, renderError, sendPage: send, fragment: views.fragment };
}

const CJK = /[\u3400-\u9fff]/;

/**
 * The error page for an AppError, its message printed once and in the reader's language: a
 * message the pages wrote for this language is shown; a service's (English) message is replaced
 * by the kind's own words in Chinese pages.
 */
export function errorPageData(err: AppError, lang: Lang): Record<string, unknown> {
  if (err instanceof UploadLimitError) {
    const heading = translate('error', lang);
    return { title: heading, heading, message: uploadLimitText(err, lang), details: [] };
  }
  const heading = translate(err.kind === 'not_found' ? 'notFound' : err.kind === 'forbidden' ? 'forbiddenTitle' : 'error', lang);
  const generic = err.kind === 'not_found' ? 'notFoundPage' : err.kind === 'forbidden' ? 'forbidden' : err.kind === 'conflict' ? 'conflict' : err.kind === 'unavailable' ? 'unavailable' : 'fixErrors';
  const ownLanguage = lang === 'en' ? !CJK.test(err.message) : CJK.test(err.message);
  const message = ownLanguage && err.kind !== 'not_found' ? err.message : translate(generic, lang);
  const details = err.details.map((d) => ({ message: translateValidation(d.message, lang) }));
  return { title: heading, heading, message, details };
}

/** No session: pages go to sign-in (and back), the preview script gets a 401 it understands. */
function refuseSignedOut(method: 'get' | 'post', req: Request, res: Response): void {
  if (method === 'get') res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
  else if (req.get('x-requested-with')) res.status(401).json({ error: { code: 'unauthenticated', message: 'Sign in again.', details: [] } });
  else res.redirect(303, '/sign-in');
}

/** Only same-site paths: never //host or a scheme (open redirect). */
export function safeNext(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) && !value.startsWith('/sign-') ? value : undefined;
}

/** A record id from the path, or not found. */
export function checkId(value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new AppError('not_found', 'Not found.');
  return value;
}

/** A product code or version from the path or query, or not found. */
export function checkCode(value: unknown): string {
  if (typeof value !== 'string' || !CODE.test(value)) throw new AppError('not_found', 'Not found.');
  return value;
}

/** Whether a posted value looks like a record id (form fields are checked, not trusted). */
export const isId = (value: string): boolean => ID.test(value);

/** Where an upload passed a limit, in the reader's language. */
function limitPlace(err: UploadLimitError, lang: Lang): string {
  const at = err.location;
  if (at.entry !== undefined) return translate('upload_atEntry', lang, { entry: at.entry.slice(0, 80) });
  if (at.sheet !== undefined && at.cell) return translate('upload_atCell', lang, { sheet: at.sheet, cell: at.cell });
  if (at.sheet !== undefined && at.row) return translate('upload_atRow', lang, { sheet: at.sheet, row: at.row });
  if (at.sheet !== undefined) return translate('upload_atSheet', lang, { sheet: at.sheet });
  if (at.field !== undefined) return translate('upload_atField', lang, { field: at.field.slice(0, 40) });
  return translate(at.what === 'form' ? 'upload_atForm' : at.what === 'workbook' || at.what === 'inflated workbook' ? 'upload_atWorkbook' : 'upload_atFile', lang);
}

/** An upload refused at a limit, said in the reader's language: where, the limit and its name. */
export function uploadLimitText(err: UploadLimitError, lang: Lang): string {
  return translate(`upload_${err.rule}`, lang, { at: limitPlace(err, lang), max: formatLimit(err.rule, err.max) });
}
