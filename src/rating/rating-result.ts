// The stable shapes that leave the rating core: the quote context going in and RatingResult
// coming out. Money is always integer fen; decimals are strings so nothing is lost in JSON.
import type { SubsidyProgramme } from './subsidy-schema.ts';

/** A text in Simplified Chinese and English. */
export interface LocalText {
  zh: string;
  en: string;
}

/** Who is quoting; decides which filed ranges may be picked in. */
export type QuotingRole = 'underwriter' | 'broker' | 'customer';

/** Period of cover: dates (end inclusive, i.e. to 24:00 of the end date), months or days. */
export type QuotePeriod = { start: string; end: string } | { months: number } | { days: number };

/** The enterprise facts subsidy programmes read. */
export interface EnterpriseContext {
  /** GB/T 2260 code of the enterprise's registered region, e.g. "330106". */
  regionCode?: string;
  /** Qualification codes, e.g. "first-domestic", "high-value-patent". */
  qualifications?: string[];
  /** Policy year of continuous support (1 = first year). */
  supportYear?: number;
  /** Subsidy already received this year, per programme. */
  receivedThisYear?: { programme: string; amountFen: number }[];
  /** Awards already received that some programmes cannot be combined with. */
  awards?: string[];
  /** Territorial scope of the cover, for programmes whose caps differ by it. */
  coverScope?: 'domestic' | 'overseas';
  /**
   * Qualifications read from a department's list instead of the declared value (#27): for each
   * kind of list covering the enterprise's region, the codes it decides and those it holds on the
   * start date. `qualifications` above already reflects them; this says where they came from.
   */
  qualificationLists?: QualificationListCheck[];
}

/** One qualification list a quote read (src/subsidies/qualification-lists.ts resolves it). */
export interface QualificationListCheck {
  /** high-tech, first-set-catalogue or specialised. */
  kind: string;
  /** The qualification codes this list decides (e.g. first-international, first-domestic, first-provincial). */
  decides: string[];
  /** Of those, the codes held on the start date. */
  held: string[];
  listId: string;
  /** Upload date of the version read (YYYY-MM-DD, China time). */
  listDate: string;
}

/** How a layer's qualifications were established: the lists read, and the codes taken as declared. */
export interface QualificationEvidence {
  /** Lists read for the qualifications the programme needs; held: whether the enterprise holds one it reads on the start date. */
  verification?: { kind: string; listId: string; listDate: string; held: boolean }[];
  /** Qualification codes the programme reads that no list covers: shown as declared, not verified. */
  declared?: string[];
}

/** Everything a quote needs besides the product, inputs and picks. */
export interface QuoteContext {
  /** Quote date (YYYY-MM-DD): the tariff must be in force that day; validity counts from it. */
  asOf: string;
  /** Period of cover; default 12 months. */
  period?: QuotePeriod;
  /** Who picks inside filed ranges; default underwriter. */
  role?: QuotingRole;
  enterprise?: EnterpriseContext;
  /** Subsidy programmes that may apply (the catalogue chooses them by line and region). */
  programmes?: readonly SubsidyProgramme[];
}

/** Picks inside filed ranges, by step key (decimal strings or numbers). */
export type QuotePicks = Readonly<Record<string, string | number>>;

/** A reason for referring or declining. */
export interface DecisionReason {
  rule: string;
  action: 'refer' | 'decline';
  reason: LocalText;
  authority?: string;
}

/** The underwriting outcome. */
export interface QuoteDecision {
  outcome: 'quoted' | 'referred' | 'declined';
  reasons: DecisionReason[];
  /** Authorities that must approve a referred quote. */
  authorities: string[];
}

