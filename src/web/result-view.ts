// The rating result as a page shows it: names instead of codes, every amount in yuan, the subsidy
// layers with caps in words that match their figures, the ineligible programmes with their reason,
// and worksheet inputs by their field labels. Nothing of an offer for a declined quote.
import { formatDecimal, formatYuan } from '../i18n/format.ts';
import { nameOf, translate, type Lang } from '../i18n/messages.ts';
import { joinClauses, joinList, pick } from '../i18n/pick.ts';
import { evidenceLines } from '../i18n/qualification-evidence.ts';
import type { IneligibleProgramme, RatingResult, SubsidyLayer, WorksheetLine } from '../rating/index.ts';
import { unitLabel, type ProductField } from './web-forms.ts';

/** What the view needs besides the result to name things. */
export interface ResultNames {
  /** The product's form fields (labels and option labels of worksheet inputs). */
  fields?: readonly ProductField[];
  /** Insurers' names by code. */
  insurers?: ReadonlyMap<string, string>;
  /** False for a declined quote: no subsidy, no validity. */
  offer?: boolean;
}

type IneligibleEntry = Omit<IneligibleProgramme, 'kind'> & { kind?: IneligibleProgramme['kind'] | 'capExhausted' };

/** Every field of a form by key, item fields included. */
function fieldsByKey(fields: readonly ProductField[] | undefined): Map<string, ProductField> {
  const map = new Map<string, ProductField>();
  for (const f of fields ?? []) {
    map.set(f.key, f);
    for (const item of f.itemFields ?? []) if (!map.has(item.key)) map.set(item.key, item);
  }
  return map;
}

