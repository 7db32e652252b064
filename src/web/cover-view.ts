// What a quote or policy page says besides the premium: the state as it stands now (who decided
// and when, in Beijing time), the cover (parties, period, limits, deductibles, insured items) and,
// for a referral, the figures each underwriting rule read beside the rule's reason.
import { formatChinaTime, formatDecimal } from '../i18n/format.ts';
import { nameIn, pick, type LocalText } from '../i18n/pick.ts';
import { translate, type Lang } from '../i18n/messages.ts';
import type { ProductDefinition, RatingResult } from '../rating/index.ts';
import type { QuoteView } from '../quotes/quote-service.ts';
import type { Services } from '../service.ts';
import { describeValue } from './result-view.ts';
import type { ProductField } from './web-forms.ts';

/** The definition's parts the pages read (typed loosely: products are data). */
interface CoverDefinition {
  parties?: { role: string; label: LocalText }[];
  coverages?: { code: string; name: LocalText; limits?: { label: LocalText; field?: string; percentOf?: unknown }[]; deductible?: { amountField?: string; rateField?: string } }[];
  form: { fields: ProductField[] };
  underwriting?: { key: string; all?: Condition[]; any?: Condition[] }[];
  plan?: { quantities?: { key: string; op: string; of?: string[]; label?: LocalText; list?: string; itemField?: string; fallback?: string }[] };
}
interface Condition { quantity: string; op: string; value: string }

/** Everything a quote or policy page names: the pinned definition, insurers, the deciding organisation. */
export interface PageNames {
  definition: CoverDefinition;
  fields: readonly ProductField[];
  productName: LocalText;
  insurers: ReadonlyMap<string, string>;
  insurerName: string;
  brokerName: string;
  /** The insured enterprise in the reader's language (its English name on English pages, when it has one). */
  enterpriseName: string;
}

/** What the names below read: organisations and pinned versions. */
export type NameServices = Pick<Services, 'auth' | 'catalogue'>;

const organisationName = (services: NameServices, id: string, lang: Lang) => services.auth.getOrganisation(null, id).then((o) => nameIn(o, lang), () => '');

/** Insurers' names by code in the reader's language (the catalogue's cached read of the insurer organisations). */
export async function insurerNames(services: NameServices, lang: Lang): Promise<Map<string, string>> {
  const registered = await services.catalogue.insurerNames();
  return new Map([...registered].map(([code, names]) => [code, nameIn(names, lang)]));
}

/** Enterprises' names by id in the reader's language (English names on English pages, where known), for lists. */
export async function enterpriseNamesIn(services: NameServices, ids: readonly string[], lang: Lang): Promise<Map<string, string>> {
  if (lang !== 'en') return new Map();
  const found = await services.auth.findEnterprisesByIds([...new Set(ids)]);
  return new Map(found.map((e) => [e.id, nameIn(e, lang)]));
}

/** Loads the names a page of this quote (or its policy) shows instead of codes, in the reader's language. */
export async function loadPageNames(services: NameServices, quote: Pick<QuoteView, 'productCode' | 'productVersion' | 'insurerOrganisationId' | 'brokerOrganisationId' | 'enterpriseId'>, lang: Lang): Promise<PageNames> {
  const [version, insurers, insurerName, brokerName, enterpriseName] = await Promise.all([
    services.catalogue.findPinnedVersion(quote.productCode, quote.productVersion), insurerNames(services, lang), organisationName(services, quote.insurerOrganisationId, lang), organisationName(services, quote.brokerOrganisationId, lang),
    lang === 'en' ? organisationName(services, quote.enterpriseId, lang) : Promise.resolve(''),
  ]);
  const definition = version.definition as unknown as CoverDefinition;
  return { definition, fields: definition.form.fields, productName: (version.definition as ProductDefinition).name, insurers, insurerName, brokerName, enterpriseName };
}

