// Brokers' quoting: the catalogue, the quote form with its live preview, saving a quote, and the
// quote lists and quote page everyone signed in sees within their scope.
import { randomBytes } from 'node:crypto';
import { quoters } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import type { CatalogueEntry } from '../catalogue/catalogue-listing.ts';
import { AppError } from '../http/app-error.ts';
import { chinaDate } from '../rating/calendar.ts';
import type { RatingResult } from '../rating/index.ts';
import { renewalQuoteView, renewedPolicyNumber } from './renewal-pages.ts';
import { quoteHistoryAndDrafts } from './history-view.ts';
import { nameOf } from '../i18n/messages.ts';
import { enterpriseNamesIn, insurerNames, loadPageNames } from './cover-view.ts';
import { checkCode, checkId, isId, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { buildResultView } from './result-view.ts';
import { subsidyFactsView } from './subsidy-form.ts';
import { buildFieldViews, buildPickFields, errorsByField, parseQuoteForm, type FormErrors, type FormValues, type ProductField } from './web-forms.ts';
import { nextPageHref, pageCursor, productNames, quotePageData, quoteRows } from './page-helpers.ts';
import { nameIn, pick, translate, type Lang } from './web-messages.ts';
import type { Services } from '../service.ts';

/** Mounts the catalogue, the quote form (calculate, save, live preview), `/quotes` and `/quotes/{id}`. */
export function mountQuotingPages({ page, services }: PagePipeline): void {
  page('get', '/catalogue', 'signed-in', async ({ lang, render }) => {
    const [items, insurers] = await Promise.all([services.catalogue.listCatalogue({ date: chinaDate(new Date()), lang }), insurerNames(services, lang)]);
    render('catalogue', {
      title: translate('catalogue', lang),
      items: items.map((i) => ({
        ...i, insurer: { ...i.insurer, name: insurers.get(i.insurer.code) ?? i.insurer.name }, lineName: nameOf('line', i.line, lang), description: pick(i.description, lang),
        ...(i.scheduled ? { scheduledText: translate('scheduledFrom', lang, { version: i.scheduled.version, date: i.scheduled.effectiveFrom }) } : {}),
      })),
    });
  });

  page('get', '/catalogue/:code', 'signed-in', async ({ req, lang, caller, render }) => {
    const entry = await loadEntry(services, req.params.code, lang);
    render('product', { ...entryView(entry, lang, await insurerNames(services, lang)), canQuote: quoters.includes(caller.role) });
  });

  page('get', '/catalogue/:code/quote', quoters, async ({ req, lang, caller, render }) => {
    const entry = await loadEntry(services, req.params.code as string, lang);
    render('quote-form', await quoteFormData(services, entry, lang, caller, {}, {}, undefined, clientQuery(req.query.clientQ)));
  });

  page('post', '/catalogue/:code/quote', quoters, async ({ req, lang, caller, body, render }) => {
    const entry = await loadEntry(services, req.params.code as string, lang, body.startDate);
    const { parsed, errors, result } = await priceForm(services, caller, entry, body, lang);
    const values = { ...parsed.values, ...(typeof body.idempotencyKey === 'string' ? { idempotencyKey: body.idempotencyKey } : {}) };
    // The language switch posts the form as it stands (app.js): the same form in the other language, nothing marked yet.
    if (body._switchLang === '1') return render('quote-form', await quoteFormData(services, entry, lang, caller, values, {}, result));
    render('quote-form', await quoteFormData(services, entry, lang, caller, values, errors, result), Object.keys(errors).length ? 400 : 200);
  });

  page('post', '/catalogue/:code/quote/save', quoters, (request) => saveQuote(request));

  // The live preview: JSON for the page's script, same session, CSRF token in a header.
  page('post', '/catalogue/:code/preview', quoters, async ({ req, res, lang, caller, body }) => {
    const entry = await loadEntry(services, req.params.code as string, lang, body.startDate);
    const { errors, result } = await priceForm(services, caller, entry, body, lang);
    if (!result) {
      // Not yet ratable is the normal state of a form being filled: an answer, not a failure.
      res.json({ pending: true, message: translate('previewPending', lang), details: Object.entries(errors).map(([path, message]) => ({ path, message })) });
      return;
    }
    const view = buildResultView(result, lang, { fields: entry.form.fields as unknown as ProductField[] });
    res.json({
      outcome: view.outcome, outcomeLabel: view.outcomeLabel, reasons: view.reasons,
      grossPremiumFen: result.grossPremiumFen, gross: view.gross, vat: view.vat, subsidyTotal: view.subsidyTotal, expectedNetCost: view.expectedNetCost,
      productVersion: result.productVersion,
    });
  });

  page('get', '/quotes', 'signed-in', async ({ req, lang, caller, render }) => {
    const after = pageCursor(req.query);
    const { items, next } = await services.quotes.listQuotes(caller, { limit: 100, ...(after ? { after } : {}) });
    const [products, enterprises] = await Promise.all([productNames(services, lang), enterpriseNamesIn(services, items.map((q) => q.enterpriseId), lang)]);
    render('quotes', { title: translate(caller.role === 'enterprise' ? 'myQuotes' : 'quotes', lang), quotes: quoteRows(items, lang, products, enterprises), nextPage: nextPageHref('/quotes', next) });
  });

  page('get', '/quotes/:id', 'signed-in', async ({ req, lang, caller, render }) => {
    const quote = await services.quotes.getQuote(caller, checkId(req.params.id));
    const names = await loadPageNames(services, quote, lang);
    render('quote', { ...quotePageData(quote, names, caller, lang), ...(await quoteHistoryAndDrafts(services, caller, quote, lang)), renewal: renewalQuoteView(quote, lang, names.fields, await renewedPolicyNumber(services, caller, quote.renewalOf)) });
  });
}

/** Saves the priced form as a quote (idempotent per form) and goes to it; errors go back to the form. */
async function saveQuote({ services, req, res, lang, caller, body, render }: PageRequest): Promise<void> {
  const entry = await loadEntry(services, req.params.code as string, lang, body.startDate);
  const { parsed, request, errors, result } = await priceForm(services, caller, entry, body, lang);
  const idempotencyKey = typeof body.idempotencyKey === 'string' && body.idempotencyKey.length <= 100 ? body.idempotencyKey : undefined;
  const values = { ...parsed.values, ...(idempotencyKey ? { idempotencyKey } : {}) };
  if (!request.enterpriseId) errors.enterpriseId = translate('v_enterprise', lang);
  if (Object.keys(errors).length === 0) {
    try {
      const { quote } = await services.quotes.createQuote(caller, { ...request, enterpriseId: request.enterpriseId! }, idempotencyKey);
      res.redirect(303, `/quotes/${quote.id}`);
      return;
    } catch (err) {
      if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
      Object.assign(errors, errorsByField(err.details, lang, stepNamer(entry, lang)));
    }
  }
  render('quote-form', await quoteFormData(services, entry, lang, caller, values, errors, result), 400);
}

/** Reads the posted form into a request; errors at their field names when it cannot be rated. */
async function priceForm(services: Services, caller: Caller, entry: CatalogueEntry, body: Record<string, unknown>, lang: Lang) {
  const parsed = parseQuoteForm(body, entry.form.fields as unknown as ProductField[]);
  const errors: FormErrors = {};
  if (parsed.startDate && !/^\d{4}-\d{2}-\d{2}$/.test(parsed.startDate)) errors.startDate = translate('v_date', lang);
  if (parsed.enterpriseId && !isId(parsed.enterpriseId)) errors.enterpriseId = translate('v_enterprise', lang);
  Object.assign(errors, limitErrors(entry, parsed.inputs, lang));
  const request = {
    productCode: entry.code,
    ...(parsed.enterpriseId ? { enterpriseId: parsed.enterpriseId } : {}),
    ...(parsed.startDate ? { startDate: parsed.startDate } : {}),
    inputs: parsed.inputs,
    ...(Object.keys(parsed.picks).length ? { picks: parsed.picks } : {}),
    ...(parsed.enterprise ? { enterprise: parsed.enterprise } : {}),
  };
  let result: RatingResult | undefined;
  if (Object.keys(errors).length === 0) {
    try {
      result = await services.quotes.previewPrice(caller, request);
    } catch (err) {
      // An enterprise that is not one of the firm's clients (a form posted by hand): the picker's error.
      if (err instanceof AppError && err.kind === 'not_found' && err.details.some((d) => d.path === 'body.enterpriseId')) {
        errors.enterpriseId = translate('v_client', lang);
        return { parsed, request, errors, result };
      }
      if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
      Object.assign(errors, errorsByField(err.details.length ? err.details : [{ path: 'form', message: err.message }], lang, stepNamer(entry, lang)));
    }
  }
  return { parsed, request, errors, result };
}

/**
 * The cross-field limit checks the product declares: in a coverage with an aggregate limit taken
 * from a form field, each per-event limit from a field may not exceed it. The error sits at the
 * per-event field, naming the aggregate limit (the preview shows it live).
 */
export function limitErrors(entry: Pick<CatalogueEntry, 'coverages' | 'form'>, inputs: Record<string, unknown>, lang: Lang): FormErrors {
  const errors: FormErrors = {};
  const labels = new Map((entry.form.fields as unknown as ProductField[]).map((f) => [f.key, pick(f.label, lang)]));
  const amount = (field: string | undefined) => {
    const value = field === undefined ? undefined : inputs[field];
    return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : typeof value === 'number' ? value : undefined;
  };
  for (const coverage of entry.coverages as { limits?: { kind: string; field?: string }[] }[]) {
    const aggregate = coverage.limits?.find((l) => l.kind === 'aggregate' && l.field);
    const ceiling = amount(aggregate?.field);
    if (!aggregate || ceiling === undefined) continue;
    for (const limit of coverage.limits ?? []) {
      const value = amount(limit.field);
      if (limit.kind !== 'perEvent' || value === undefined || value <= ceiling) continue;
      errors[`inputs.${limit.field}`] = translate('v_perEventAboveAggregate', lang, { limit: labels.get(aggregate.field!) ?? aggregate.field! });
    }
  }
  return errors;
}

/** The picker's search text (as GET /v1/clients?q=): at most 100 characters, blank is none. */
function clientQuery(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 100) : undefined;
}

