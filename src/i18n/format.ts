// Shared formatting for pages and documents: money in yuan with its unit, times in Beijing time,
// texts in the reader's language, and validation messages (ajv's and the engine's) translated.
import { chinaDateTime } from '../rating/calendar.ts';
import type { LocalText } from '../rating/rating-result.ts';
import { nameOf, translate, type Lang } from './messages.ts';
import { joinClauses, pick } from './pick.ts';

/** A text in both languages (product definitions, programmes, rule reasons): the engine's type. */
export type { LocalText };

const thousands = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Integer fen as yuan digits with two decimals and thousands separators: 16635679 → "166,356.79" (documents print the unit in the column heading). */
export function yuanDigits(fen: number): string {
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${thousands(String(Math.floor(abs / 100)))}.${String(abs % 100).padStart(2, '0')}`;
}

/** Integer fen as 元 with the ¥ sign: 16635679 → ¥166,356.79. */
export function formatYuan(fen: number): string {
  return fen < 0 ? `-¥${yuanDigits(-fen)}` : `¥${yuanDigits(fen)}`;
}

/** A decimal (string or number) with thousands separators in its whole part, digits kept as given: "12000.5" → "12,000.5". */
export function formatDecimal(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value;
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  return m ? `${m[1]}${thousands(m[2]!)}${m[3] ?? ''}` : text;
}

/** A stored instant (ISO text or Date) as Beijing wall-clock time, "2026-11-30 15:30 北京时间". */
export function formatChinaTime(at: string | Date, lang: Lang): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  return `${chinaDateTime(date)} ${translate('beijingTime', lang)}`;
}

/** Filed choices or bands as the engine writes them ("0%, 5% or above 20%", "… (万元)"), in the reader's language. */
function filedText(text: string, lang: Lang): string {
  const withUnit = text.replace(/ \((万元|元|%|count|months|days|years)\)$/, (_, unit: string) => pick({ zh: `（${nameOf('unit', unit, lang)}）`, en: ` (${nameOf('unit', unit, lang)})` }, lang));
  return pick({ zh: withUnit.replace(/, /g, '、').replace(/ or above (\S+)$/, '或高于$1'), en: withUnit }, lang);
}

const number = (text: string) => (text === 'Infinity' || text === '-Infinity' ? undefined : text);

/** Message patterns of ajv and the rating engine, and their catalogue keys. */
const PATTERNS: { re: RegExp; to: (m: RegExpExecArray, lang: Lang, stepName: (key: string) => string) => string }[] = [
  { re: /^(?:is required|must have required property '?[^']*'?)$/, to: (_, l) => translate('v_required', l) },
  {
    re: /^must be between (\S+) and (\S+)$/,
    to: (m, l) => {
      const min = number(m[1]!);
      const max = number(m[2]!);
      if (min !== undefined && max !== undefined) return translate('v_between', l, { min: formatDecimal(min), max: formatDecimal(max) });
      if (min !== undefined) return translate('v_atLeast', l, { min: formatDecimal(min) });
      return max !== undefined ? translate('v_atMost', l, { max: formatDecimal(max) }) : translate('v_number', l);
    },
  },
  { re: /^must be >= (\S+)$/, to: (m, l) => translate('v_atLeast', l, { min: m[1]! }) },
  { re: /^must be > (\S+)$/, to: (m, l) => translate('v_atLeast', l, { min: m[1]! }) },
  { re: /^must be <= (\S+)$/, to: (m, l) => translate('v_atMost', l, { max: m[1]! }) },
  {
    re: /^must be an amount in (\S+?)(?: with at most (\d+) decimals)?$/,
    to: (m, l) => {
      const amount = translate('v_amount', l, { unit: nameOf('unit', m[1]!, l) });
      return m[2] ? `${amount}${pick({ zh: '，', en: ', ' }, l)}${translate('v_decimals', l, { n: m[2] })}` : amount;
    },
  },
  { re: /^must be a decimal number with at most (\d+) decimals$/, to: (m, l) => translate('v_decimals', l, { n: m[1]! }) },
  { re: /^must be a number$/, to: (_, l) => translate('v_number', l) },
  { re: /^must be (?:a whole number|integer)$/, to: (_, l) => translate('v_whole', l) },
  { re: /^must be one of the filed choices (.*)$/, to: (m, l) => translate('v_filedChoices', l, { choices: filedText(m[1]!, l) }) },
  { re: /^(\S+) falls in no filed band of (\S+) \(filed: (.*)\)$/, to: (m, l, step) => translate('v_outsideBands', l, { value: m[1]!, step: step(m[2]!), bands: filedText(m[3]!, l) }) },
  { re: /^is needed because another item of (\S+) is excluded$/, to: (m, l, step) => translate('v_ownAmount', l, { list: step(m[1]!) }) },
  { re: /^must be (?:one of .*|equal to one of the allowed values|true or false)$/, to: (_, l) => translate('v_oneOf', l) },
  { re: /^must (?:be a date.*|match format "date")$/, to: (_, l) => translate('v_date', l) },
  { re: /^must be on or after (\d{4}-\d{2}-\d{2}) \(no backdating\)$/, to: (m, l) => translate('v_noBackdating', l, { date: m[1]! }) },
  { re: /^must be on or before (\d{4}-\d{2}-\d{2}).*$/, to: (m, l) => translate('v_tooLate', l, { date: m[1]! }) },
  { re: /^is needed by step (\S+)$/, to: (m, l, step) => translate('v_neededForStep', l, { step: step(m[1]!) }) },
  { re: /^needs at least one item for step (\S+)$/, to: (m, l, step) => translate('v_needsItem', l, { step: step(m[1]!) }) },
  { re: /^falls in no band of (\S+)$/, to: (m, l, step) => translate('v_noBand', l, { step: step(m[1]!) }) },
  { re: /^must have (\d+) to (\d+) items$/, to: (m, l) => translate('v_items', l, { min: m[1]!, max: m[2]! }) },
  { re: /^must be a list$/, to: (_, l) => translate('v_list', l) },
  { re: /^must be the id of an enterprise.*$|^must be an enterprise$/, to: (_, l) => translate('v_enterprise', l) },
  { re: /^\S+ may not change \S+$/, to: (_, l) => translate('v_mayNotChange', l) },
];

/**
 * A validation message (ajv's or the engine's, in English) in the reader's language, with no
 * "Infinity" bound. `stepName` names a rating step by its label. Unknown messages: in English as
 * they are; in Chinese a generic "填写有误" rather than English words.
 */
export function translateValidation(message: string, lang: Lang, stepName: (key: string) => string = (k) => k): string {
  const parts = message.split('; ').map((part) => {
    for (const { re, to } of PATTERNS) {
      const m = re.exec(part.trim());
      if (m) return to(m, lang, stepName);
    }
    return pick({ zh: translate('v_invalid', lang), en: part.replace(/ and Infinity$/, '') }, lang);
  });
  return joinClauses([...new Set(parts)], lang);
}