/** The state banner: what the quote (or its policy) is now, who decided and when, the note and reasons. */
export function stateView(quote: QuoteView, names: PageNames, lang: Lang, policy?: { issuedAt: string; status?: string }) {
  // A policy is bound until it is cancelled (#26: its cancellation panel says from when).
  const status = policy ? (policy.status === 'cancelled' ? 'cancelled' : 'bound') : quote.status;
  const u = quote.underwriting;
  const decided = u ? translate('decidedBy', lang, { who: u.by || '—', org: names.insurerName || '—', at: formatChinaTime(u.at, lang) }) : '';
  const engineReasons = quote.result.decision.reasons.filter((r) => (status === 'declined' ? r.action === 'decline' : r.action === 'refer'));
  return {
    status,
    label: translate(`state_${status}`, lang),
    decided,
    issued: policy ? translate('boundBy', lang, { at: formatChinaTime(policy.issuedAt, lang) }) : '',
    approved: u?.action === 'approve',
    declined: status === 'declined',
    note: u?.action === 'approve' ? u.reason ?? '' : '',
    declineReason: u?.action === 'decline' ? u.reason ?? '' : '',
    reasons: engineReasons.map((r) => pick(r.reason, lang)),
    reasonsTitle: translate(status === 'declined' ? 'declineReasons' : 'referralReasons', lang),
    changedPicks: u?.action === 'approve' ? quote.result.worksheet.filter((w) => w.picked).map((w) => ({ label: pick(w.label, lang), value: w.value })) : [],
  };
}

function fieldRow(field: ProductField | undefined, key: string, value: unknown, lang: Lang) {
  return { label: field ? pick(field.label, lang) : key, value: describeValue(field, value, lang) };
}

/** The optional form field naming the beneficiary (as documents/document-view-sections.ts reads it). */
const BENEFICIARY_FIELD = 'beneficiaryName';

/** The cover: parties by name, period, each coverage's limits and deductibles, the other particulars and the insured items. */
export function coverView(quote: Pick<QuoteView, 'inputs' | 'enterpriseName' | 'startDate' | 'endDate'>, names: PageNames, lang: Lang) {
  const fields = new Map(names.fields.map((f) => [f.key, f]));
  const shown = new Set<string>();
  const row = (key: string) => {
    shown.add(key);
    return fieldRow(fields.get(key), key, quote.inputs[key], lang);
  };
  const coverages = (names.definition.coverages ?? []).map((c) => ({
    name: pick(c.name, lang),
    limits: (c.limits ?? []).filter((l) => l.field).map((l) => ({ label: pick(l.label, lang), value: row(l.field!).value })),
    deductibles: [c.deductible?.amountField, c.deductible?.rateField].filter((k): k is string => Boolean(k) && quote.inputs[k!] !== undefined).map(row),
  }));
  const lists = names.fields.filter((f) => f.type === 'list');
  const items = lists.map((list) => {
    shown.add(list.key);
    const itemFields = list.itemFields ?? [];
    const rows = Array.isArray(quote.inputs[list.key]) ? (quote.inputs[list.key] as Record<string, unknown>[]) : [];
    return { label: pick(list.label, lang), headers: itemFields.map((f) => pick(f.label, lang)), rows: rows.map((item) => itemFields.map((f) => describeValue(f, item[f.key], lang))) };
  });
  // The beneficiary the broker typed (as the PDF prints it), else the product's description of it.
  const beneficiary = typeof quote.inputs[BENEFICIARY_FIELD] === 'string' ? quote.inputs[BENEFICIARY_FIELD].trim() : '';
  if (beneficiary) shown.add(BENEFICIARY_FIELD);
  const particulars = names.fields.filter((f) => !shown.has(f.key) && quote.inputs[f.key] !== undefined).map((f) => fieldRow(f, f.key, quote.inputs[f.key], lang));
  const parties = (names.definition.parties ?? []).map((p) => ({
    role: translate(`party_${p.role}`, lang),
    // The enterprise is the policyholder and the insured; other parties are described by the product.
    name: p.role === 'policyholder' || p.role === 'insured' ? names.enterpriseName || quote.enterpriseName : p.role === 'beneficiary' && beneficiary ? beneficiary : pick(p.label, lang),
  }));
  return {
    parties: [...parties, { role: translate('insurer', lang), name: names.insurerName }, ...(names.brokerName ? [{ role: translate('broker', lang), name: names.brokerName }] : [])],
    period: translate('periodText', lang, { start: quote.startDate, end: quote.endDate }),
    coverages, particulars, items: items.filter((i) => i.rows.length > 0),
  };
}

