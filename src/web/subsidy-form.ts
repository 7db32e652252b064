// The quote form's subsidy facts: what the line's programmes read besides the enterprise's region
// (qualifications for this cover, awards already received, the year of continuous cover, the
// cover's territorial scope), as form fields and back into the request's `enterprise` facts.
import { nameOf, translate, type Lang } from '../i18n/messages.ts';
import type { SubsidyFactsAsked } from '../rating/index.ts';
import type { FormValues } from './web-forms.ts';

/** The request's enterprise facts (the API's `enterprise` object). */
export interface EnterpriseFacts {
  qualifications?: string[];
  awards?: string[];
  supportYear?: number;
  coverScope?: 'domestic' | 'overseas';
}

const listed = (values: FormValues, name: string) => (values[name] ?? '').split(',').filter(Boolean);

/** The fieldset's view: checkboxes for qualifications and awards, the support year, the cover scope. */
export function subsidyFactsView(asked: SubsidyFactsAsked, values: FormValues, lang: Lang) {
  const quals = listed(values, 'enterprise.qualifications');
  const awards = listed(values, 'enterprise.awards');
  const any = asked.qualifications.length > 0 || asked.awards.length > 0 || asked.supportYear || asked.coverScope;
  return {
    any,
    qualifications: asked.qualifications.map((q, i) => ({ value: q, id: `f-qual-${i}`, label: nameOf('qual', q, lang), checked: quals.includes(q) })),
    awards: asked.awards.map((a, i) => ({ value: a, id: `f-award-${i}`, label: nameOf('award', a, lang), checked: awards.includes(a) })),
    supportYear: asked.supportYear ? { value: values['enterprise.supportYear'] ?? '1' } : undefined,
    coverScope: asked.coverScope
      ? { options: (['domestic', 'overseas'] as const).map((v) => ({ value: v, label: translate(`coverScope_${v}`, lang), selected: values['enterprise.coverScope'] === v })) }
      : undefined,
  };
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string' && /^[\w.-]{1,60}$/.test(v));

/** Reads the posted subsidy facts; `values` keeps them to redisplay the form. Undefined when none were given. */
export function parseEnterpriseFacts(body: Record<string, unknown>, values: FormValues): EnterpriseFacts | undefined {
  const facts: EnterpriseFacts = {};
  const qualifications = strings(body['enterprise.qualifications']).slice(0, 20);
  const awards = strings(body['enterprise.awards']).slice(0, 20);
  if (qualifications.length) {
    facts.qualifications = qualifications;
    values['enterprise.qualifications'] = qualifications.join(',');
  }
  if (awards.length) {
    facts.awards = awards;
    values['enterprise.awards'] = awards.join(',');
  }
  const year = typeof body['enterprise.supportYear'] === 'string' ? Number(body['enterprise.supportYear']) : NaN;
  if (Number.isInteger(year) && year >= 1 && year <= 10) {
    facts.supportYear = year;
    values['enterprise.supportYear'] = String(year);
  }
  const scope = body['enterprise.coverScope'];
  if (scope === 'domestic' || scope === 'overseas') {
    facts.coverScope = scope;
    values['enterprise.coverScope'] = scope;
  }
  return Object.keys(facts).length ? facts : undefined;
}
