// Server-rendered pages for insurers', brokers' and enterprises' staff. Routes read the session,
// call the same services the API calls, and render Handlebars views; no business rule lives here.
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Caller, Role } from '../auth/caller.ts';
import { getCatalogueEntry, listCatalogue, type CatalogueEntry } from '../catalogue/catalogue-listing.ts';
import { chinaDate } from '../rating/calendar.ts';
import { createVersion, diffVersions, getVersion, listProducts, listVersions, publishVersion, testVersion, updateDraft } from '../catalogue/catalogue-service.ts';
import { AppError, statusByKind } from '../http/app-error.ts';
import { bindQuote, getPolicy, listPolicies } from '../policies/policy-service.ts';
import { createQuote, getQuote, listQuotes, type QuoteView } from '../quotes/quote-service.ts';
import { previewPrice } from '../quotes/rating-request.ts';
import { approveQuote, declineQuote } from '../quotes/underwriting.ts';
import type { ServiceEvents } from '../events.ts';
import type { RatingResult } from '../rating/index.ts';
import { buildFieldViews, buildPickFields, buildResultView, errorsByField, formatYuan, parseQuoteForm, type FormErrors, type FormValues, type ProductField } from './web-forms.ts';
import { translate, type Lang } from './web-messages.ts';
import { createWebSession, endWebSession, listEnterprises, loadWebSession, SESSION_HOURS, type WebSession } from './web-session-service.ts';
import { renderPage } from './web-views.ts';

export const SESSION_COOKIE = 'tis_session';
export const LANG_COOKIE = 'tis_lang';

/** Pages allow scripts and styles from this origin only: no inline script, no inline style. */
export const PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
].join('; ');

interface PageRequest {
  req: Request;
  res: Response;
  lang: Lang;
  session: WebSession;
  caller: Caller;
  body: Record<string, unknown>;
}

type PageHandler = (page: PageRequest) => Promise<void>;

/** The part of the documents service the pages use (quote and policy PDFs, same visibility as the API). */
export interface WebDocuments {
  quotePdf(caller: Caller, quoteId: string, lang: Lang): Promise<{ fileName: string; asciiFileName: string; bytes: Buffer | undefined }>;
  policyPdf(caller: Caller, policyId: string, lang: Lang): Promise<{ fileName: string; asciiFileName: string; bytes: Buffer | undefined }>;
}

const ID = /^[0-9a-f]{24}$/;
const CODE = /^[A-Za-z0-9._-]{1,64}$/;