/** The enterprise picker: the caller's firm's clients (matching `q`, as GET /v1/clients?q=; the first 500 by name). */
async function clientPicker(services: Services, caller: Caller, lang: Lang, chosen: string | undefined, q: string | undefined) {
  const clients = (await services.clients.listClients(caller, { ...(q ? { q } : {}), limit: 500 })).items.map((c) => c.enterprise);
  return {
    enterprises: clients.map((e) => ({ id: e.id, name: `${nameIn(e, lang)}${e.unifiedSocialCreditCode ? ` · ${e.unifiedSocialCreditCode}` : ''}`, selected: chosen === e.id })),
    clientQ: q ?? '',
    clientsNote: clients.length > 0 ? undefined : q ? translate('noClientsMatch', lang, { q }) : translate('noClients', lang),
  };
}

/** The form header's word on the version: the one that prices the start date, and the one taking over later, if any. */
function versionNote(entry: CatalogueEntry, startDate: string, lang: Lang): string {
  const priced = translate('versionForStart', lang, { version: entry.version, date: startDate });
  return entry.scheduled ? `${priced}${translate('versionNoteSeparator', lang)}${translate('versionFromDate', lang, { version: entry.scheduled.version, date: entry.scheduled.effectiveFrom })}` : priced;
}

async function quoteFormData(services: Services, entry: CatalogueEntry, lang: Lang, caller: Caller, values: FormValues, errors: FormErrors, result?: RatingResult, clientQ?: string) {
  const changeable = new Set(entry.adjustable.filter((a) => a.changeableBy.includes(caller.role)).map((a) => a.step));
  return {
    title: `${translate('quoteFor', lang)} · ${entry.title}`,
    langPath: `/catalogue/${entry.code}/quote`,
    product: entryView(entry, lang, await insurerNames(services, lang)),
    versionNote: versionNote(entry, values.startDate ?? chinaDate(new Date()), lang),
    ...(await clientPicker(services, caller, lang, values.enterpriseId, clientQ)),
    enterpriseError: errors.enterpriseId,
    startDate: values.startDate ?? chinaDate(new Date()),
    today: chinaDate(new Date()),
    startDateError: errors.startDate,
    fields: buildFieldViews(entry.form.fields as unknown as ProductField[], values, errors, lang, entry.eitherOr),
    subsidyFacts: subsidyFactsView(entry.subsidyFacts, values, lang),
    pickFields: result ? buildPickFields(result, (step) => changeable.has(step), values, errors, lang, false) : [],
    hasErrors: Object.keys(errors).length > 0,
    otherErrors: Object.entries(errors).filter(([name]) => !name.startsWith('inputs.') && !name.startsWith('picks.') && name !== 'enterpriseId' && name !== 'startDate').map(([path, message]) => ({ path, message })),
    idempotencyKey: values.idempotencyKey ?? randomBytes(12).toString('base64url'),
    result: result ? buildResultView(result, lang, { fields: entry.form.fields as unknown as ProductField[], insurers: await insurerNames(services, lang) }) : undefined,
    pricedVersion: result?.productVersion,
  };
}

