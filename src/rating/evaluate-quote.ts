// Rating one quote against a compiled product. Pure: the clock (asOf), the period, the picks and
// the subsidy programmes all arrive as arguments. The hot path works on precompiled slots and
// rows, multiplies coefficients as doubles and proves every rounding exact (see money.ts).
import type { CompiledBandsStep, CompiledProduct, CompiledSection, CompiledStep, InputRef } from './compile/compiled-product.ts';
import type { ErrorDetail } from './errors.ts';
import { RatingInputError } from './errors.ts';
import type { NormalizedItem, QuoteState } from './input-form.ts';
import type { CoefficientRow, PickedValue } from './bands.ts';
import { findAltBand, findBand, outsideRegion, resolvePick } from './bands.ts';
import { pickableSteps } from './pickable-steps.ts';
import { formatFen, formatScaled, roundProduct, splitVat } from './money.ts';
import type { PeriodLength } from './period.ts';
import { formatDay, measurePeriod, parseDay } from './period.ts';
import type { DecisionReason, ExcludedItem, QuoteContext, QuotePicks, QuotingRole, RatingResult, SectionPremium, SubsidySummary, WorksheetLine } from './rating-result.ts';
import { computeSubsidies } from './subsidies.ts';
import { excludeIneligibleItems, type Eligibility } from './item-eligibility.ts';
import { splitCoInsurance } from './co-insurance.ts';

/** One priced unit: a whole section, or one item of a per-item section. */
interface PricedUnit {
  section: number;
  item: number;
  baseFen: number;
  nums: number[];
  exps: number[];
  /** baseFen × Π own factors, in doubles. */
  approx: number;
  premiumFen: number;
}

const NO_PICKS: QuotePicks = Object.freeze({});

function showInputs(refs: readonly InputRef[], state: QuoteState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const ref of refs) {
    if (ref.show === 'raw') out[ref.key] = state.raw[ref.slot];
    else if (ref.show === 'fen') {
      const v = state.num[ref.slot] as number;
      out[ref.key] = v === v ? formatFen(v) : undefined;
    } else if (ref.show === 'num') {
      const v = state.num[ref.slot] as number;
      out[ref.key] = v === v ? v : undefined;
    } else out[ref.key] = state.str[ref.slot];
  }
  return out;
}

function buildUnits(product: CompiledProduct, state: QuoteState): PricedUnit[] {
  const units: PricedUnit[] = [];
  const sections = product.sections;
  for (let s = 0; s < sections.length; s++) {
    const sec = sections[s] as CompiledSection;
    const f = sec.factor;
    const fv = f.num / 10 ** f.exp;
    if (sec.shareOf >= 0) {
      // A dependent section mirrors the units of the section it is a share of.
      const n = units.length;
      for (let u = 0; u < n; u++) {
        const src = units[u] as PricedUnit;
        if (src.section !== sec.shareOf) continue;
        units.push({ section: s, item: src.item, baseFen: src.baseFen, nums: [...src.nums, f.num], exps: [...src.exps, f.exp], approx: src.approx * fv, premiumFen: 0 });
      }
      continue;
    }
    if (sec.listSlot >= 0) {
      const items = state.lists[sec.listSlot] as NormalizedItem[] | undefined;
      if (!items) continue;
      const shared = sec.baseItemPos < 0 ? (state.num[sec.baseSlot] as number) : NaN;
      for (let i = 0; i < items.length; i++) {
        const base = sec.baseItemPos < 0 ? shared : ((items[i] as NormalizedItem).num[sec.baseItemPos] as number);
        if (!(base > 0)) continue;
        units.push({ section: s, item: (items[i] as NormalizedItem).index, baseFen: base, nums: [f.num], exps: [f.exp], approx: base * fv, premiumFen: 0 });
      }
      continue;
    }
    const base = state.num[sec.baseSlot] as number;
    if (!(base > 0)) continue;
    units.push({ section: s, item: -1, baseFen: base, nums: [f.num], exps: [f.exp], approx: base * fv, premiumFen: 0 });
  }
  return units;
}

/** Premium of every unit at the current coefficient product; returns their sum. */
function priceUnits(units: PricedUnit[], prod: number, nums: number[], exps: number[], count: number, unitFen: number): number {
  let total = 0;
  for (let u = 0; u < units.length; u++) {
    const unit = units[u] as PricedUnit;
    const p = roundProduct(unit.approx * prod, unit.baseFen, unit.nums, unit.exps, nums, exps, count, unitFen);
    unit.premiumFen = p;
    total += p;
  }
  return total;
}