/** A filed coefficient range as shown in the worksheet. */
export interface FiledRange {
  min: string;
  max: string;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** One line of the rating worksheet. */
export interface WorksheetLine {
  step: string;
  kind: 'base' | 'bands' | 'categories' | 'fixed' | 'range' | 'period' | 'maximum' | 'minimum' | 'excluded';
  label: LocalText;
  /** The inputs or quantities the step read, as entered or computed. */
  inputs: Record<string, unknown>;
  /** The band or category row matched, if any. */
  matched: { row: string; label: LocalText | undefined } | undefined;
  filedRange: FiledRange | undefined;
  /** Coefficient (or rate/percent for base and period steps) applied, as a decimal string. */
  value: string;
  /** True when the value came from a pick rather than the default. */
  picked: boolean;
  /** Premium so far: sum of the section premiums if rating stopped after this step, in fen. */
  runningPremiumFen: number;
}

/** Premium of one section, and of each item for per-item sections. */
export interface SectionPremium {
  key: string;
  label: LocalText;
  premiumFen: number;
  items: { index: number; premiumFen: number }[] | undefined;
}

/** A cap a subsidy layer met, and whether it bit. */
export interface SubsidyCap {
  kind: 'rate' | 'limit' | 'perPolicy' | 'annual' | 'stacking' | 'premium';
  limitFen: number;
  bit: boolean;
}

/** One subsidy layer (central, provincial, city...). */
export interface SubsidyLayer {
  programme: string;
  name: LocalText;
  level: 'central' | 'provincial' | 'city' | 'county';
  variant: string | undefined;
  sharePercent: string;
  /** Premium counted after the rate and limit caps. */
  countedPremiumFen: number;
  /** share × counted premium, before the money caps. */
  uncappedFen: number;
  amountFen: number;
  caps: SubsidyCap[];
  capBit: boolean;
  verification?: QualificationEvidence['verification'];
  declared?: string[];
}

/** Why a programme does not apply (the pages translate the kind; `detail` carries its figures). */
export type IneligibleKind = 'line' | 'region' | 'supportYear' | 'qualifications' | 'anyQualification' | 'excluded' | 'minimumPremium' | 'noSumInsured';

/** A programme that does not apply, and why. */
export interface IneligibleProgramme {
  programme: string;
  name?: LocalText;
  /** The reason in English (kept for stored results and logs). */
  reason: string;
  kind?: IneligibleKind;
  detail?: string[];
  verification?: QualificationEvidence['verification'];
  declared?: string[];
}

/** The expected subsidies (applied for after paying the full premium). */
export interface SubsidySummary {
  layers: SubsidyLayer[];
  ineligible: IneligibleProgramme[];
  totalFen: number;
}

/** One member's part of a co-insured policy. */
export interface CoInsuranceShare {
  insurer: string;
  role: 'lead' | 'follower';
  sharePercent: string;
  grossPremiumFen: number;
  netPremiumFen: number;
  vatFen: number;
}

/** An item of a list that an item rule excluded: not priced, listed with its reason. */
export interface ExcludedItem {
  /** The list field. */
  list: string;
  /** Position of the item in the list as sent. */
  index: number;
  rule: string;
  reason: LocalText;
}

/** The complete, explained result of rating one quote. */
export interface RatingResult {
  productCode: string;
  productVersion: string;
  insurer: string;
  line: string;
  asOf: string;
  validUntil: string;
  period: { months: number; days: number | undefined };
  decision: QuoteDecision;
  sections: SectionPremium[];
  /** Premium VAT included (价税合计), what the enterprise is invoiced. */
  grossPremiumFen: number;
  vatRatePercent: string;
  netPremiumFen: number;
  vatFen: number;
  subsidies: SubsidySummary;
  /** Paid up front: the full gross premium (subsidies are reclaimed later). */
  enterprisePaysFen: number;
  /** Gross premium less the expected subsidies. */
  expectedNetCostFen: number;
  coInsurance: CoInsuranceShare[] | undefined;
  /** Items excluded by item rules (absent in results stored before per-item eligibility). */
  excludedItems?: ExcludedItem[];
  worksheet: WorksheetLine[];
}
