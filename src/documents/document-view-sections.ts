// The sections of a document view, each built from the source in the document's language with
// its labels `t`. Pure; buildDocumentView (document-view.ts) puts them together.
import { Decimal } from 'decimal.js';
import { coverageLimitsFen, splitByShares } from '../rating/index.ts';
import type { LocalText, ProductDefinition, RatingResult, SubsidyCap } from '../rating/index.ts';
import { nameIn } from '../i18n/pick.ts';
import { evidenceLines } from '../i18n/qualification-evidence.ts';
import { cap1, fill, formatDecimal, yuanDigits, moneyInputToFen, pick } from './document-format.ts';
import type { DocumentLabels, DocumentLang, DocumentSource, DocumentView, OrganisationFacts } from './document-view.ts';

type FormField = ProductDefinition['form']['fields'][number];
type Coverage = ProductDefinition['coverages'][number];
/** The product's form fields by key. */
export type FieldsByKey = Map<string, FormField>;
type FieldLike = { type: string; unit?: string; options?: readonly { value: string | number | boolean; label: LocalText }[] };

export function fieldsByKeyOf(def: ProductDefinition): FieldsByKey {
  return new Map((def.form.fields as readonly FormField[]).map((f) => [f.key, f]));
}

/** A form value as printed: enum labels, yes/no, amounts with their unit. */
function fieldValue(field: FieldLike, value: unknown, lang: DocumentLang, t: DocumentLabels): string {
  if (value === undefined || value === null) return '';
  switch (field.type) {
    case 'enum': {
      const option = field.options?.find((o) => o.value === value);
      return option ? pick(option.label, lang) : String(value);
    }
    case 'boolean':
      return value ? t.yes! : t.no!;
    case 'money':
      return field.unit === '万元' ? `${formatDecimal(value as string)} ${t.unitTenThousand}` : `${formatDecimal(value as string)} ${t.unitYuan}`;
    case 'percent':
      return `${formatDecimal(value as string)}%`;
    case 'integer':
    case 'decimal': {
      const unit = field.unit === 'months' ? t.unitMonths : field.unit === 'days' ? t.unitDays : field.unit === 'years' ? t.unitYears : '';
      return unit ? `${formatDecimal(value as string)} ${unit}` : formatDecimal(value as string);
    }
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** An organisation's name in the document's language; in English the Chinese legal name goes alongside. */
export function orgName(org: OrganisationFacts | undefined, fallback: string, lang: DocumentLang): { name: string; alt: string | undefined } {
  if (!org) return { name: fallback, alt: undefined };
  const name = nameIn(org, lang);
  return { name, alt: name === org.name ? undefined : org.name };
}

/** Policy number, quote number and issue date; or quote number, quote date and validity. */
export function numbersOf(source: DocumentSource, t: DocumentLabels): DocumentView['numbers'] {
  if (source.kind === 'policy') {
    return [
      { label: t.policyNumber!, value: source.policyNumber! },
      { label: t.quoteNumber!, value: source.quoteNumber },
      { label: t.issuedAt!, value: source.issuedOn ?? '' },
    ];
  }
  return [
    { label: t.quoteNumber!, value: source.quoteNumber },
    { label: t.quoteDate!, value: source.quoteDate },
    { label: t.validUntil!, value: source.validUntil },
  ];
}

/** The optional form field naming the beneficiary (e.g. the equipment's buyer/user); printed as a party, not a particular. */
const BENEFICIARY_FIELD = 'beneficiaryName';

/** The product says who is policyholder/insured/beneficiary; the enterprise is the buyer; the broker last. */
export function partiesOf(source: DocumentSource, lang: DocumentLang, t: DocumentLabels): DocumentView['parties'] {
  const enterprise = orgName(source.enterprise ? { ...source.enterprise, name: source.enterpriseName } : undefined, source.enterpriseName, lang);
  const parties: DocumentView['parties'] = [];
  for (const party of source.definition.parties) {
    const role = t[party.role] ?? party.role;
    if (party.role === 'policyholder' || party.role === 'insured') {
      parties.push({ role, name: enterprise.name, nameAlt: enterprise.alt, uscc: source.enterprise?.unifiedSocialCreditCode });
    } else if (party.role === 'beneficiary' && typeof source.inputs[BENEFICIARY_FIELD] === 'string' && source.inputs[BENEFICIARY_FIELD].trim()) {
      parties.push({ role, name: source.inputs[BENEFICIARY_FIELD].trim(), nameAlt: pick(party.label, lang), uscc: undefined });
    } else {
      parties.push({ role, name: pick(party.label, lang), nameAlt: undefined, uscc: undefined });
    }
  }
  if (source.broker) {
    const broker = orgName(source.broker, '', lang);
    parties.push({ role: t.broker!, name: broker.name, nameAlt: broker.alt, uscc: undefined });
  }
  return parties;
}

/** Rating particulars: scalar fields in one list, two to a row; list fields as small tables. */
export function particularsOf(source: DocumentSource, lang: DocumentLang, t: DocumentLabels): Pick<DocumentView, 'particulars' | 'lists'> {
  const particulars: { label: string; value: string }[] = [];
  const lists: DocumentView['lists'] = [];
  for (const field of source.definition.form.fields as readonly FormField[]) {
    const value = source.inputs[field.key];
    if (value === undefined || value === null || field.key === BENEFICIARY_FIELD) continue;
    if (field.type === 'list') {
      const itemFields = (field as { itemFields?: readonly FormField[] }).itemFields ?? [];
      const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
      const excluded = excludedOf(source, field.key);
      lists.push({
        label: pick(field.label, lang),
        columns: [...itemFields.map((f) => pick(f.label, lang)), ...(excluded ? [t.itemCover!] : [])],
        rows: rows.map((row, i) => [
          ...itemFields.map((f) => fieldValue(f as never, row?.[f.key], lang, t)),
          ...(excluded ? [coverText(excluded.get(i), lang, t)] : []),
        ]),
      });
    } else {
      particulars.push({ label: pick(field.label, lang), value: fieldValue(field as never, value, lang, t) });
    }
  }
  return { particulars: pairs(particulars), lists };
}

/** The items of a list an item rule excluded, by index; undefined when the result excluded none of that list. */
function excludedOf(source: DocumentSource, list: string): Map<number, LocalText> | undefined {
  const excluded = ((source.result as RatingResult | undefined)?.excludedItems ?? []).filter((e) => e.list === list);
  return excluded.length > 0 ? new Map(excluded.map((e) => [e.index, e.reason])) : undefined;
}

/** "Insured", or "Not insured: <reason>" for an excluded item. */
function coverText(reason: LocalText | undefined, lang: DocumentLang, t: DocumentLabels): string {
  return reason ? `${t.itemExcluded!}${t.termColon}${pick(reason, lang)}` : t.itemInsured!;
}

function pairs<T>(items: T[]): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += 2) rows.push(items.slice(i, i + 2));
  return rows;
}

