// The departments' pages (#27): the queue of applications to review with its filters (status,
// programme, region), one application with its PDF, its policy schedule and the papers checklist,
// and the decision form (the amount defaults to what was applied for; a refusal needs a reason;
// errors in the reader's language, the form keeps its input). The same services and access lists
// as the API (/v1/subsidy-applications); no rule lives here.
import { applicationDeciders, applicationReviewers } from '../auth/access-rules.ts';
import { AppError, invalidInput } from '../http/app-error.ts';
import { chinaDate } from '../rating/index.ts';
import type { ReviewedApplication } from '../subsidies/application-review.ts';
import type { DecisionRequest } from '../subsidies/review-schemas.ts';
import { provinceCodeOf, provinceName } from '../i18n/provinces.ts';
import type { PagePipeline, PageRequest } from './page-pipeline.ts';
import { nextPageHref, outcomeText, pageCursor, programmeOptions, sendAttachment } from './page-helpers.ts';
import { formatYuan, parseYuanToFen, refusalErrors } from './web-forms.ts';
import { pick, translate, type Lang } from './web-messages.ts';

const APPLICATION_ID = /^[0-9a-f]{24}-[A-Z][A-Z0-9-]{0,63}$/;
const STATUSES = ['submitted', 'granted', 'refused', 'withdrawn'] as const;
const REGION = /^[0-9]{2}(?:[0-9]{2}){0,2}$/;
const PROGRAMME = /^[A-Z][A-Z0-9-]{0,63}$/;

function checkApplicationId(value: unknown): string {
  if (typeof value !== 'string' || !APPLICATION_ID.test(value)) throw new AppError('not_found', 'Not found.');
  return value;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim().slice(0, 500) : '');

/** The queue's filters as asked (unknown values are dropped: a filter narrows or is ignored, never an error page). */
function filtersOf(query: Record<string, unknown>) {
  const status = STATUSES.find((s) => s === query.status);
  const programme = typeof query.programme === 'string' && PROGRAMME.test(query.programme) ? query.programme : undefined;
  const region = typeof query.region === 'string' && REGION.test(query.region) ? query.region : undefined;
  return { ...(status ? { status } : {}), ...(programme ? { programme } : {}), ...(region ? { region } : {}) };
}

/** A region by its province's name (GB/T 2260); a city or district adds its code, which the catalogue does not name. */
function regionName(regionCode: string, lang: Lang): string {
  const province = provinceCodeOf(regionCode);
  const name = pick(provinceName(province), lang);
  return province && regionCode.replace(/0+$/, '').length > 2 ? translate('review_regionWithCode', lang, { name, code: regionCode }) : name;
}

const statusText = (a: Pick<ReviewedApplication, 'status'>, lang: Lang) => translate(`subsidy_status_${a.status}`, lang);

/** The decision form's fields as typed and their errors. */
export interface DecisionFormState { outcome: string; values: Record<string, string>; errors: Record<string, string> }

/** The data of one application's page, with the decision form (as typed, when it was sent back). */
function applicationPageData(a: ReviewedApplication, caller: PageRequest['caller'], lang: Lang, form?: DecisionFormState) {
  const today = chinaDate(new Date());
  const value = (outcome: string, name: string, fallback: string) => (form && form.outcome === outcome ? form.values[name] ?? '' : fallback);
  const errors = (outcome: string) => (form && form.outcome === outcome ? form.errors : {});
  return {
    title: translate('review_applicationTitle', lang, { enterprise: a.enterpriseName, programme: pick(a.name, lang) }),
    // A form sent back keeps its language switch on the application, not on the form's target.
    langPath: `/applications/${a.id}`,
    a, nameText: pick(a.name, lang), regionText: regionName(a.regionCode, lang), departmentText: pick(a.department, lang), levelText: translate(`review_level_${a.level}`, lang),
    expected: formatYuan(a.expectedFen), applied: formatYuan(a.appliedFen), statusText: statusText(a, lang), outcomeText: outcomeText(a, lang, true),
    papers: a.papers.map((p) => ({ label: pick(p.label, lang), note: p.note ? pick(p.note, lang) : '' })),
    pdfHref: `/applications/${a.id}/pdf`, scheduleHref: `/applications/${a.id}/policy.pdf`,
    canDecide: applicationDeciders.includes(caller.role) && a.status === 'submitted',
    grantHint: translate('review_grantHint', lang, { amount: formatYuan(a.appliedFen) }),
    grant: { grantedYuan: value('granted', 'grantedYuan', (a.appliedFen / 100).toFixed(2)), reference: value('granted', 'reference', ''), on: value('granted', 'on', today), error: errors('granted') },
    refuse: { reason: value('refused', 'reason', ''), on: value('refused', 'on', today), error: errors('refused') },
    formError: form?.errors.form,
  };
}