/** Names a rating step by its label (for the engine's "is needed by step …" messages). */
function stepNamer(entry: CatalogueEntry, lang: Lang): (key: string) => string {
  const labels = new Map(entry.steps.map((s) => [s.key, pick(s.label, lang)]));
  return (key) => labels.get(key) ?? key;
}

/**
 * The catalogue entry the form is built from: the version that prices the chosen start date (a
 * posted form's), else today's; a day no version covers falls back to today's, and the pricing
 * answers for that day at the date field.
 */
async function loadEntry(services: Services, code: unknown, lang: Lang, startDate?: unknown): Promise<CatalogueEntry> {
  const today = chinaDate(new Date());
  const day = typeof startDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(startDate.trim()) ? startDate.trim() : today;
  try {
    return await services.catalogue.getCatalogueEntry(checkCode(code), day, lang, 'broker'); // the quoting pages are the broker's
  } catch (err) {
    if (day === today || !(err instanceof AppError) || err.kind !== 'conflict') throw err;
    return services.catalogue.getCatalogueEntry(checkCode(code), today, lang, 'broker');
  }
}

function entryView(entry: CatalogueEntry, lang: Lang, insurers: ReadonlyMap<string, string>) {
  const text = (t: { zh: string; en: string } | undefined) => pick(t, lang);
  return {
    code: entry.code, version: entry.version, title: entry.title, description: text(entry.description), insurer: insurers.get(entry.insurer.code) ?? entry.insurer.name, lineName: nameOf('line', entry.line, lang),
    illustrative: entry.illustrative, effectiveFrom: entry.effectiveFrom,
    coverages: entry.coverages.map((c) => ({ name: text(c.name as { zh: string; en: string }), description: text((c as { description?: { zh: string; en: string } }).description) })),
    programmes: entry.subsidyProgrammes.map((p) => ({ name: text(p.name), sharePercent: p.sharePercent, level: translate(`level_${p.level}`, lang) })),
  };
}