/**
 * A quantity a rule read, from the inputs: a field, or an item sum over the insured items (the
 * quote-level fallback when no item gives the field), or a ratio of those. Undefined otherwise.
 */
function quantityValue(key: string, inputs: Record<string, unknown>, names: PageNames, excluded: ReadonlySet<string>): number | undefined {
  if (names.fields.some((f) => f.key === key)) return inputs[key] === undefined ? undefined : Number(inputs[key]);
  const q = names.definition.plan?.quantities?.find((x) => x.key === key);
  if (q?.op === 'itemSum' && q.list && q.itemField) {
    const items = (Array.isArray(inputs[q.list]) ? (inputs[q.list] as Record<string, unknown>[]) : []).filter((_, i) => !excluded.has(`${q.list}/${i}`));
    const given = items.map((item) => item[q.itemField!]).filter((v) => v !== undefined && v !== null && v !== '');
    if (given.length > 0) return given.reduce((sum: number, v) => sum + Number(v), 0);
    return q.fallback === undefined ? undefined : quantityValue(q.fallback, inputs, names, excluded);
  }
  if (q?.op === 'ratio') {
    const [a, b] = (q.of ?? []).map((k) => quantityValue(k, inputs, names, excluded));
    return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
  }
  return undefined;
}

function quantityFigures(key: string, inputs: Record<string, unknown>, names: PageNames, lang: Lang, excluded: ReadonlySet<string>): { label: string; value: string }[] {
  const field = names.fields.find((f) => f.key === key);
  if (field) return [fieldRow(field, key, inputs[key], lang)];
  const quantity = names.definition.plan?.quantities?.find((q) => q.key === key);
  if (!quantity) return [];
  if (quantity.op === 'itemSum') {
    const value = quantityValue(key, inputs, names, excluded);
    const unitField = names.fields.find((f) => f.key === quantity.fallback);
    return value === undefined ? [] : [{ ...fieldRow(unitField, key, formatNumber(value), lang), label: pick(quantity.label, lang) || key }];
  }
  const parts = (quantity.of ?? []).flatMap((k) => quantityFigures(k, inputs, names, lang, excluded));
  const ratio = quantity.op === 'ratio' ? quantityValue(key, inputs, names, excluded) : undefined;
  if (ratio !== undefined) parts.push({ label: pick(quantity.label, lang) || key, value: formatDecimal(ratio.toFixed(4).replace(/\.?0+$/, '')) });
  return parts;
}

/** A sum of decimals as the form would show it (no float tails). */
const formatNumber = (v: number) => String(Number(v.toFixed(6)));

/** For each rule that referred or declined the quote: its reason, the figures it read and its condition. */
export function ruleFiguresView(result: RatingResult, inputs: Record<string, unknown>, names: PageNames, lang: Lang) {
  const excluded = new Set((result.excludedItems ?? []).map((e) => `${e.list}/${e.index}`));
  return result.decision.reasons.map((reason) => {
    const rule = names.definition.underwriting?.find((r) => r.key === reason.rule);
    const conditions = [...(rule?.all ?? []), ...(rule?.any ?? [])];
    return {
      reason: pick(reason.reason, lang),
      figures: conditions.flatMap((c) => quantityFigures(c.quantity, inputs, names, lang, excluded)),
      conditions: conditions.map((c) => {
        const label = names.fields.find((f) => f.key === c.quantity)?.label ?? names.definition.plan?.quantities?.find((q) => q.key === c.quantity)?.label;
        return `${label ? pick(label, lang) : c.quantity} ${c.op} ${c.value}`;
      }),
    };
  });
}