function decisionOf(body: Record<string, unknown>, lang: Lang): DecisionRequest {
  const on = text(body.on);
  const dated = /^\d{4}-\d{2}-\d{2}$/.test(on) ? { on } : {};
  if (body.outcome === 'granted') return { outcome: 'granted', grantedFen: parseYuanToFen(text(body.grantedYuan), 'body.grantedFen', translate('subsidy_badAmount', lang)), ...(text(body.reference) ? { reference: text(body.reference).slice(0, 100) } : {}), ...dated };
  if (body.outcome === 'refused') return { outcome: 'refused', reason: text(body.reason), ...dated };
  throw invalidInput(translate('review_unknownOutcome', lang), [{ path: 'body.outcome', message: 'must be granted or refused (enum)' }]);
}

/** A refused decision's details at the form's field names, in the reader's language. */
function decisionErrors(err: AppError, a: ReviewedApplication, lang: Lang): Record<string, string> {
  if (err.kind === 'conflict') return { form: translate('review_alreadyDecided', lang) };
  return refusalErrors(err, lang, {
    nameOf: (field) => (field === 'grantedFen' ? 'grantedYuan' : field === 'reason' || field === 'on' ? field : 'form'),
    messageOf: (name, message) => (name === 'grantedYuan'
      ? (/maximum/.test(message) ? translate('review_grantTooHigh', lang, { amount: formatYuan(a.appliedFen) }) : translate('subsidy_badAmount', lang))
      : name === 'reason' ? translate('review_reasonRequired', lang) : undefined),
  });
}

/** Mounts `/applications` (the queue), one application, its downloads and the decision form's target. */
export function mountReviewPages({ page, services }: PagePipeline): void {
  page('get', '/applications', applicationReviewers, async ({ req, caller, lang, render }) => {
    const filters = filtersOf(req.query as Record<string, unknown>);
    const after = pageCursor(req.query as Record<string, unknown>);
    const list = await services.subsidies.listReviewedApplications(caller, { ...filters, limit: 50, ...(after ? { after } : {}) });
    render('review-queue', {
      title: translate('review_title', lang), region: filters.region ?? '',
      statuses: STATUSES.map((s) => ({ value: s, label: translate(`subsidy_status_${s}`, lang), selected: filters.status === s })),
      programmes: await programmeOptions(services, caller, filters.programme, lang),
      rows: list.items.map((a) => ({ a, nameText: pick(a.name, lang), regionText: regionName(a.regionCode, lang), statusText: statusText(a, lang), expected: formatYuan(a.expectedFen), applied: formatYuan(a.appliedFen), href: `/applications/${a.id}` })),
      nextPage: nextPageHref('/applications', list.next, filters),
    });
  });

  page('get', '/applications/:id', applicationReviewers, async ({ req, caller, lang, render }) => {
    const a = await services.subsidies.getReviewedApplication(caller, checkApplicationId(req.params.id));
    render('review-application', applicationPageData(a, caller, lang));
  });

  page('get', '/applications/:id/pdf', applicationReviewers, async ({ req, res, caller, lang }) => {
    const id = checkApplicationId(req.params.id);
    if (!services.subsidies.documents) throw new AppError('unavailable', translate('pdfUnavailable', lang));
    const [, policyId, programme] = /^([0-9a-f]{24})-(.+)$/.exec(id)!;
    sendAttachment(res, await services.subsidies.documents.applicationPdf(caller, policyId!, programme!), 'application/pdf');
  });

  page('get', '/applications/:id/policy.pdf', applicationReviewers, async ({ req, res, caller, lang }) => {
    if (!services.subsidies.applicationSchedule) throw new AppError('unavailable', translate('pdfUnavailable', lang));
    sendAttachment(res, await services.subsidies.applicationSchedule(caller, checkApplicationId(req.params.id), lang), 'application/pdf');
  });

  page('post', '/applications/:id/decision', applicationDeciders, async ({ req, res, caller, body, lang, render }) => {
    const id = checkApplicationId(req.params.id);
    const a = await services.subsidies.getReviewedApplication(caller, id);
    const outcome = body.outcome === 'refused' ? 'refused' : 'granted';
    const values = Object.fromEntries(['grantedYuan', 'reference', 'reason', 'on'].map((name) => [name, text(body[name])]));
    try {
      await services.subsidies.decideApplication(caller, id, decisionOf(body, lang));
    } catch (err) {
      if (!(err instanceof AppError) || (err.kind !== 'invalid_input' && err.kind !== 'conflict')) throw err;
      const current = err.kind === 'conflict' ? await services.subsidies.getReviewedApplication(caller, id) : a;
      render('review-application', applicationPageData(current, caller, lang, { outcome, values, errors: decisionErrors(err, a, lang) }), err.kind === 'conflict' ? 409 : 400);
      return;
    }
    res.redirect(303, `/applications/${id}`);
  });
}