function readCookie(req: Request, name: string): string | undefined {
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
function resolveLang(req: Request, res: Response): Lang {
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
function isSameOrigin(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none';
  const origin = req.get('origin');
  if (origin && origin !== 'null') return origin === `${req.protocol}://${req.get('host')}`;
  return true;
}

function navFor(caller: Caller | undefined, lang: Lang) {
  if (!caller) return [];
  const items: { href: string; key: string }[] = [];
  const role = caller.role;
  if (role === 'broker' || role === 'platform-admin') items.push({ href: '/catalogue', key: 'catalogue' });
  if (role === 'underwriter' || role === 'insurer-admin' || role === 'platform-admin') items.push({ href: '/referrals', key: 'referrals' });
  if (role === 'insurer-admin' || role === 'underwriter' || role === 'platform-admin') items.push({ href: '/products', key: 'products' });
  items.push({ href: '/quotes', key: role === 'enterprise' ? 'myQuotes' : 'quotes' });
  items.push({ href: '/policies', key: role === 'enterprise' ? 'myPolicies' : 'policies' });
  return items.map((i) => ({ href: i.href, label: translate(i.key, lang) }));
}

function sendPage(req: Request, res: Response, name: string, lang: Lang, session: WebSession | null, data: Record<string, unknown>, status = 200): void {
  const path = typeof data.langPath === 'string' ? data.langPath : req.path;
  const other: Lang = lang === 'en' ? 'zh-CN' : 'en';
  const html = renderPage(name, {
    ...data,
    lang,
    htmlLang: lang,
    user: session ? { name: session.caller.userName, role: session.caller.role, organisation: session.caller.organisationCode } : undefined,
    nav: navFor(session?.caller, lang),
    csrfToken: session?.csrfToken,
    otherLang: { href: `${path}?lang=${other}`, label: other === 'en' ? 'English' : '中文', lang: other },
  });
  res.status(status).set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' }).type('html').send(html);
}

const rolesAllow = (caller: Caller, roles: readonly Role[] | undefined) => !roles || roles.includes(caller.role);

/** Where each role starts. */
function homeOf(role: Role): string {
  switch (role) {
    case 'broker': return '/catalogue';
    case 'underwriter': return '/referrals';
    case 'insurer-admin': return '/products';
    case 'enterprise': return '/quotes';
    default: return '/catalogue';
  }
}

/** Creates the web pages' router; mount it before the API routes. */
export function createWebRouter(options: { logger?: Logger; documents?: WebDocuments; events: ServiceEvents }): Router {
  const { events } = options;
  const router = express.Router();
  const formBody = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 5000 });

  router.use('/assets', express.static(new URL('./assets/', import.meta.url).pathname, { fallthrough: false, index: false, maxAge: '1h' }));

  const renderError = (req: Request, res: Response, lang: Lang, session: WebSession | null, err: unknown) => {
    if (err instanceof AppError) {
      const status = statusByKind[err.kind];
      const key = err.kind === 'not_found' ? 'notFound' : err.kind === 'forbidden' ? 'forbidden' : 'error';
      sendPage(req, res, 'error', lang, session, { title: translate('error', lang), heading: translate(key, lang), message: err.message, details: err.details }, status);
      return;
    }
    options.logger?.error({ err }, 'web page failed');
    sendPage(req, res, 'error', lang, session, { title: translate('error', lang), heading: translate('error', lang) }, 500);
  };

  /** A page for signed-in callers of the given roles; POSTs also need the same origin and the session's CSRF token. */
  const page = (method: 'get' | 'post', path: string, roles: readonly Role[] | undefined, handler: PageHandler) => {
    const handlers = method === 'post' ? [formBody] : [];
    router[method](path, ...handlers, (req: Request, res: Response, next: NextFunction) => {
      const lang = resolveLang(req, res);
      let session: WebSession | null = null;
      (async () => {
        session = await loadWebSession(readCookie(req, SESSION_COOKIE));
        if (!session) {
          if (method === 'get') res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
          else if (req.get('x-requested-with')) res.status(401).json({ error: { code: 'unauthenticated', message: 'Sign in again.', details: [] } });
          else res.redirect(303, '/sign-in');
          return;
        }
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (method === 'post') {
          const token = typeof body._csrf === 'string' ? body._csrf : req.get('x-csrf-token');
          if (!isSameOrigin(req) || token !== session.csrfToken) throw new AppError('forbidden', translate('csrf', lang));
        }
        if (!rolesAllow(session.caller, roles)) throw new AppError('forbidden', translate('forbidden', lang));
        await handler({ req, res, lang, session, caller: session.caller, body });
      })().catch((err: unknown) => {
        if (res.headersSent) return next(err);
        renderError(req, res, lang, session, err);
      });
    });
  };

  // --- Sign-in and sign-out --------------------------------------------------------------------

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

  page('get', '/', undefined, async ({ res, caller }) => {
    res.redirect(303, homeOf(caller.role));
  });

  // --- Catalogue and quoting (brokers) --------------------------------------------------------

  page('get', '/catalogue', undefined, async ({ req, res, lang, session }) => {
    const items = await listCatalogue({ date: chinaDate(new Date()), lang });
    sendPage(req, res, 'catalogue', lang, session, { title: translate('catalogue', lang), items: items.map((i) => ({ ...i, description: lang === 'en' ? i.description.en : i.description.zh })) });
  });

  page('get', '/catalogue/:code', undefined, async ({ req, res, lang, session, caller }) => {
    const entry = await loadEntry(req.params.code, lang);
    sendPage(req, res, 'product', lang, session, { ...entryView(entry, lang), canQuote: caller.role === 'broker' });
  });

  const quoteFormData = async (entry: CatalogueEntry, lang: Lang, caller: Caller, values: FormValues, errors: FormErrors, result?: RatingResult) => {
    const enterprises = await listEnterprises();
    const changeable = new Set(entry.adjustable.filter((a) => a.changeableBy.includes(caller.role)).map((a) => a.step));
    return {
      title: `${translate('quoteFor', lang)} · ${entry.title}`,
      langPath: `/catalogue/${entry.code}/quote`,
      product: entryView(entry, lang),
      enterprises: enterprises.map((e) => ({ id: e.id, name: lang === 'en' ? e.nameEn ?? e.name : e.name, selected: values.enterpriseId === e.id })),
      enterpriseError: errors.enterpriseId,
      startDate: values.startDate ?? chinaDate(new Date()),
      today: chinaDate(new Date()),
      startDateError: errors.startDate,
      fields: buildFieldViews(entry.form.fields as unknown as ProductField[], values, errors, lang),
      pickFields: result ? buildPickFields(result, (step) => changeable.has(step), values, errors, lang, false) : [],
      hasErrors: Object.keys(errors).length > 0,
      otherErrors: Object.entries(errors).filter(([name]) => !name.startsWith('inputs.') && !name.startsWith('picks.') && name !== 'enterpriseId' && name !== 'startDate').map(([path, message]) => ({ path, message })),
      idempotencyKey: values.idempotencyKey ?? randomBytes(12).toString('base64url'),
      result: result ? buildResultView(result, lang) : undefined,
    };
  };

  page('get', '/catalogue/:code/quote', ['broker'], async ({ req, res, lang, session, caller }) => {
    const entry = await loadEntry(req.params.code as string, lang);
    sendPage(req, res, 'quote-form', lang, session, await quoteFormData(entry, lang, caller, {}, {}));
  });

  /** Reads the posted form into a request; errors at their field names when it cannot be rated. */
  const priceForm = async (caller: Caller, entry: CatalogueEntry, body: Record<string, unknown>) => {
    const parsed = parseQuoteForm(body, entry.form.fields as unknown as ProductField[]);
    const errors: FormErrors = {};
    if (parsed.startDate && !/^\d{4}-\d{2}-\d{2}$/.test(parsed.startDate)) errors.startDate = 'must be a date YYYY-MM-DD';
    if (parsed.enterpriseId && !ID.test(parsed.enterpriseId)) errors.enterpriseId = 'must be an enterprise';
    const request = {
      productCode: entry.code,
      ...(parsed.enterpriseId ? { enterpriseId: parsed.enterpriseId } : {}),
      ...(parsed.startDate ? { startDate: parsed.startDate } : {}),
      inputs: parsed.inputs,
      ...(Object.keys(parsed.picks).length ? { picks: parsed.picks } : {}),
    };
    let result: RatingResult | undefined;
    if (Object.keys(errors).length === 0) {
      try {
        result = await previewPrice(caller, request);
      } catch (err) {
        if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
        Object.assign(errors, errorsByField(err.details.length ? err.details : [{ path: 'form', message: err.message }]));
      }
    }
    return { parsed, request, errors, result };
  };

  page('post', '/catalogue/:code/quote', ['broker'], async ({ req, res, lang, session, caller, body }) => {
    const entry = await loadEntry(req.params.code as string, lang);
    const { parsed, errors, result } = await priceForm(caller, entry, body);
    const values = { ...parsed.values, ...(typeof body.idempotencyKey === 'string' ? { idempotencyKey: body.idempotencyKey } : {}) };
    sendPage(req, res, 'quote-form', lang, session, await quoteFormData(entry, lang, caller, values, errors, result), Object.keys(errors).length ? 400 : 200);
  });

  page('post', '/catalogue/:code/quote/save', ['broker'], async ({ req, res, lang, session, caller, body }) => {
    const entry = await loadEntry(req.params.code as string, lang);
    const { parsed, request, errors, result } = await priceForm(caller, entry, body);
    const idempotencyKey = typeof body.idempotencyKey === 'string' && body.idempotencyKey.length <= 100 ? body.idempotencyKey : undefined;
    const values = { ...parsed.values, ...(idempotencyKey ? { idempotencyKey } : {}) };
    if (!request.enterpriseId) errors.enterpriseId = translate('chooseOne', lang);
    if (Object.keys(errors).length === 0) {
      try {
        const { quote } = await createQuote(events, caller, { ...request, enterpriseId: request.enterpriseId! }, idempotencyKey);
        res.redirect(303, `/quotes/${quote.id}`);
        return;
      } catch (err) {
        if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
        Object.assign(errors, errorsByField(err.details));
      }
    }
    sendPage(req, res, 'quote-form', lang, session, await quoteFormData(entry, lang, caller, values, errors, result), 400);
  });

  // The live preview: JSON for the page's script, same session, CSRF token in a header.
  page('post', '/catalogue/:code/preview', ['broker'], async ({ req, res, lang, caller, body }) => {
    const entry = await loadEntry(req.params.code as string, lang);
    const { errors, result } = await priceForm(caller, entry, body);
    if (!result) {
      res.status(400).json({ error: { code: 'invalid_input', message: translate('fixErrors', lang), details: Object.entries(errors).map(([path, message]) => ({ path, message })) } });
      return;
    }
    const view = buildResultView(result, lang);
    res.json({
      outcome: view.outcome, outcomeLabel: view.outcomeLabel, reasons: view.reasons,
      grossPremiumFen: result.grossPremiumFen, gross: view.gross, vat: view.vat, subsidyTotal: view.subsidyTotal, expectedNetCost: view.expectedNetCost,
    });
  });

  // --- Quotes, referrals and policies ---------------------------------------------------------

  const quoteRows = (quotes: QuoteView[], lang: Lang) => quotes.map((q) => ({
    id: q.id, quoteNumber: q.quoteNumber, productCode: q.productCode, enterpriseName: q.enterpriseName, quoteDate: q.quoteDate,
    status: translate(`status_${q.status}`, lang), expired: q.expired, gross: formatYuan(q.result.grossPremiumFen),
  }));

  page('get', '/quotes', undefined, async ({ req, res, lang, session, caller }) => {
    const { items } = await listQuotes(caller, { limit: 100, offset: 0 });
    sendPage(req, res, 'quotes', lang, session, { title: translate(caller.role === 'enterprise' ? 'myQuotes' : 'quotes', lang), quotes: quoteRows(items, lang) });
  });

  page('get', '/referrals', ['underwriter', 'insurer-admin', 'platform-admin'], async ({ req, res, lang, session, caller }) => {
    const { items } = await listQuotes(caller, { status: 'referred', limit: 100, offset: 0 });
    sendPage(req, res, 'quotes', lang, session, { title: translate('referrals', lang), quotes: quoteRows(items, lang) });
  });

  const quotePageData = (quote: QuoteView, caller: Caller, lang: Lang, values: FormValues = {}, errors: FormErrors = {}) => {
    const underwriter = (caller.role === 'underwriter' || caller.role === 'insurer-admin') && quote.status === 'referred';
    return {
      title: `${translate('quoteNumber', lang)} ${quote.quoteNumber}`,
      langPath: `/quotes/${quote.id}`,
      quote: { ...quote, statusLabel: translate(`status_${quote.status}`, lang) },
      result: buildResultView(quote.result, lang),
      canBind: caller.role === 'broker' && (quote.status === 'quoted' || quote.status === 'approved') && !quote.expired,
      canDecide: underwriter,
      pickFields: underwriter ? buildPickFields(quote.result, () => true, values, errors, lang, true) : [],
      note: values.note ?? '',
      reason: values.reason ?? '',
      decisionErrors: Object.entries(errors).map(([path, message]) => ({ path, message })),
      underwriting: quote.underwriting,
    };
  };

  page('get', '/quotes/:id', undefined, async ({ req, res, lang, session, caller }) => {
    const quote = await getQuote(caller, checkId(req.params.id));
    sendPage(req, res, 'quote', lang, session, quotePageData(quote, caller, lang));
  });

  page('post', '/quotes/:id/bind', ['broker'], async ({ req, res, caller }) => {
    const policy = await bindQuote(events, caller, checkId(req.params.id));
    res.redirect(303, `/policies/${policy.id}`);
  });

  page('post', '/quotes/:id/approve', ['underwriter', 'insurer-admin'], async ({ req, res, lang, session, caller, body }) => {
    const quote = await getQuote(caller, checkId(req.params.id));
    const current = new Map(quote.result.worksheet.map((w) => [w.step, w.value]));
    const changed: Record<string, string> = {};
    const values: FormValues = {};
    for (const [key, raw] of Object.entries(body)) {
      if (!key.startsWith('picks.') || typeof raw !== 'string' || raw.trim() === '') continue;
      const step = key.slice('picks.'.length);
      values[key] = raw.trim();
      // Only coefficients the underwriter moved become picks; the others keep the engine's default.
      if (current.has(step) && Number(current.get(step)) !== Number(raw.trim())) changed[step] = raw.trim();
      else if (!current.has(step)) changed[step] = raw.trim();
    }
    const note = typeof body.note === 'string' ? body.note.trim().slice(0, 1000) : '';
    const picks = Object.keys(changed).length ? { ...quote.picks, ...changed } : undefined;
    try {
      await approveQuote(events, caller, quote.id, { ...(picks ? { picks } : {}), ...(note ? { note } : {}) });
    } catch (err) {
      if (!(err instanceof AppError) || (err.kind !== 'invalid_input' && err.kind !== 'conflict')) throw err;
      const errors = errorsByField(err.details.length ? err.details : [{ path: 'approve', message: err.message }]);
      sendPage(req, res, 'quote', lang, session, quotePageData(quote, caller, lang, { ...values, note }, errors), 400);
      return;
    }
    res.redirect(303, `/quotes/${quote.id}`);
  });

  page('post', '/quotes/:id/decline', ['underwriter', 'insurer-admin'], async ({ req, res, lang, session, caller, body }) => {
    const quote = await getQuote(caller, checkId(req.params.id));
    const reason = typeof body.reason === 'string' ? body.reason.trim().slice(0, 1000) : '';
    if (!reason) {
      sendPage(req, res, 'quote', lang, session, quotePageData(quote, caller, lang, {}, { reason: 'is required' }), 400);
      return;
    }
    await declineQuote(events, caller, quote.id, reason);
    res.redirect(303, `/quotes/${quote.id}`);
  });

  page('get', '/policies', undefined, async ({ req, res, lang, session, caller }) => {
    const { items } = await listPolicies(caller, { limit: 100, offset: 0 });
    sendPage(req, res, 'policies', lang, session, {
      title: translate(caller.role === 'enterprise' ? 'myPolicies' : 'policies', lang),
      policies: items.map((p) => ({ id: p.id, policyNumber: p.policyNumber, productCode: p.productCode, enterpriseName: p.enterpriseName, startDate: p.startDate, endDate: p.endDate, gross: formatYuan(p.grossPremiumFen) })),
    });
  });

  page('get', '/policies/:id', undefined, async ({ req, res, lang, session, caller }) => {
    const policy = await getPolicy(caller, checkId(req.params.id));
    sendPage(req, res, 'policy', lang, session, { title: `${translate('policyNumber', lang)} ${policy.policyNumber}`, policy, result: buildResultView(policy.result, lang) });
  });

  const sendPdf = (res: Response, file: { fileName: string; asciiFileName: string; bytes: Buffer | undefined }) => {
    const encoded = encodeURIComponent(file.fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    res.status(200).set({
      'Content-Type': 'application/pdf', 'Cache-Control': 'private, no-store',
      'Content-Disposition': `attachment; filename="${file.asciiFileName.replace(/["\\]/g, '')}"; filename*=UTF-8''${encoded}`,
    }).send(file.bytes ?? Buffer.alloc(0));
  };
  const pdfLang = (req: Request): Lang => (req.query.pdfLang === 'en' ? 'en' : 'zh-CN');
  const documents = () => {
    if (!options.documents) throw new AppError('unavailable', 'PDF documents are not available in this process.');
    return options.documents;
  };

  page('get', '/quotes/:id/pdf', undefined, async ({ req, res, caller }) => {
    sendPdf(res, await documents().quotePdf(caller, checkId(req.params.id), pdfLang(req)));
  });

  page('get', '/policies/:id/pdf', undefined, async ({ req, res, caller }) => {
    sendPdf(res, await documents().policyPdf(caller, checkId(req.params.id), pdfLang(req)));
  });

  // --- Products (insurer admins) --------------------------------------------------------------

  const insurerStaff = ['insurer-admin', 'underwriter', 'platform-admin'] as const;
  const insurerAdmin = ['insurer-admin', 'platform-admin'] as const;

  page('get', '/products', insurerStaff, async ({ req, res, lang, session, caller }) => {
    const products = await listProducts(caller);
    sendPage(req, res, 'products', lang, session, { title: translate('products', lang), products: products.map((p) => ({ ...p, title: lang === 'en' ? p.name.en : p.name.zh })) });
  });

  page('get', '/products/:code', insurerStaff, async ({ req, res, lang, session, caller }) => {
    const code = checkCode(req.params.code);
    const { versions } = await listVersions(caller, code);
    sendPage(req, res, 'product-versions', lang, session, {
      title: `${translate('products', lang)} · ${code}`, code, canEdit: caller.role !== 'underwriter',
      versions: versions.map((v) => ({ ...v, statusLabel: translate(`status_${v.status}`, lang) })),
    });
  });

  page('post', '/products/:code/versions', insurerAdmin, async ({ req, res, caller, body }) => {
    const code = checkCode(req.params.code);
    const view = await createVersion(caller, code, { cloneFrom: String(body.cloneFrom ?? '') });
    res.redirect(303, `/products/${code}/versions/${encodeURIComponent(view.version)}`);
  });

  const versionPage = async (req: Request, res: Response, lang: Lang, session: WebSession, code: string, version: string, extra: { text?: string; errors?: { path: string; message: string }[]; vectors?: unknown; notice?: string } = {}, status = 200) => {
    const view = await getVersion(session.caller, code, version);
    sendPage(req, res, 'version-edit', lang, session, {
      title: `${code} ${version}`, langPath: `/products/${code}/versions/${encodeURIComponent(version)}`,
      code, version, status: view.status, statusLabel: translate(`status_${view.status}`, lang),
      isDraft: view.status === 'draft', canEdit: view.status === 'draft' && session.caller.role !== 'underwriter',
      text: extra.text ?? JSON.stringify(view.definition, null, 2),
      errors: extra.errors ?? view.compileErrors ?? [],
      vectors: extra.vectors, notice: extra.notice,
    }, status);
  };

  page('get', '/products/:code/versions/:version', insurerStaff, async ({ req, res, lang, session }) => {
    await versionPage(req, res, lang, session, checkCode(req.params.code), checkCode(req.params.version));
  });

  page('post', '/products/:code/versions/:version', insurerAdmin, async ({ req, res, lang, session, caller, body }) => {
    const code = checkCode(req.params.code);
    const version = checkCode(req.params.version);
    const text = typeof body.definition === 'string' ? body.definition : '';
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (err) {
      await versionPage(req, res, lang, session, code, version, { text, errors: [{ path: 'definition', message: `is not valid JSON: ${(err as Error).message}` }] }, 400);
      return;
    }
    try {
      await updateDraft(caller, code, version, definition);
    } catch (err) {
      if (!(err instanceof AppError) || (err.kind !== 'invalid_input' && err.kind !== 'conflict')) throw err;
      const errors = (err.details.length ? err.details : [{ path: 'definition', message: err.message }]).map((d) => ({ path: d.path.replace(/^body\./, ''), message: d.message }));
      await versionPage(req, res, lang, session, code, version, { text, errors }, 400);
      return;
    }
    await versionPage(req, res, lang, session, code, version, { notice: translate('saved', lang) });
  });

  page('post', '/products/:code/versions/:version/test', insurerStaff, async ({ req, res, lang, session, caller }) => {
    const code = checkCode(req.params.code);
    const version = checkCode(req.params.version);
    const outcome = await testVersion(caller, code, version);
    await versionPage(req, res, lang, session, code, version, {
      vectors: { passed: outcome.passed, items: outcome.vectors.map((v) => ({ ...v, label: translate(v.passed ? 'passed' : 'failed', lang) })) },
      ...(outcome.compileErrors.length ? { errors: outcome.compileErrors } : {}),
    });
  });

  page('post', '/products/:code/versions/:version/publish', insurerAdmin, async ({ req, res, lang, session, caller }) => {
    const code = checkCode(req.params.code);
    const version = checkCode(req.params.version);
    try {
      await publishVersion(caller, code, version);
    } catch (err) {
      if (!(err instanceof AppError) || (err.kind !== 'invalid_input' && err.kind !== 'conflict')) throw err;
      await versionPage(req, res, lang, session, code, version, { errors: err.details.length ? err.details : [{ path: 'definition', message: err.message }] }, 400);
      return;
    }
    await versionPage(req, res, lang, session, code, version, { notice: translate('published', lang) });
  });

  page('get', '/products/:code/diff', insurerStaff, async ({ req, res, lang, session, caller }) => {
    const code = checkCode(req.params.code);
    const from = checkCode(String(req.query.from ?? ''));
    const to = checkCode(String(req.query.to ?? ''));
    const diff = await diffVersions(caller, code, from, to);
    const show = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));
    sendPage(req, res, 'diff', lang, session, {
      title: `${translate('diff', lang)} · ${code}`, langPath: `/products/${code}/diff`, code, from, to,
      changes: diff.changes.map((c) => ({ ...c, fromText: show(c.from), toText: show(c.to) })),
    });
  });

  return router;
}