/** Row of a step for this quote, or undefined (no match); may record a referral. */
function matchRow(step: CompiledStep, state: QuoteState, reasons: DecisionReason[], errors: ErrorDetail[]): CoefficientRow | 'declined' | undefined {
  if (step.kind === 'fixed' || step.kind === 'range') return step.row;
  if (step.kind === 'categories') {
    if (!step.fromItems) {
      const v = state.str[step.slot];
      const i = v === undefined ? undefined : step.rowByValue.get(v);
      if (i === undefined) {
        errors.push({ path: `/inputs/${step.inputs[0]?.key ?? step.key}`, message: `is needed by step ${step.key}` });
        return undefined;
      }
      return step.rows[i];
    }
    // Several items: the row with the highest coefficient governs.
    const items = state.lists[step.slot];
    let best: CoefficientRow | undefined;
    if (items) for (const item of items) {
      const v = item.str[step.itemPos];
      const i = v === undefined ? undefined : step.rowByValue.get(v);
      if (i === undefined) continue;
      const row = step.rows[i] as CoefficientRow;
      if (!best || rowRank(row) > rowRank(best) || (rowRank(row) === rowRank(best) && rowFloor(row) > rowFloor(best))) best = row;
    }
    if (!best) errors.push({ path: `/inputs/${step.inputs[0]?.key ?? step.key}`, message: `needs at least one item for step ${step.key}` });
    return best;
  }
  return matchBandRow(step as CompiledBandsStep, state, reasons, errors);
}

function rowRank(row: CoefficientRow): number {
  return row.fixed ? row.value : row.max;
}

function rowFloor(row: CoefficientRow): number {
  return row.fixed ? row.value : row.min;
}

/** A value as the table writes it: 万元 or 元 for money, up to six decimals. */
function shownValue(x: number, scale: number): string {
  return String(Number((x / scale).toFixed(6)));
}

/**
 * A value in no filed band: refused (an input error naming the field, the value and the filed
 * bands) or declined by the table's named rule. Either way no coefficient is used.
 */
function outsideBands(step: CompiledBandsStep, alt: boolean, x: number, state: QuoteState, reasons: DecisionReason[], errors: ErrorDetail[]): 'declined' | undefined {
  const ratio = alt ? step.altRatio : step.ratio;
  const region = ratio ? outsideRegion(step.rows, x, state.num[ratio.numSlot] as number, state.num[ratio.denSlot] as number, true, alt) : outsideRegion(step.rows, x, x, 1, false, alt);
  const outcome = step.outside[region];
  if (outcome.action === 'refuse') {
    errors.push({ path: `/inputs/${alt ? step.altField : step.field}`, message: `${shownValue(x, alt ? step.altScale : step.scale)} falls in no filed band of ${step.key} (filed: ${alt ? step.altBandsText : step.bandsText})` });
    return undefined;
  }
  reasons.push({ rule: outcome.rule, action: 'decline', reason: outcome.reason });
  return 'declined';
}

/** Index of the band of a read value, -1 when it is outside every band, NaN when not read. */
function bandOf(step: CompiledBandsStep, alt: boolean, x: number, state: QuoteState): number {
  if (x !== x) return NaN;
  const ratio = alt ? step.altRatio : step.ratio;
  const find = alt ? findAltBand : findBand;
  return ratio ? find(step.rows, x, state.num[ratio.numSlot] as number, state.num[ratio.denSlot] as number, true) : find(step.rows, x, x, 1, false);
}

function matchBandRow(step: CompiledBandsStep, state: QuoteState, reasons: DecisionReason[], errors: ErrorDetail[]): CoefficientRow | 'declined' | undefined {
  const x = state.num[step.slot] as number;
  const y = step.altSlot >= 0 ? (state.num[step.altSlot] as number) : NaN;
  const index = bandOf(step, false, x, state);
  const altIndex = bandOf(step, true, y, state);
  if (index !== index && altIndex !== altIndex) {
    errors.push({ path: `/inputs/${step.inputs[0]?.key ?? step.key}`, message: `is needed by step ${step.key}` });
    return undefined;
  }
  // Each value given must fall in a filed band; then the higher deductible (the later row) governs.
  let outcome: 'declined' | undefined;
  let refused = false;
  for (const [alt, i, v] of [[false, index, x], [true, altIndex, y]] as const) {
    if (i !== -1) continue;
    const before = errors.length;
    outcome = outsideBands(step, alt, v, state, reasons, errors) ?? outcome;
    refused ||= errors.length > before;
  }
  if (refused) return undefined;
  if (outcome) return outcome;
  return step.rows[Math.max(index === index ? index : -1, altIndex === altIndex ? altIndex : -1)];
}