/** A value as the form shows it: option labels, yes/no, numbers with separators and the field's unit. */
export function describeValue(field: ProductField | undefined, value: unknown, lang: Lang): string {
  if (value === undefined || value === null || value === '') return '—';
  if (Array.isArray(value)) return joinList(value.map((v) => describeValue(field, v, lang)), lang);
  if (typeof value === 'boolean') return translate(value ? 'yes' : 'no', lang);
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k} ${describeValue(undefined, v, lang)}`).join(', ');
  const text = String(value);
  const option = field?.options?.find((o) => o.value === text);
  if (option) return pick(option.label, lang);
  if (field && (field.type === 'money' || field.type === 'integer' || field.type === 'decimal' || field.type === 'percent') && /^-?\d+(\.\d+)?$/.test(text)) {
    const unit = unitLabel(field, lang);
    return `${formatDecimal(text)}${unit === '%' ? '%' : unit ? ` ${unit}` : ''}`;
  }
  return text;
}

/** A worksheet input: a base step reads money as the sum in yuan; a period in months or days says so. */
function describeInput(line: WorksheetLine, key: string, value: unknown, field: ProductField | undefined, lang: Lang): string {
  // A base line shows the section's money base (a field or a derived amount such as the insured units' contract), the items counted, or the section it is a share of.
  const moneyBase = field ? field.type === 'money' : key !== 'items' && key !== 'section';
  if (line.kind === 'base' && moneyBase && /^-?\d+(\.\d+)?$/.test(String(value))) return formatYuan(Math.round(Number(value) * 100));
  const period = /(Months|Days)$/.exec(key);
  if (!field && period && typeof value !== 'object') return `${String(value)} ${translate(period[1] === 'Months' ? 'unit_months' : 'unit_days', lang)}`;
  return describeValue(field, value, lang);
}

function describeInputs(line: WorksheetLine, fields: Map<string, ProductField>, lang: Lang): string {
  return joinClauses(Object.entries(line.inputs).map(([key, value]) => {
    const field = fields.get(key);
    return `${field ? pick(field.label, lang) : pick(line.label, lang)}: ${describeInput(line, key, value, field, lang)}`;
  }), lang);
}

function capText(kind: string, limitFen: number, lang: Lang): string {
  return translate(`cap_${kind}`, lang, { limit: formatYuan(limitFen) });
}

function layerView(layer: SubsidyLayer, lang: Lang) {
  const name = pick(layer.name, lang);
  const level = translate(`level_${layer.level}`, lang);
  return {
    name,
    // The central programme's name already says 中央: the level is not printed twice.
    level: name.includes(level) ? '' : level,
    sharePercent: layer.sharePercent,
    counted: formatYuan(layer.countedPremiumFen),
    uncapped: formatYuan(layer.uncappedFen),
    amount: formatYuan(layer.amountFen),
    caps: layer.caps.map((c) => ({ text: capText(c.kind, c.limitFen, lang), bit: c.bit, state: translate(c.bit ? 'capReached' : 'capNotReached', lang) })),
    capBit: layer.capBit,
    evidence: evidenceLines(layer, lang),
  };
}

/** Why a programme does not apply, in the reader's language (stored quotes without a kind get a generic line). */
function ineligibleReason(entry: IneligibleEntry, lang: Lang): string {
  const detail = entry.detail ?? [];
  const list = () => joinList(detail.map((q) => nameOf('qual', q, lang)), lang);
  switch (entry.kind) {
    case 'line': return translate('ineligible_line', lang);
    case 'region': return detail[0] ? translate('ineligible_region', lang, { region: detail[0] }) : translate('ineligible_noRegion', lang);
    case 'supportYear': return translate('ineligible_supportYear', lang, { years: detail[0] ?? '' });
    case 'qualifications': return translate('ineligible_qualifications', lang, { list: list() });
    case 'anyQualification': return translate('ineligible_anyQualification', lang, { list: list() });
    case 'excluded': return translate('ineligible_excluded', lang, { other: nameOf('award', detail[0] ?? '', lang) });
    case 'minimumPremium': return translate('ineligible_minimumPremium', lang, { amount: formatYuan(Number(detail[0] ?? 0)) });
    case 'noSumInsured': return translate('ineligible_noSumInsured', lang);
    case 'capExhausted': return capText(detail[0] ?? 'stacking', Number(detail[1] ?? 0), lang);
    default: return pick({ zh: translate('v_invalid', lang), en: entry.reason }, lang);
  }
}

function subsidyView(result: RatingResult, lang: Lang, offer: boolean) {
  if (!offer) return { subsidies: [], ineligible: [], hasSubsidies: false, hasIneligible: false };
  // A layer capped to nothing is no layer: it is listed with the programmes that do not apply.
  const paying = result.subsidies.layers.filter((l) => l.amountFen > 0);
  const exhausted: IneligibleEntry[] = result.subsidies.layers.filter((l) => l.amountFen <= 0).map((l) => {
    const cap = l.caps.find((c) => c.bit);
    return { programme: l.programme, name: l.name, reason: '', kind: 'capExhausted', detail: [cap?.kind ?? 'stacking', String(cap?.limitFen ?? 0)] };
  });
  const ineligible = [...(result.subsidies.ineligible as IneligibleEntry[]), ...exhausted]
    .filter((i) => i.kind !== 'line')
    .map((i) => ({ name: i.name ? pick(i.name, lang) : i.programme, reason: [ineligibleReason(i, lang), ...evidenceLines(i, lang)].join(pick({ zh: '；', en: '; ' }, lang)) }));
  return { subsidies: paying.map((l) => layerView(l, lang)), ineligible, hasSubsidies: paying.length > 0, hasIneligible: ineligible.length > 0 };
}

/** The rating result in the order a quote is read (domain: "What a quote shows, in order"). */
export function buildResultView(result: RatingResult, lang: Lang, names: ResultNames = {}) {
  const fields = fieldsByKey(names.fields);
  const offer = names.offer ?? result.decision.outcome !== 'declined';
  return {
    outcome: result.decision.outcome,
    outcomeLabel: translate(`outcome_${result.decision.outcome}`, lang),
    reasons: result.decision.reasons.map((r) => pick(r.reason, lang)),
    offer,
    validUntil: offer ? result.validUntil : '',
    grossPremiumFen: result.grossPremiumFen,
    gross: formatYuan(result.grossPremiumFen),
    vat: formatYuan(result.vatFen),
    vatRatePercent: result.vatRatePercent,
    net: formatYuan(result.netPremiumFen),
    sections: result.sections.map((s) => ({ label: pick(s.label, lang), premium: formatYuan(s.premiumFen) })),
    ...subsidyView(result, lang, offer),
    subsidyTotal: formatYuan(offer ? result.subsidies.totalFen : 0),
    enterprisePays: formatYuan(result.enterprisePaysFen),
    expectedNetCost: formatYuan(offer ? result.expectedNetCostFen : result.grossPremiumFen),
    pool: (result.coInsurance ?? []).map((c) => ({ insurer: names.insurers?.get(c.insurer) ?? c.insurer, role: translate(`role_${c.role}`, lang), sharePercent: c.sharePercent, gross: formatYuan(c.grossPremiumFen) })),
    worksheet: result.worksheet.map((w) => ({
      step: w.step,
      label: pick(w.label, lang),
      inputs: describeInputs(w, fields, lang),
      matched: w.matched ? pick(w.matched.label, lang) || w.matched.row : '',
      range: w.filedRange ? `${w.filedRange.minExclusive ? '(' : '['}${w.filedRange.min}, ${w.filedRange.max}${w.filedRange.maxExclusive ? ')' : ']'}` : '',
      value: w.value,
      picked: w.picked,
      running: formatYuan(w.runningPremiumFen),
    })),
  };
}