function safeNext(value: unknown): string | undefined {
  // Only same-site paths: never //host or a scheme (open redirect).
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) && !value.startsWith('/sign-') ? value : undefined;
}

function checkId(value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new AppError('not_found', 'Not found.');
  return value;
}

function checkCode(value: unknown): string {
  if (typeof value !== 'string' || !CODE.test(value)) throw new AppError('not_found', 'Not found.');
  return value;
}

async function loadEntry(code: unknown, lang: Lang): Promise<CatalogueEntry> {
  return getCatalogueEntry(checkCode(code), chinaDate(new Date()), lang);
}

function entryView(entry: CatalogueEntry, lang: Lang) {
  const text = (t: { zh: string; en: string } | undefined) => (t ? (lang === 'en' ? t.en : t.zh) : '');
  return {
    code: entry.code, version: entry.version, title: entry.title, description: text(entry.description), insurer: entry.insurer.name,
    illustrative: entry.illustrative, effectiveFrom: entry.effectiveFrom,
    coverages: entry.coverages.map((c) => ({ name: text(c.name as { zh: string; en: string }), description: text((c as { description?: { zh: string; en: string } }).description) })),
    programmes: entry.subsidyProgrammes.map((p) => ({ name: text(p.name), sharePercent: p.sharePercent, level: p.level })),
  };
}
