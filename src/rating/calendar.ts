// Calendar rules in China (UTC+8, no daylight saving), where policies' dates are reckoned. Pure:
// every function takes the instant it is about; callers own the clock.
import { formatDay, parseDay } from './period.ts';

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The calendar date in China of an instant, YYYY-MM-DD. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** An instant as Beijing wall-clock time, `YYYY-MM-DD HH:mm`, for pages and documents. */
export function chinaDateTime(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** The calendar date n days after (or before, for negative n) a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const day = parseDay(date);
  if (Number.isNaN(day)) throw new RangeError(`not a calendar date: ${date}`);
  return formatDay(day + days);
}
