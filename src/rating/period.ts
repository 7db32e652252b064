// Period of cover arithmetic on calendar dates, without reading the clock.
import type { QuotePeriod } from './rating-result.ts';
import { proRataFen } from './money.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a YYYY-MM-DD date, or NaN if invalid. */
export function parseDay(text: string): number {
  const m = DATE.exec(text);
  if (!m) return NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  const d = Number(m[3]);
  const t = Date.UTC(y, mo, d);
  const check = new Date(t);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo || check.getUTCDate() !== d) return NaN;
  return t / DAY_MS;
}

/** YYYY-MM-DD of a day number. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The same day n months later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay)) / DAY_MS;
}

/** Months (part months round up), days and whether the cover is shorter than one month. */
export interface PeriodLength {
  months: number;
  days: number | undefined;
  underOneMonth: boolean;
}

/**
 * Measures a period of cover. Dates: end inclusive (to 24:00 of the end date); months count
 * calendar months from the start, part months rounding up. Days alone: a month is 365/12 days.
 */
export function measurePeriod(period: QuotePeriod | undefined): Readonly<PeriodLength> | string {
  if (period === undefined) return { months: 12, days: undefined, underOneMonth: false };
  if ('months' in period) {
    if (!Number.isInteger(period.months) || period.months < 1) return 'months must be a whole number of at least 1';
    return { months: period.months, days: undefined, underOneMonth: false };
  }
  if ('days' in period) {
    if (!Number.isInteger(period.days) || period.days < 1) return 'days must be a whole number of at least 1';
    return { months: Math.ceil((period.days * 12) / 365), days: period.days, underOneMonth: period.days * 12 < 365 };
  }
  // A book re-rated for impact analysis repeats a handful of periods thousands of times, and the
  // calendar arithmetic below was ~15% of a rating: the answer depends only on the two dates.
  const key = `${period.start}|${period.end}`;
  let measured = measuredByDates.get(key);
  if (measured === undefined) {
    measured = measureDates(period.start, period.end);
    if (measuredByDates.size >= 4096) measuredByDates.clear();
    measuredByDates.set(key, measured);
  }
  return measured;
}

const measuredByDates = new Map<string, Readonly<PeriodLength> | string>();

function measureDates(startText: string, endText: string): Readonly<PeriodLength> | string {
  const start = parseDay(startText);
  const end = parseDay(endText);
  if (Number.isNaN(start) || Number.isNaN(end)) return 'start and end must be dates YYYY-MM-DD';
  if (end < start) return 'end is before start';
  let months = 1;
  while (addMonths(start, months) <= end) months++;
  const days = end - start + 1;
  return Object.freeze({ months, days, underOneMonth: addMonths(start, 1) - 1 > end });
}

/**
 * The premium earned by `day` pro rata by day (按日比例): cover ends at 00:00 of `day`, so the days
 * elapsed are day − start (none before the start, the whole period after the end), over the days
 * of the period, half-up to the fen. The one by-day reading of a cancellation by the insurer and
 * of a renewal's earned premium.
 */
export function earnedByDay(premiumFen: number, period: { start: string; end: string }, day: string): { earnedFen: number; daysElapsed: number; periodDays: number } {
  const start = parseDay(period.start);
  const periodDays = parseDay(period.end) - start + 1;
  const daysElapsed = Math.min(periodDays, Math.max(0, parseDay(day) - start));
  return { earnedFen: proRataFen(premiumFen, daysElapsed, periodDays), daysElapsed, periodDays };
}
