// The view model a quotation or policy schedule is printed from: every string already in the
// document's language and every amount already formatted, so templates only place text. Pure:
// the caller loads the quote/policy, the product version and the organisations and passes them in.
import { Decimal } from 'decimal.js';
import type { ProductDefinition } from '../rating/index.ts';
import type { LocalText, RatingResult, SubsidyCap } from '../rating/index.ts';
import { coverageLimitsFen, splitByShares } from '../rating/index.ts';

export type { Lang as DocumentLang } from '../http/common-schemas.ts';
import type { Lang as DocumentLang } from '../http/common-schemas.ts';
export type DocumentKind = 'quote' | 'policy';
export const DOCUMENT_LANGS: readonly DocumentLang[] = ['zh-CN', 'en'];

/** Labels of one language (templates/documents/labels/<lang>.json). */
export type DocumentLabels = Record<string, string>;

export interface OrganisationFacts {
  name: string;
  nameEn?: string | undefined;
  unifiedSocialCreditCode?: string | undefined;
}

/** Everything a document prints, as loaded by the documents service (or built by the bench). */
export interface DocumentSource {
  kind: DocumentKind;
  quoteNumber: string;
  policyNumber?: string;
  status: string;
  quoteDate: string;
  validUntil: string;
  /** YYYY-MM-DD, policies only. */
  issuedOn?: string;
  startDate: string;
  endDate: string;
  productVersion: string;
  definition: ProductDefinition;
  inputs: Record<string, unknown>;
  result: RatingResult;
  /** The enterprise's name as stored on the quote/policy (the legal name at the time). */
  enterpriseName: string;
  enterprise: OrganisationFacts | undefined;
  broker: OrganisationFacts | undefined;
  /** Insurers by code (the product's insurer and every pool member). */
  insurers: Record<string, OrganisationFacts>;
}

export interface DocumentView {
  lang: DocumentLang;
  htmlLang: string;
  kind: DocumentKind;
  isPolicy: boolean;
  t: DocumentLabels;
  title: string;
  /** PDF /Title and the file name stem. */
  pdfTitle: string;
  insurerName: string;
  insurerNameAlt: string | undefined;
  numbers: { label: string; value: string }[];
  statusNote: string | undefined;
  productName: string;
  productVersion: string;
  period: string;
  parties: { role: string; name: string; nameAlt: string | undefined; uscc: string | undefined }[];
  /** Rating particulars two to a row. */
  particulars: { label: string; value: string }[][];
  lists: { label: string; columns: string[]; rows: string[][] }[];
  cover: { name: string; description: string; limits: { label: string; amount: string }[]; deductible: string | undefined }[];
  premium: {
    sections: { label: string; amount: string }[];
    showSections: boolean;
    gross: string;
    net: string;
    vatLabel: string;
    vat: string;
  };
  subsidy: {
    layers: { name: string; level: string; share: string; caps: string; capBit: boolean; amount: string }[];
    total: string;
    any: boolean;
  };
  enterprisePays: string;
  netCost: string;
  /** Each member's share of premium and of liability (every distinct aggregate limit × share). */
  coInsurance: { insurer: string; role: string; share: string; gross: string; net: string; vat: string; liability: string }[] | undefined;
  worksheet: { label: string; inputs: string; matched: string; range: string; value: string; picked: boolean; running: string }[];
  clauses: { title: string; text: string }[];
  signatureDate: string;
  footerNote: string;
}

// ---- formatting ----

const THOUSANDS = /\B(?=(\d{3})+(?!\d))/g;

