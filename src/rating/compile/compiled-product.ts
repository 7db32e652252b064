// The immutable model compileProduct builds and evaluateQuote runs: slots into the quote state,
// indexed rows and closures, so evaluation never re-reads the definition's JSON.
import type { ErrorDetail } from '../errors.ts';
import type { ProductDefinition } from '../product-schema.ts';
import type { CompiledField, QuoteState } from '../input-form.ts';
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
  noMatch: { action: 'refer' | 'decline'; row: CoefficientRow; reason: LocalText; authority: string | undefined } | undefined;
  changeableBy: ReadonlySet<QuotingRole>;
  inputs: InputRef[];
}

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
  readonly minimumPremiumFen: number;
  readonly maximumRate: { slot: number; rate: ScaledDecimal; text: string } | undefined;
  readonly roundingUnitFen: number;
  readonly vatRate: ScaledDecimal;
  readonly vatRateText: string;
  readonly coInsurance: readonly { insurer: string; role: 'lead' | 'follower'; sharePercent: string; share: ScaledDecimal }[] | undefined;
  readonly subsidyBasis: { sumInsuredSlot: number; contractSlot: number } | undefined;
}
