// Instalments (分期缴费) and premium received: the schedule a product declares, laid on a policy's
// start date and gross premium to the fen, and the payments received allocated to it oldest
// first. Pure: dates are YYYY-MM-DD strings, "today" is an argument, no clock is read.
import { addMonths, formatDay, parseDay } from './period.ts';
import { parseDecimal, percentOfFen, type ScaledDecimal } from './money.ts';

/** One instalment as a product declares it: due a number of days or months after the start date, a share of the gross premium. */
export interface InstalmentRule {
  dueOffsetDays?: number;
  dueOffsetMonths?: number;
  /** Percent of the gross premium (decimal string); the last instalment takes the remainder fen. */
  percent: string;
}

/** One instalment of a policy: its number (from 1), due date and amount to the fen. */
export interface Instalment {
  n: number;
  dueDate: string;
  percent: string;
  amountFen: number;
}

/** A payment as the allocation reads it (in the order recorded). */
export interface PaymentFact {
  reference: string;
  amountFen: number;
  receivedOn: string;
}

/** An instalment with what was received against it, oldest payments filling the earliest instalments. */
export interface AllocatedInstalment extends Instalment {
  receivedFen: number;
  outstandingFen: number;
  status: 'paid' | 'part-paid' | 'unpaid';
  /** Due before today and not fully paid. */
  overdue: boolean;
  /** The payments (or parts of them) that went to this instalment. */
  payments: { reference: string; amountFen: number }[];
}

const HUNDRED: ScaledDecimal = { num: 100, exp: 0 };

/** The due date of a rule on a start date. */
function dueDateOf(rule: InstalmentRule, startDate: string): string {
  const start = parseDay(startDate);
  if (Number.isNaN(start)) throw new RangeError(`not a calendar date: ${startDate}`);
  if (rule.dueOffsetMonths !== undefined) return formatDay(addMonths(start, rule.dueOffsetMonths));
  return formatDay(start + (rule.dueOffsetDays ?? 0));
}

/**
 * A policy's instalments: each due on its offset from the start date, its share of the gross
 * premium rounded half-up to the fen, the last taking the remainder so they add up to the gross
 * premium exactly. The rules are checked at compile (checkInstalmentRules): shares add up to 100.
 */
export function instalmentSchedule(rules: readonly InstalmentRule[], startDate: string, grossFen: number): Instalment[] {
  let allotted = 0;
  return rules.map((rule, i) => {
    const last = i === rules.length - 1;
    const amountFen = last ? grossFen - allotted : percentOfFen(grossFen, parseDecimal(rule.percent) ?? HUNDRED);
    allotted += amountFen;
    return { n: i + 1, dueDate: dueDateOf(rule, startDate), percent: rule.percent, amountFen };
  });
}

/**
 * Allocates payments to instalments oldest first: payments in order of the day received (ties in
 * the order recorded), each filling the earliest instalment not yet paid. What exceeds the last
 * instalment is not allocated (recording refuses it: received never exceeds the gross premium).
 */
export function allocatePayments(schedule: readonly Instalment[], payments: readonly PaymentFact[], today: string): AllocatedInstalment[] {
  const out: AllocatedInstalment[] = schedule.map((s) => ({ ...s, receivedFen: 0, outstandingFen: s.amountFen, status: 'unpaid', overdue: false, payments: [] }));
  const ordered = payments.map((p, i) => ({ p, i })).sort((a, b) => (a.p.receivedOn < b.p.receivedOn ? -1 : a.p.receivedOn > b.p.receivedOn ? 1 : a.i - b.i));
  let at = 0;
  for (const { p } of ordered) {
    let left = p.amountFen;
    while (left > 0 && at < out.length) {
      const inst = out[at]!;
      const part = Math.min(left, inst.outstandingFen);
      if (part > 0) {
        inst.receivedFen += part;
        inst.outstandingFen -= part;
        inst.payments.push({ reference: p.reference, amountFen: part });
        left -= part;
      }
      if (inst.outstandingFen === 0) at++;
    }
  }
  for (const inst of out) {
    inst.status = inst.outstandingFen === 0 ? 'paid' : inst.receivedFen > 0 ? 'part-paid' : 'unpaid';
    inst.overdue = inst.outstandingFen > 0 && inst.dueDate < today;
  }
  return out;
}

/** The problems of a declared schedule (JSON pointer, rule), for compileProduct to report. */
export function checkInstalmentRules(rules: readonly InstalmentRule[] | undefined): { path: string; message: string }[] {
  if (!rules) return [];
  const problems: { path: string; message: string }[] = [];
  let total = 0n;
  let previous = -1;
  rules.forEach((rule, i) => {
    const path = `/instalments/${i}`;
    const hasDays = rule.dueOffsetDays !== undefined;
    if (hasDays === (rule.dueOffsetMonths !== undefined)) problems.push({ path, message: 'needs exactly one of dueOffsetDays or dueOffsetMonths' });
    const share = parseDecimal(rule.percent);
    if (!share || share.num <= 0) problems.push({ path: `${path}/percent`, message: 'must be a share above 0' });
    else total += BigInt(share.num) * 10n ** BigInt(12 - Math.min(share.exp, 12));
    // Days and months are compared on one yardstick: days after 1970-01-01.
    const offset = hasDays ? rule.dueOffsetDays! : addMonths(0, rule.dueOffsetMonths ?? 0);
    if (offset <= previous) problems.push({ path, message: 'must fall due after the instalment before it' });
    previous = offset;
  });
  if (total !== 100n * 10n ** 12n) problems.push({ path: '/instalments', message: 'instalment shares must add up to 100' });
  return problems;
}
