// The periods insurers report their tech-insurance business for (#27; Shaanxi's plan: 每年6月及12月
// 结束后10个工作日内报送半年/年度报告): a half year `2026H1` (1 January – 30 June), `2026H2`
// (1 July – 31 December) or a year `2026` (both halves). Pure: no clock; dates are China dates.

/** A half year: `<YYYY>H1` or `<YYYY>H2`. */
export type HalfYear = `${number}H${1 | 2}`;

export interface ReportPeriod {
  /** As asked: `2026H1`, `2026H2` or `2026`. */
  code: string;
  /** First and last China date of the period (inclusive). */
  from: string;
  to: string;
  /** The half years it is made of, in order (one or two). */
  halves: HalfYear[];
}

export const REPORT_PERIOD_PATTERN = '^[0-9]{4}(H[12])?$';

/** The half year a China date (YYYY-MM-DD) falls in. */
export function halfYearOf(date: string): HalfYear {
  return `${Number(date.slice(0, 4))}H${date.slice(5, 7) <= '06' ? 1 : 2}` as HalfYear;
}

/** The period a code names, or undefined when it is not `<YYYY>`, `<YYYY>H1` or `<YYYY>H2`. */
export function reportPeriod(code: string): ReportPeriod | undefined {
  if (!new RegExp(REPORT_PERIOD_PATTERN).test(code)) return undefined;
  const year = code.slice(0, 4);
  const first = `${year}H1` as HalfYear;
  const second = `${year}H2` as HalfYear;
  if (code.endsWith('H1')) return { code, from: `${year}-01-01`, to: `${year}-06-30`, halves: [first] };
  if (code.endsWith('H2')) return { code, from: `${year}-07-01`, to: `${year}-12-31`, halves: [second] };
  return { code, from: `${year}-01-01`, to: `${year}-12-31`, halves: [first, second] };
}