/** Mutable state of one evaluation, passed to applyStep and its neighbours (module functions, not per-call closures). */
interface StepRun {
  state: QuoteState;
  chosen: QuotePicks;
  reasons: DecisionReason[];
  errors: ErrorDetail[];
  units: PricedUnit[];
  nums: number[];
  exps: number[];
  count: number;
  prod: number;
  unitFen: number;
  worksheet: WorksheetLine[];
  /** True once a step declined a value outside its filed bands: nothing is priced, no minimum premium. */
  unpriced: boolean;
}

/**
 * A step whose value is outside the filed bands and declined: there is no filed coefficient, so
 * nothing is priced (the premium is 0 from here on) and the worksheet says which rule declined.
 */
function declineStep(run: StepRun, step: CompiledStep, kind: WorksheetLine['kind']): void {
  const reason = run.reasons[run.reasons.length - 1] as DecisionReason;
  run.unpriced = true;
  run.nums[run.count] = 0;
  run.exps[run.count] = 0;
  run.count++;
  run.prod = 0;
  const total = priceUnits(run.units, run.prod, run.nums, run.exps, run.count, run.unitFen);
  run.worksheet.push({
    step: step.key, kind, label: step.label, inputs: showInputs(step.inputs, run.state),
    matched: { row: reason.rule, label: reason.reason }, filedRange: undefined, value: '0', picked: false, runningPremiumFen: total,
  });
}

/** Applies one coefficient step: matches the row, checks the pick, prices, writes the worksheet. */
function applyStep(run: StepRun, step: CompiledStep, kind: WorksheetLine['kind']): void {
  const row = matchRow(step, run.state, run.reasons, run.errors);
  if (!row) return;
  if (row === 'declined') {
    declineStep(run, step, kind);
    return;
  }
  const pick = run.chosen[step.key];
  let value: PickedValue = row;
  let picked = false;
  if (pick !== undefined) {
    const resolved = resolvePick(row, pick);
    if (typeof resolved === 'string') {
      run.errors.push({ path: `/picks/${step.key}`, message: `table ${step.key}: ${resolved}` });
      return;
    }
    value = resolved;
    picked = true;
  }
  run.nums[run.count] = value.num;
  run.exps[run.count] = value.exp;
  run.count++;
  run.prod *= value.value;
  const total = priceUnits(run.units, run.prod, run.nums, run.exps, run.count, run.unitFen);
  run.worksheet.push({
    step: step.key, kind, label: step.label, inputs: showInputs(step.inputs, run.state),
    matched: step.kind === 'bands' || step.kind === 'categories' ? row.matched : undefined,
    filedRange: row.filedRange, value: value.text, picked, runningPremiumFen: total,
  });
}

// Quote dates repeat (every quote of a day shares one asOf); parsing and formatting them is the
// costliest part of a small quote, so the last few are remembered.
const dayCache = new Map<string, number>();
const validUntilCache = new Map<number, string>();

function dayOf(text: string): number {
  let day = dayCache.get(text);
  if (day === undefined) {
    day = parseDay(text);
    if (dayCache.size > 64) dayCache.clear();
    dayCache.set(text, day);
  }
  return day;
}

function dayText(day: number): string {
  let text = validUntilCache.get(day);
  if (text === undefined) {
    text = formatDay(day);
    if (validUntilCache.size > 64) validUntilCache.clear();
    validUntilCache.set(day, text);
  }
  return text;
}

/** The pick keys a role may send, for errors that name a wrong one. */
function pickableKeysText(product: CompiledProduct, role: QuotingRole): string {
  const keys = pickableSteps(product, role).map((s) => s.key);
  return keys.length > 0 ? `the ${role} may pick ${keys.join(', ')}` : `the ${role} may pick no step`;
}