type MoneyField = (key: string | undefined) => number | undefined;

/** Each coverage with its limits (entered, fixed, or a percentage of another limit) and deductible. */
export function coverOf(source: DocumentSource, fieldsByKey: FieldsByKey, lang: DocumentLang, t: DocumentLabels): DocumentView['cover'] {
  const moneyField: MoneyField = (key) => (key ? moneyInputToFen(source.inputs[key], fieldsByKey.get(key)?.unit) : undefined);
  return source.definition.coverages.map((coverage) => ({
    name: pick(coverage.name, lang),
    description: pick(coverage.description, lang),
    limits: limitsOf(coverage, moneyField, lang),
    deductible: deductibleOf(coverage.deductible, source.inputs, moneyField, t),
  }));
}

function limitsOf(coverage: Coverage, moneyField: MoneyField, lang: DocumentLang): { label: string; amount: string }[] {
  const byKind = new Map<string, number>();
  const limits: { label: string; amount: string }[] = [];
  for (const limit of coverage.limits ?? []) {
    let fen: number | undefined;
    if (limit.field) fen = moneyField(limit.field);
    else if (limit.amountFen !== undefined) fen = limit.amountFen;
    else if (limit.percentOf) {
      const base = byKind.get(limit.percentOf.limit);
      if (base !== undefined) fen = new Decimal(base).times(limit.percentOf.percent).div(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
    }
    if (fen !== undefined && limit.kind !== 'subLimit' && !byKind.has(limit.kind)) byKind.set(limit.kind, fen);
    limits.push({ label: pick(limit.label, lang), amount: fen === undefined ? '' : yuanDigits(fen) });
  }
  return limits;
}

function deductibleOf(d: Coverage['deductible'], inputs: Record<string, unknown>, moneyField: MoneyField, t: DocumentLabels): string | undefined {
  if (!d) return undefined;
  const amountFen = d.amountFen ?? moneyField(d.amountField);
  const rate = d.ratePercent ?? (d.rateField ? (inputs[d.rateField] as string | number | undefined) : undefined);
  const amount = amountFen !== undefined && amountFen > 0 ? yuanDigits(amountFen) : undefined;
  const rateText = rate !== undefined && Number(rate) > 0 ? `${formatDecimal(rate)}%` : undefined;
  if (amount && rateText) return fill(t.deductibleBoth!, { amount, rate: rateText });
  if (amount) return fill(t.deductibleAmount!, { amount });
  if (rateText) return fill(t.deductibleRate!, { rate: rateText });
  return undefined;
}

export function premiumOf(result: RatingResult, lang: DocumentLang, t: DocumentLabels): DocumentView['premium'] {
  return {
    sections: result.sections.map((s) => ({ label: pick(s.label, lang), amount: yuanDigits(s.premiumFen) })),
    showSections: result.sections.length > 1,
    gross: yuanDigits(result.grossPremiumFen),
    net: yuanDigits(result.netPremiumFen),
    vatLabel: fill(t.vat!, { rate: `${result.vatRatePercent}%` }),
    vat: yuanDigits(result.vatFen),
  };
}

export function subsidyOf(result: RatingResult, lang: DocumentLang, t: DocumentLabels): DocumentView['subsidy'] {
  const layers = result.subsidies.layers.map((layer) => ({
    name: pick(layer.name, lang),
    level: t[`level${cap1(layer.level)}`] ?? layer.level,
    share: `${layer.sharePercent}%`,
    caps: layer.caps.map((c) => capText(c, t)).join('; '),
    capBit: layer.capBit,
    amount: yuanDigits(layer.amountFen),
    evidence: evidenceLines(layer, lang).join('; '),
  }));
  return { layers, total: yuanDigits(result.subsidies.totalFen), any: layers.length > 0 };
}

function capText(cap: SubsidyCap, t: DocumentLabels): string {
  const name = t[`cap${cap1(cap.kind)}`] ?? cap.kind;
  return `${name} ${yuanDigits(cap.limitFen)}`;
}

/** Each insurer's share of a co-insured policy; undefined when there is no pool. */
export function coInsuranceOf(source: DocumentSource, lang: DocumentLang, t: DocumentLabels): DocumentView['coInsurance'] {
  // Each member's share of liability: every distinct aggregate limit × its share, split to the fen.
  const aggregates = [...new Set(coverageLimitsFen(source.definition, source.inputs).filter((l) => l.kind === 'aggregate').map((l) => l.amountFen))];
  const liabilityParts = aggregates.map((amountFen) => splitByShares(source.result.coInsurance ?? [], amountFen));
  const shares = source.result.coInsurance?.map((share, i) => ({
    insurer: orgName(source.insurers[share.insurer], share.insurer, lang).name,
    role: share.role === 'lead' ? t.lead! : t.follower!,
    share: `${share.sharePercent}%`,
    gross: yuanDigits(share.grossPremiumFen),
    net: yuanDigits(share.netPremiumFen),
    vat: yuanDigits(share.vatFen),
    liability: liabilityParts.map((parts) => yuanDigits(parts[i]!)).join(' / '),
  }));
  return shares && shares.length > 0 ? shares : undefined;
}

/** The engine's worksheet, one line per step, each input by its label with its value and unit, and the running premium. */
export function worksheetOf(result: RatingResult, def: ProductDefinition, fieldsByKey: FieldsByKey, lang: DocumentLang, t: DocumentLabels): DocumentView['worksheet'] {
  const steps = new Map(def.plan.steps.map((s) => [s.key, s as { key: string; quantity?: string; unit?: string; altQuantity?: string; altUnit?: string }]));
  const quantities = new Map((def.plan.quantities ?? []).map((q) => [q.key, q.label]));
  return result.worksheet.map((line) => {
    const step = steps.get(line.step);
    const unitOf = (key: string): string | undefined =>
      line.kind === 'base' ? (fieldsByKey.get(key)?.type === 'money' || (!fieldsByKey.has(key) && key !== 'items' && key !== 'section') ? '元' : fieldsByKey.get(key)?.unit)
        : key === step?.quantity ? step.unit : key === step?.altQuantity ? step.altUnit : BUILT_IN_UNITS[key] ?? fieldsByKey.get(key)?.unit;
    return {
      label: pick(line.label, lang),
      inputs: Object.entries(line.inputs)
        .map(([key, value]) => `${inputLabel(key, fieldsByKey, quantities, lang, t)}${t.termColon}${worksheetValue(fieldsByKey.get(key), value, unitOf(key), lang, t)}`)
        .join(t.listSeparator!),
      matched: line.matched ? pick(line.matched.label, lang) || line.matched.row : '',
      range: rangeText(line.filedRange),
      value: line.value,
      picked: line.picked,
      running: yuanDigits(line.runningPremiumFen),
    };
  });
}

const BUILT_IN_UNITS: Record<string, string> = { periodMonths: 'months', periodDays: 'days' };

function inputLabel(key: string, fieldsByKey: FieldsByKey, quantities: Map<string, LocalText>, lang: DocumentLang, t: DocumentLabels): string {
  const field = fieldsByKey.get(key);
  if (field) return pick(field.label, lang);
  const quantity = quantities.get(key);
  if (quantity) return pick(quantity, lang);
  return t[`quantity${cap1(key)}`] ?? key;
}

/** A worksheet input as the engine counted it, in the unit the step reads it in. */
function worksheetValue(field: FormField | undefined, value: unknown, unit: string | undefined, lang: DocumentLang, t: DocumentLabels): string {
  if (field && (field.type === 'enum' || field.type === 'boolean')) return fieldValue(field as never, value, lang, t);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? String(value.length) : JSON.stringify(value);
  const shown = formatDecimal(String(value));
  switch (unit) {
    case '元': return `${shown} ${t.unitYuan}`;
    case '万元': return `${shown} ${t.unitTenThousand}`;
    case '%': return `${shown}%`;
    case 'months': return `${shown} ${t.unitMonths}`;
    case 'days': return `${shown} ${t.unitDays}`;
    case 'years': return `${shown} ${t.unitYears}`;
    default: return shown;
  }
}

function rangeText(r: { min: string; max: string; minExclusive: boolean; maxExclusive: boolean } | undefined): string {
  if (!r) return '';
  return r.min === r.max ? r.min : `${r.minExclusive ? '(' : '['}${r.min}, ${r.max}${r.maxExclusive ? ')' : ']'}`;
}
