// How documents print amounts, numbers and localised text. Pure.
import { Decimal } from 'decimal.js';
import type { LocalText } from '../rating/index.ts';
import type { DocumentLang } from './document-view.ts';

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

/** A label with `{name}` placeholders filled in; unknown placeholders stay as written. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}

/** The text in the document's language ('' when there is none). */
export const pick = (text: LocalText | undefined, lang: DocumentLang): string => (text ? (lang === 'en' ? text.en : text.zh) : '');

/** First letter upper-cased, for label keys such as `status${cap1(status)}`. */
export const cap1 = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