/** Records picks of unknown steps or of steps the role may not change, naming the keys the role may pick. */
function checkPicks(product: CompiledProduct, chosen: QuotePicks, role: QuotingRole, errors: ErrorDetail[]): void {
  for (const key in chosen) {
    const step = product.stepsByKey.get(key);
    if (!step) errors.push({ path: `/picks/${key}`, message: `is not a step of this product; ${pickableKeysText(product, role)}` });
    else if (!step.changeableBy.has(role)) errors.push({ path: `/picks/${key}`, message: `${role} may not change ${key}; ${pickableKeysText(product, role)}` });
  }
}

/** The measured period of cover, or undefined after recording why it cannot be rated. */
function checkPeriod(product: CompiledProduct, requested: QuoteContext['period'], errors: ErrorDetail[]): Readonly<PeriodLength> | undefined {
  const period = measurePeriod(requested);
  if (typeof period === 'string') {
    errors.push({ path: '/context/period', message: period });
    return undefined;
  }
  if (product.period.kind === 'shortPeriodScale' && period.months > 12) errors.push({ path: '/context/period', message: 'is longer than the 12 months of the short-period scale' });
  return period;
}

/** Fills the period slots, then the derived quantities in their compiled order. */
function computeQuantities(product: CompiledProduct, state: QuoteState, period: Readonly<PeriodLength>): void {
  state.num[product.periodMonthsSlot] = period.months;
  state.num[product.periodDaysSlot] = period.days ?? NaN;
  const quantities = product.quantities;
  for (let i = 0; i < quantities.length; i++) (quantities[i] as (s: QuoteState) => void)(state);
}

/** Base lines: section by section, the running premium is the sum of the sections so far. */
function writeBaseLines(run: StepRun, product: CompiledProduct): void {
  const { state, units } = run;
  let running = 0;
  for (let s = 0; s < product.sections.length; s++) {
    const sec = product.sections[s] as CompiledSection;
    let sectionTotal = 0;
    for (const unit of units) if (unit.section === s) sectionTotal += roundProduct(unit.approx, unit.baseFen, unit.nums, unit.exps, run.nums, run.exps, 0, run.unitFen);
    running += sectionTotal;
    const shown: Record<string, unknown> = {};
    if (sec.shareOf >= 0) shown.section = product.sections[sec.shareOf]?.key;
    else if (sec.baseKey) {
      const v = sec.baseItemPos >= 0 ? undefined : state.num[sec.baseSlot];
      shown[sec.baseKey] = v === undefined || v !== v ? undefined : formatFen(v);
      if (sec.listSlot >= 0) shown.items = state.lists[sec.listSlot]?.length ?? 0;
    }
    run.worksheet.push({ step: sec.key, kind: 'base', label: sec.label, inputs: shown, matched: undefined, filedRange: undefined, value: sec.factorText + '%', picked: false, runningPremiumFen: running });
  }
}

/** Period of cover: the short-period scale (or per-day rate), or a coefficient table. */
function applyPeriod(run: StepRun, p: CompiledProduct['period'], period: Readonly<PeriodLength>): void {
  if (p.kind === 'periodCoefficient') {
    applyStep(run, p.table, 'period');
    return;
  }
  let percent = p.percentByMonth[period.months] ?? { num: 1, exp: 0 };
  let inputsShown: Record<string, unknown> = { periodMonths: period.months };
  if (p.perDay && period.underOneMonth && period.days !== undefined) {
    const perDay = { num: p.perDay.percent.num * period.days, exp: p.perDay.percent.exp };
    const v = perDay.num / 10 ** perDay.exp;
    percent = v < p.perDay.max.num / 10 ** p.perDay.max.exp ? perDay : p.perDay.max;
    inputsShown = { periodDays: period.days };
  }
  run.nums[run.count] = percent.num;
  run.exps[run.count] = percent.exp;
  run.count++;
  run.prod *= percent.num / 10 ** percent.exp;
  const total = priceUnits(run.units, run.prod, run.nums, run.exps, run.count, run.unitFen);
  run.worksheet.push({ step: 'period', kind: 'period', label: p.label, inputs: inputsShown, matched: undefined, filedRange: undefined, value: formatScaled(percent.num, percent.exp - 2) + '%', picked: false, runningPremiumFen: total });
}