/** Integer fen as yuan with two decimals and thousands separators: 16635679 → "166,356.79". */
export function formatYuan(fen: number): string {
  const negative = fen < 0;
  const abs = Math.abs(fen);
  const whole = String(Math.floor(abs / 100)).replace(THOUSANDS, ',');
  return `${negative ? '-' : ''}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** A decimal (string or number) with thousands separators in its integer part, digits kept as given. */
export function formatDecimal(value: string | number): string {
  const s = typeof value === 'number' ? String(value) : value;
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(s);
  if (!m) return s;
  return `${m[1]}${m[2]!.replace(THOUSANDS, ',')}${m[3] ?? ''}`;
}

/** Amount entered in a money unit (元 or 万元) as fen, exactly. */
export function moneyInputToFen(value: unknown, unit: string | undefined): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  let d: Decimal;
  try {
    d = new Decimal(value);
  } catch {
    return undefined;
  }
  const yuan = unit === '万元' ? d.times(10_000) : d;
  return yuan.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}

const pick = (text: LocalText | undefined, lang: DocumentLang): string => (text ? (lang === 'en' ? text.en : text.zh) : '');
const cap1 = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// ---- building ----

function pairs<T>(items: T[]): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += 2) rows.push(items.slice(i, i + 2));
  return rows;
}

type FormField = ProductDefinition['form']['fields'][number];

function fieldValue(field: { type: string; unit?: string; options?: readonly { value: string | number | boolean; label: LocalText }[] }, value: unknown, lang: DocumentLang, t: DocumentLabels): string {
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

function capText(cap: SubsidyCap, t: DocumentLabels): string {
  const name = t[`cap${cap1(cap.kind)}`] ?? cap.kind;
  return `${name} ${formatYuan(cap.limitFen)}`;
}

function rangeText(r: { min: string; max: string; minExclusive: boolean; maxExclusive: boolean } | undefined): string {
  if (!r) return '';
  return r.min === r.max ? r.min : `${r.minExclusive ? '(' : '['}${r.min}, ${r.max}${r.maxExclusive ? ')' : ']'}`;
}

function orgName(org: OrganisationFacts | undefined, fallback: string, lang: DocumentLang): { name: string; alt: string | undefined } {
  if (!org) return { name: fallback, alt: undefined };
  if (lang === 'en' && org.nameEn) return { name: org.nameEn, alt: org.name };
  return { name: org.name, alt: undefined };
}

/** Builds the printable view of a quotation or policy schedule in one language. */
export function buildDocumentView(source: DocumentSource, lang: DocumentLang, t: DocumentLabels): DocumentView {
  const { definition: def, result, inputs } = source;
  const isPolicy = source.kind === 'policy';
  const leadCode = result.coInsurance?.find((s) => s.role === 'lead')?.insurer ?? result.insurer;
  const insurer = orgName(source.insurers[leadCode], leadCode, lang);
  const title = isPolicy ? t.policyTitle! : t.quoteTitle!;
  const number = isPolicy ? source.policyNumber! : source.quoteNumber;

  const numbers = isPolicy
    ? [
        { label: t.policyNumber!, value: source.policyNumber! },
        { label: t.quoteNumber!, value: source.quoteNumber },
        { label: t.issuedAt!, value: source.issuedOn ?? '' },
      ]
    : [
        { label: t.quoteNumber!, value: source.quoteNumber },
        { label: t.quoteDate!, value: source.quoteDate },
        { label: t.validUntil!, value: source.validUntil },
      ];
  const statusKey = `status${cap1(source.status)}`;
  const statusNote = !isPolicy && source.status !== 'quoted' && source.status !== 'approved' ? (t[statusKey] ?? source.status) : undefined;

  // Parties: the product says who is policyholder/insured/beneficiary; the enterprise is the buyer.
  const enterprise = orgName(source.enterprise ? { ...source.enterprise, name: source.enterpriseName } : undefined, source.enterpriseName, lang);
  const parties: DocumentView['parties'] = [];
  for (const party of def.parties) {
    const role = t[party.role] ?? party.role;
    if (party.role === 'policyholder' || party.role === 'insured') {
      parties.push({ role, name: enterprise.name, nameAlt: enterprise.alt, uscc: source.enterprise?.unifiedSocialCreditCode });
    } else {
      parties.push({ role, name: pick(party.label, lang), nameAlt: undefined, uscc: undefined });
    }
  }
  if (source.broker) {
    const broker = orgName(source.broker, '', lang);
    parties.push({ role: t.broker!, name: broker.name, nameAlt: broker.alt, uscc: undefined });
  }

  // Rating particulars: scalar fields in one list, list fields as small tables.
  const particulars: { label: string; value: string }[] = [];
  const lists: DocumentView['lists'] = [];
  for (const field of def.form.fields as readonly FormField[]) {
    const value = inputs[field.key];
    if (value === undefined || value === null) continue;
    if (field.type === 'list') {
      const itemFields = (field as { itemFields?: readonly FormField[] }).itemFields ?? [];
      const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
      lists.push({
        label: pick(field.label, lang),
        columns: itemFields.map((f) => pick(f.label, lang)),
        rows: rows.map((row) => itemFields.map((f) => fieldValue(f as never, row?.[f.key], lang, t))),
      });
    } else {
      particulars.push({ label: pick(field.label, lang), value: fieldValue(field as never, value, lang, t) });
    }
  }
  const fieldsByKey = new Map((def.form.fields as readonly FormField[]).map((f) => [f.key, f]));

  const moneyField = (key: string | undefined): number | undefined => {
    if (!key) return undefined;
    return moneyInputToFen(inputs[key], fieldsByKey.get(key)?.unit);
  };
  const cover: DocumentView['cover'] = def.coverages.map((coverage) => {
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
      limits.push({ label: pick(limit.label, lang), amount: fen === undefined ? '' : formatYuan(fen) });
    }
    const d = coverage.deductible;
    let deductible: string | undefined;
    if (d) {
      const amountFen = d.amountFen ?? moneyField(d.amountField);
      const rate = d.ratePercent ?? (d.rateField ? (inputs[d.rateField] as string | number | undefined) : undefined);
      const amount = amountFen !== undefined && amountFen > 0 ? formatYuan(amountFen) : undefined;
      const rateText = rate !== undefined && Number(rate) > 0 ? `${formatDecimal(rate)}%` : undefined;
      if (amount && rateText) deductible = fill(t.deductibleBoth!, { amount, rate: rateText });
      else if (amount) deductible = fill(t.deductibleAmount!, { amount });
      else if (rateText) deductible = fill(t.deductibleRate!, { rate: rateText });
    }
    return { name: pick(coverage.name, lang), description: pick(coverage.description, lang), limits, deductible };
  });

  const levelLabel = (level: string) => t[`level${cap1(level)}`] ?? level;
  const layers = result.subsidies.layers.map((layer) => ({
    name: pick(layer.name, lang),
    level: levelLabel(layer.level),
    share: `${layer.sharePercent}%`,
    caps: layer.caps.map((c) => capText(c, t)).join('; '),
    capBit: layer.capBit,
    amount: formatYuan(layer.amountFen),
  }));

  const aggregates = [...new Set(coverageLimitsFen(def, inputs).filter((l) => l.kind === 'aggregate').map((l) => l.amountFen))];
  const liabilityParts = aggregates.map((amountFen) => splitByShares(result.coInsurance ?? [], amountFen));
  const coInsurance = result.coInsurance?.map((share, i) => ({
    insurer: orgName(source.insurers[share.insurer], share.insurer, lang).name,
    role: share.role === 'lead' ? t.lead! : t.follower!,
    share: `${share.sharePercent}%`,
    gross: formatYuan(share.grossPremiumFen),
    net: formatYuan(share.netPremiumFen),
    vat: formatYuan(share.vatFen),
    liability: liabilityParts.map((parts) => formatYuan(parts[i]!)).join(' / '),
  }));

  const worksheet = result.worksheet.map((line) => ({
    label: pick(line.label, lang),
    inputs: Object.entries(line.inputs)
      .map(([key, value]) => {
        const field = fieldsByKey.get(key);
        if (!field) return `${key} = ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`;
        // Enum codes print as their labels; amounts stay as the engine counted them.
        const shown = field.type === 'enum' || field.type === 'boolean' ? fieldValue(field as never, value, lang, t) : typeof value === 'object' && value !== null ? JSON.stringify(value) : formatDecimal(value as string);
        return `${pick(field.label, lang)} = ${shown}`;
      })
      .join('; '),
    matched: line.matched ? pick(line.matched.label, lang) || line.matched.row : '',
    range: rangeText(line.filedRange),
    value: line.value,
    picked: line.picked,
    running: formatYuan(line.runningPremiumFen),
  }));

  return {
    lang,
    htmlLang: lang === 'en' ? 'en' : 'zh-CN',
    kind: source.kind,
    isPolicy,
    t,
    title,
    pdfTitle: `${title} ${number}`,
    insurerName: insurer.name,
    insurerNameAlt: insurer.alt,
    numbers,
    statusNote,
    productName: pick(def.name, lang),
    productVersion: source.productVersion,
    period: fill(t.periodText!, { start: source.startDate, end: source.endDate }),
    parties,
    particulars: pairs(particulars),
    lists,
    cover,
    premium: {
      sections: result.sections.map((s) => ({ label: pick(s.label, lang), amount: formatYuan(s.premiumFen) })),
      showSections: result.sections.length > 1,
      gross: formatYuan(result.grossPremiumFen),
      net: formatYuan(result.netPremiumFen),
      vatLabel: fill(t.vat!, { rate: `${result.vatRatePercent}%` }),
      vat: formatYuan(result.vatFen),
    },
    subsidy: { layers, total: formatYuan(result.subsidies.totalFen), any: layers.length > 0 },
    enterprisePays: formatYuan(result.enterprisePaysFen),
    netCost: formatYuan(result.expectedNetCostFen),
    coInsurance: coInsurance && coInsurance.length > 0 ? coInsurance : undefined,
    worksheet,
    clauses: def.clauses.map((c) => ({ title: pick(c.title, lang), text: pick(c.text, lang) })),
    signatureDate: isPolicy ? (source.issuedOn ?? '') : source.quoteDate,
    footerNote: isPolicy ? t.policyFooter! : t.quoteFooter!,
  };
}
