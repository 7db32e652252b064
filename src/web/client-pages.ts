// A broker's client directory: the enterprises its firm acts for (search by name or credit code,
// add one by its unified social credit code), and one client's quotes, policies and subsidy year.
// The same services as GET/POST /v1/clients and the quote and policy lists filtered by
// enterpriseId, whose filters go through scope.ts and so only narrow the firm's own business.
import { quoters } from '../auth/access-rules.ts';
import type { OrganisationView } from '../auth/auth-schemas.ts';
import type { Caller } from '../auth/caller.ts';
import { AppError } from '../http/app-error.ts';
import { chinaDate } from '../rating/calendar.ts';
import { checkId, type PagePipeline } from './page-pipeline.ts';
import { nextPageHref, pageCursor, productNames, quoteRows } from './page-helpers.ts';
import { formatYuan } from './web-forms.ts';
import { nameIn, pick, translate, type Lang } from './web-messages.ts';
import type { Services } from '../service.ts';

const CREDIT_CODE = /^[0-9A-Z]{18}$/;
const REGION_CODE = /^[0-9]{6}$/;
const FIELDS = ['unifiedSocialCreditCode', 'name', 'nameEn', 'province', 'city', 'regionCode'] as const;
type ClientForm = Partial<Record<(typeof FIELDS)[number], string>>;
type ClientErrors = Partial<Record<(typeof FIELDS)[number], string>>;

const textOf = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');
const searchOf = (value: unknown) => textOf(value, 100) || undefined;

/** The add form as typed (kept on every answer), and its errors at their fields in the reader's language. */
function readClientForm(body: Record<string, unknown>, lang: Lang): { form: ClientForm; errors: ClientErrors } {
  const form: ClientForm = {};
  for (const key of FIELDS) form[key] = textOf(body[key], key === 'name' || key === 'nameEn' ? 200 : 50);
  form.unifiedSocialCreditCode = form.unifiedSocialCreditCode!.toUpperCase();
  const errors: ClientErrors = {};
  if (!CREDIT_CODE.test(form.unifiedSocialCreditCode)) errors.unifiedSocialCreditCode = translate('v_creditCode', lang);
  if (form.regionCode && !REGION_CODE.test(form.regionCode)) errors.regionCode = translate('v_regionCode', lang);
  return { form, errors };
}

const regionOf = (e: OrganisationView, lang: Lang) => pick({ zh: [`${e.province ?? ''}${e.city ?? ''}`, e.regionCode].filter(Boolean).join(' · '), en: e.regionCode ?? '' }, lang);

/** The directory page's data: the firm's clients matching `q`, and the add form as typed. */
async function directoryData(services: Services, caller: Caller, lang: Lang, q: string | undefined, form: ClientForm = {}, errors: ClientErrors = {}, notice?: string, after?: string) {
  const { items, total, next } = await services.clients.listClients(caller, { ...(q ? { q } : {}), limit: 500, ...(after ? { after } : {}) });
  return {
    title: translate('clientsTitle', lang),
    langPath: '/clients',
    q: q ?? '',
    total,
    clients: items.map((c) => ({
      id: c.enterprise.id, name: nameIn(c.enterprise, lang), creditCode: c.enterprise.unifiedSocialCreditCode ?? '',
      region: regionOf(c.enterprise, lang), since: chinaDate(new Date(c.linkedAt)),
    })),
    // The search box shows what was searched; the message does not repeat it.
    empty: items.length === 0 ? translate(q ? 'noClientsFound' : 'noClientsYet', lang) : undefined,
    // Newest linked first; a long list (or search) goes on by cursor.
    nextPage: nextPageHref('/clients', next, q ? { q } : {}),
    // Every field of the form and its error, empty when not typed or fine (the template reads them all).
    form: Object.fromEntries(FIELDS.map((k) => [k, form[k] ?? ''])), errors: Object.fromEntries(FIELDS.map((k) => [k, errors[k] ?? ''])),
    hasErrors: Object.keys(errors).length > 0, notice,
  };
}

/** Mounts `/clients` (search, add) and `/clients/{id}` (a client's quotes, policies and subsidy year). */
export function mountClientPages({ page, services }: PagePipeline): void {
  page('get', '/clients', quoters, async ({ req, lang, caller, render }) => {
    render('clients', await directoryData(services, caller, lang, searchOf(req.query.q), {}, {}, undefined, pageCursor(req.query)));
  });

  page('post', '/clients', quoters, async ({ lang, caller, body, render }) => {
    const { form, errors } = readClientForm(body, lang);
    if (Object.keys(errors).length) return render('clients', await directoryData(services, caller, lang, undefined, form, errors), 400);
    const given = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== '')) as ClientForm & { unifiedSocialCreditCode: string };
    try {
      const { client, created } = await services.clients.addClient(caller, given);
      const name = nameIn(client.enterprise, lang);
      render('clients', await directoryData(services, caller, lang, undefined, {}, {}, translate(created ? 'clientAdded' : 'clientAlready', lang, { name })));
    } catch (err) {
      // No enterprise has the code: registering it needs its name, asked for at the name field.
      if (!(err instanceof AppError) || err.kind !== 'not_found' || !err.details.some((d) => d.path === 'body.name')) throw err;
      render('clients', await directoryData(services, caller, lang, undefined, form, { name: translate('v_clientNameNeeded', lang) }), 400);
    }
  });

  page('get', '/clients/:id', quoters, async ({ req, lang, caller, render }) => {
    render('client', await clientData(services, caller, checkId(req.params.id), lang, pageCursor(req.query)));
  });
}

/** One client: its quotes and policies with the firm, and its subsidy year (404 unless it is the firm's client). */
async function clientData(services: Services, caller: Caller, id: string, lang: Lang, quotesAfter?: string) {
  const client = await services.clients.findClient(caller, id);
  if (!client) throw new AppError('not_found', 'Not found.');
  const year = chinaDate(new Date()).slice(0, 4);
  const [quotes, policies, products, subsidies] = await Promise.all([
    services.quotes.listQuotes(caller, { enterpriseId: id, limit: 100, ...(quotesAfter ? { after: quotesAfter } : {}) }), services.policies.listPolicies(caller, { enterpriseId: id, limit: 100, offset: 0 }), productNames(services, lang), services.subsidies.subsidyYear(caller, year, id),
  ]);
  const e = client.enterprise;
  return {
    title: nameIn(e, lang),
    client: { name: nameIn(e, lang), creditCode: e.unifiedSocialCreditCode ?? '', region: regionOf(e, lang), since: chinaDate(new Date(client.linkedAt)) },
    quotes: quoteRows(quotes.items, lang, products),
    quotesNextHref: nextPageHref(`/clients/${id}`, quotes.next),
    policies: policies.items.map((p) => ({ id: p.id, policyNumber: p.policyNumber, productName: products.get(p.productCode) ?? p.productCode, startDate: p.startDate, endDate: p.endDate, gross: formatYuan(p.grossPremiumFen) })),
    // The rest of a long list on the policies page, from where this one stops.
    morePolicies: nextPageHref('/policies', policies.next, { enterpriseId: id }),
    subsidyTitle: translate('subsidy_yearTitle', lang, { year }),
    subsidies: subsidies.rows.filter((r) => r.enterpriseId === id).map((r) => ({
      name: pick(r.name, lang), applications: r.applications, expected: formatYuan(r.expectedFen), granted: formatYuan(r.grantedFen),
      capRemaining: r.capRemainingFen === undefined ? translate('subsidy_noCap', lang) : formatYuan(r.capRemainingFen),
    })),
  };
}