/** Section premiums are the rounded unit premiums (per item where the section has items). */
function sectionPremiums(product: CompiledProduct, units: readonly PricedUnit[]): SectionPremium[] {
  return product.sections.map((sec, s) => {
    let premiumFen = 0;
    let items: { index: number; premiumFen: number }[] | undefined;
    for (const unit of units) {
      if (unit.section !== s) continue;
      premiumFen += unit.premiumFen;
      if (unit.item >= 0) (items ??= []).push({ index: unit.item, premiumFen: unit.premiumFen });
    }
    return { key: sec.key, label: sec.label, premiumFen, items: sec.listSlot >= 0 || (sec.shareOf >= 0 && product.sections[sec.shareOf]?.listSlot !== -1) ? items ?? [] : undefined };
  });
}

/** The policy premium: the sum of the sections, capped by the maximum rate and raised to the minimum premium. */
function applyPremiumLimits(run: StepRun, product: CompiledProduct, sections: SectionPremium[]): number {
  let gross = 0;
  for (const s of sections) gross += s.premiumFen;
  if (product.maximumRate) {
    const m = product.maximumRate;
    const basis = run.state.num[m.slot] as number;
    const cap = roundProduct((basis * m.rate.num) / 10 ** m.rate.exp, basis, [m.rate.num], [m.rate.exp], run.nums, run.exps, 0, run.unitFen);
    if (basis === basis && gross > cap) {
      adjustLargestSection(sections, cap - gross);
      gross = cap;
      run.worksheet.push({ step: 'maximum-rate', kind: 'maximum', label: { zh: '最高费率', en: 'Maximum rate' }, inputs: {}, matched: undefined, filedRange: undefined, value: m.text + '%', picked: false, runningPremiumFen: gross });
    }
  }
  if (gross < product.minimumPremiumFen && !run.unpriced) {
    adjustLargestSection(sections, product.minimumPremiumFen - gross);
    gross = product.minimumPremiumFen;
    run.worksheet.push({ step: 'minimum-premium', kind: 'minimum', label: { zh: '最低保费', en: 'Minimum premium' }, inputs: {}, matched: undefined, filedRange: undefined, value: formatFen(gross), picked: false, runningPremiumFen: gross });
  }
  return gross;
}

/** Applies the underwriting rules; any decline declines, else any referral refers. */
function decide(product: CompiledProduct, state: QuoteState, reasons: DecisionReason[]): RatingResult['decision'] {
  for (const rule of product.rules) {
    if (rule.test(state)) reasons.push({ rule: rule.key, action: rule.action, reason: rule.reason, ...(rule.authority === undefined ? {} : { authority: rule.authority }) });
  }
  let outcome: RatingResult['decision']['outcome'] = 'quoted';
  const authorities: string[] = [];
  for (const r of reasons) {
    if (r.action === 'decline') outcome = 'declined';
    else if (outcome === 'quoted') outcome = 'referred';
    if (r.action === 'refer' && r.authority !== undefined && !authorities.includes(r.authority)) authorities.push(r.authority);
  }
  return { outcome, reasons, authorities };
}

function estimateSubsidies(product: CompiledProduct, state: QuoteState, gross: number, context: QuoteContext): SubsidySummary {
  const basis = product.subsidyBasis;
  return computeSubsidies({
    line: product.line,
    grossPremiumFen: gross,
    sumInsuredFen: basis ? (state.num[basis.sumInsuredSlot] as number) : NaN,
    contractFen: basis && basis.contractSlot >= 0 ? (state.num[basis.contractSlot] as number) : NaN,
    programmes: context.programmes ?? [],
    enterprise: context.enterprise ?? {},
  });
}

/** Worksheet lines for the excluded items, before anything is priced; each names the item by its number (1-based). */
function writeExcludedLines(run: StepRun, product: CompiledProduct, excluded: readonly ExcludedItem[]): void {
  for (const e of excluded) {
    const label = product.fields.find((f) => f.key === e.list)?.label ?? { zh: e.list, en: e.list };
    run.worksheet.push({ step: e.rule, kind: 'excluded', label, inputs: { [e.list]: e.index + 1 }, matched: { row: e.rule, label: e.reason }, filedRange: undefined, value: '0', picked: false, runningPremiumFen: 0 });
  }
}

/**
 * Runs the plan: excluded items, base lines, every step, the period. With no eligible item left
 * nothing is priced: the quote is declined by the item rules.
 */
