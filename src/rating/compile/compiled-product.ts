// The immutable model compileProduct builds and evaluateQuote runs: slots into the quote state,
// indexed rows and closures, so evaluation never re-reads the definition's JSON.
import type { ErrorDetail } from '../errors.ts';
import type { ProductDefinition } from '../product-schema.ts';
import type { CompiledField, NormalizedItem, QuoteState } from '../input-form.ts';
import type { ItemFallback } from './context.ts';
import type { ScaledDecimal } from '../money.ts';
import type { BandRow, CoefficientRow } from '../bands.ts';
import type { LocalText, QuotingRole } from '../rating-result.ts';

/** What the worksheet shows of an input a step read. */
export interface InputRef {
  key: string;
  slot: number;
  /** raw: the field as entered; num: a derived number; fen: a derived amount shown in 元; str: text. */
  show: 'raw' | 'num' | 'fen' | 'str';
}

export interface CompiledBandsStep {
  kind: 'bands';
  key: string;
  label: LocalText;
  slot: number;
  ratio: { numSlot: number; denSlot: number } | undefined;
  altSlot: number;
  altRatio: { numSlot: number; denSlot: number } | undefined;
  rows: BandRow[];
  /** What a value outside every band gets, by where it falls; never a coefficient. */
  outside: { below: OutsideOutcome; between: OutsideOutcome; above: OutsideOutcome };
  /** The filed bands as a filing writes them ("=1, [2,3), ≥10"), for refusals; alt: of the alt bands. */
  bandsText: string;
  altBandsText: string;
  /** The form field a refusal points at (for a derived quantity, the last field it reads), and the alt one. */
  field: string;
  altField: string;
  /** Canonical units per table unit (fen per 万元 or 元, else 1), to show a refused value as the table writes it. */
  scale: number;
  altScale: number;
  changeableBy: ReadonlySet<QuotingRole>;
  inputs: InputRef[];
}

/** A refusal (invalid input) or a decline by a named rule: what a value outside the filed bands gets. */
export type OutsideOutcome = { action: 'refuse' } | { action: 'decline'; rule: string; reason: LocalText };

export interface CompiledCategoriesStep {
  kind: 'categories';
  key: string;
  label: LocalText;
  slot: number;
  itemPos: number;
  fromItems: boolean;
  rowByValue: ReadonlyMap<string, number>;
  rows: CoefficientRow[];
  changeableBy: ReadonlySet<QuotingRole>;
  inputs: InputRef[];
}

export interface CompiledSimpleStep {
  kind: 'fixed' | 'range';
  key: string;
  label: LocalText;
  row: CoefficientRow;
  changeableBy: ReadonlySet<QuotingRole>;
  inputs: InputRef[];
}

export type CompiledStep = CompiledBandsStep | CompiledCategoriesStep | CompiledSimpleStep;

export interface CompiledSection {
  key: string;
  label: LocalText;
  baseSlot: number;
  baseKey: string;
  listSlot: number;
  baseItemPos: number;
  /** Rate as a fraction (percent / 100) or the share of the referenced section. */
  factor: ScaledDecimal;
  factorText: string;
  shareOf: number;
}

export type CompiledPeriod =
  | { kind: 'shortPeriodScale'; label: LocalText; percentByMonth: ScaledDecimal[]; perDay: { percent: ScaledDecimal; max: ScaledDecimal } | undefined }
  | { kind: 'periodCoefficient'; label: LocalText; table: CompiledBandsStep };

/** An item rule: excludes the items of a list it fires on. */
export interface CompiledItemRule {
  key: string;
  list: string;
  listSlot: number;
  reason: LocalText;
  test: (item: NormalizedItem, state: QuoteState) => boolean;
}

export interface CompiledRule {
  key: string;
  action: 'refer' | 'decline';
  reason: LocalText;
  authority: string | undefined;
  test: (state: QuoteState) => boolean;
}

/** A product compiled for evaluation. Treat as opaque and immutable. */
export interface CompiledProduct {
  readonly definition: ProductDefinition;
  readonly code: string;
  readonly version: string;
  readonly insurer: string;
  readonly line: string;
  readonly effectiveFrom: string;
  readonly effectiveTo: string | undefined;
  readonly validityDays: number;
  readonly fields: readonly CompiledField[];
  readonly validateInputs: (inputs: unknown, errors: ErrorDetail[]) => QuoteState;
  readonly periodMonthsSlot: number;
  readonly periodDaysSlot: number;
  readonly quantities: readonly ((state: QuoteState) => void)[];
  readonly sections: readonly CompiledSection[];
  readonly steps: readonly CompiledStep[];
  readonly stepsByKey: ReadonlyMap<string, CompiledStep>;
  readonly period: CompiledPeriod;
  readonly rules: readonly CompiledRule[];
  readonly itemRules: readonly CompiledItemRule[];
  readonly itemFallbacks: readonly ItemFallback[];
  readonly minimumPremiumFen: number;
  readonly maximumRate: { slot: number; rate: ScaledDecimal; text: string } | undefined;
  readonly roundingUnitFen: number;
  readonly vatRate: ScaledDecimal;
  readonly vatRateText: string;
  readonly coInsurance: readonly { insurer: string; role: 'lead' | 'follower'; sharePercent: string; share: ScaledDecimal }[] | undefined;
  readonly subsidyBasis: { sumInsuredSlot: number; contractSlot: number } | undefined;
}