function runPlan(product: CompiledProduct, state: QuoteState, chosen: QuotePicks, reasons: DecisionReason[], eligibility: Eligibility, period: Readonly<PeriodLength>): StepRun {
  const nothingEligible = eligibility.declines.length > 0;
  reasons.push(...eligibility.declines);
  const run: StepRun = { state, chosen, reasons, errors: [], units: nothingEligible ? [] : buildUnits(product, state), nums: [], exps: [], count: 0, prod: 1, unitFen: product.roundingUnitFen, worksheet: [], unpriced: nothingEligible };
  writeExcludedLines(run, product, eligibility.excluded);
  writeBaseLines(run, product);
  if (nothingEligible) return run;
  const steps = product.steps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as CompiledStep;
    applyStep(run, step, step.kind);
  }
  applyPeriod(run, product.period, period);
  if (run.errors.length > 0) throw new RatingInputError(run.errors);
  return run;
}

/**
 * Rates a quote: validates inputs and picks, runs the plan, applies underwriting rules, splits
 * VAT, estimates subsidies and the co-insurance split, and explains every step in a worksheet.
 * Throws RatingInputError (with field-level details) for invalid inputs, picks or context.
 */
export function evaluateQuote(product: CompiledProduct, inputs: unknown, picks: QuotePicks | undefined, context: QuoteContext): RatingResult {
  const errors: ErrorDetail[] = [];
  const state = product.validateInputs(inputs, errors);
  const chosen = picks ?? NO_PICKS;
  checkPicks(product, chosen, context.role ?? 'underwriter', errors);
  const asOfDay = dayOf(context.asOf);
  if (Number.isNaN(asOfDay)) errors.push({ path: '/context/asOf', message: 'must be a date YYYY-MM-DD' });
  const period = checkPeriod(product, context.period, errors);
  if (errors.length > 0 || period === undefined) throw new RatingInputError(errors);
  const eligibility = excludeIneligibleItems(product, state, errors);
  if (errors.length > 0) throw new RatingInputError(errors);
  computeQuantities(product, state, period);

  const reasons: DecisionReason[] = [];
  if (context.asOf < product.effectiveFrom || (product.effectiveTo !== undefined && context.asOf > product.effectiveTo)) {
    reasons.push({ rule: 'effective-dates', action: 'decline', reason: { zh: '报价日不在费率有效期内', en: 'The tariff is not in force on the quote date' } });
  }
  const run = runPlan(product, state, chosen, reasons, eligibility, period);
  const sections = sectionPremiums(product, run.units);
  const gross = applyPremiumLimits(run, product, sections);
  const decision = decide(product, state, reasons);
  const { netFen, vatFen } = splitVat(gross, product.vatRate);
  const subsidies = estimateSubsidies(product, state, gross, context);
  return {
    productCode: product.code,
    productVersion: product.version,
    insurer: product.insurer,
    line: product.line,
    asOf: context.asOf,
    validUntil: dayText(asOfDay + product.validityDays),
    period: { months: period.months, days: period.days },
    decision,
    sections,
    grossPremiumFen: gross,
    vatRatePercent: product.vatRateText,
    netPremiumFen: netFen,
    vatFen,
    subsidies,
    enterprisePaysFen: gross,
    expectedNetCostFen: gross - subsidies.totalFen,
    coInsurance: product.coInsurance ? splitCoInsurance(product.coInsurance, gross, netFen) : undefined,
    excludedItems: eligibility.excluded,
    worksheet: run.worksheet,
  };
}

function adjustLargestSection(sections: SectionPremium[], deltaFen: number): void {
  let largest: SectionPremium | undefined;
  for (const s of sections) if (!largest || s.premiumFen > largest.premiumFen) largest = s;
  if (largest) largest.premiumFen += deltaFen;
}

/**
 * Every subsidy layer of a policy's inputs on another premium — a cancellation's premium kept
 * (src/rating/cancellation.ts): the sum insured and contract amount the caps read come from the
 * inputs, the programmes and the enterprise's facts (annual caps as counted) from the context.
 */
export function subsidiesOnPremium(product: CompiledProduct, inputs: unknown, context: QuoteContext, grossFen: number): SubsidySummary {
  const errors: ErrorDetail[] = [];
  const state = product.validateInputs(inputs, errors);
  const period = checkPeriod(product, context.period, errors);
  if (errors.length > 0 || period === undefined) throw new RatingInputError(errors);
  excludeIneligibleItems(product, state, errors);
  computeQuantities(product, state, period);
  return estimateSubsidies(product, state, grossFen, context);
}
