// The view model a quotation or policy schedule is printed from: every string already in the
// document's language and every amount already formatted, so templates only place text. Pure:
// the caller loads the quote/policy, the product version and the organisations and passes them in.
import type { DecisionReason, LocalText, ProductDefinition, RatingResult } from '../rating/index.ts';
import { fill, yuanDigits, pick } from './document-format.ts';
import { coInsuranceOf, coverOf, fieldsByKeyOf, numbersOf, orgName, particularsOf, partiesOf, premiumOf, subsidyOf, worksheetOf } from './document-view-sections.ts';
import { contactOf, disputeOf, opinionOf, instalmentsOf, paymentOf, specialTermsOf, stateOf } from './document-view-terms.ts';

export { formatDecimal, yuanDigits, moneyInputToFen } from './document-format.ts';

export type { Lang as DocumentLang } from '../http/common-schemas.ts';
import type { Lang as DocumentLang } from '../http/common-schemas.ts';
export type DocumentKind = 'quote' | 'policy';
export const DOCUMENT_LANGS: readonly DocumentLang[] = ['zh-CN', 'en'];

/** Labels of one language (templates/documents/labels/<lang>.json). */
export type DocumentLabels = Record<string, string>;

export interface OrganisationFacts {
  name: string;
  nameEn?: string | undefined;
  unifiedSocialCreditCode?: string | undefined;
  address?: string | undefined;
  addressEn?: string | undefined;
  servicePhone?: string | undefined;
}

/** The underwriter's decision on a referred quote, as documents print it. */
export interface UnderwritingFacts {
  action: 'approve' | 'decline';
  /** The underwriter's user name. */
  by: string;
  at: Date;
  note: string | undefined;
  /** The reasons the quote was referred (or declined) for, from the result before the decision. */
  reasons: DecisionReason[];
  /** Worksheet steps whose coefficient the decision changed. */
  changes: { label: LocalText; from: string; to: string }[];
}

/** Everything a document prints, as loaded by the documents service (or built by the bench). */
export interface DocumentSource {
  kind: DocumentKind;
  quoteNumber: string;
  policyNumber?: string;
  status: string;
  quoteDate: string;
  validUntil: string;
  /** YYYY-MM-DD, policies only. */
  issuedOn?: string;
  /** Policies only: when it was issued and who bound it (a user of the broker). */
  issued?: { at: Date; by: string | undefined };
  /** The underwriter's decision, when the quote was referred and decided. */
  underwriting?: UnderwritingFacts | undefined;
  startDate: string;
  endDate: string;
  productVersion: string;
  /** The regulator's filing of the version (备案号, 备案日期), when recorded (src/catalogue/filing-record.ts). */
  filing?: { filingReference?: string; filedOn?: string };
  definition: ProductDefinition;
  inputs: Record<string, unknown>;
  result: RatingResult;
  /** The enterprise's name as stored on the quote/policy (the legal name at the time). */
  enterpriseName: string;
  enterprise: OrganisationFacts | undefined;
  broker: OrganisationFacts | undefined;
  /** Insurers by code (the product's insurer and every pool member). */
  insurers: Record<string, OrganisationFacts>;
}

export interface DocumentView {
  lang: DocumentLang;
  htmlLang: string;
  kind: DocumentKind;
  isPolicy: boolean;
  t: DocumentLabels;
  title: string;
  /** PDF /Title and the file name stem. */
  pdfTitle: string;
  insurerName: string;
  insurerNameAlt: string | undefined;
  /** The issuing insurer's address and customer-service telephone. */
  insurerContact: { address: string | undefined; phone: string | undefined };
  numbers: { label: string; value: string }[];
  /** Where the quote or policy stands now, with who decided and when (Beijing time). */
  state: { label: string; tone: 'ok' | 'warn' | 'bad'; lines: string[] };
  /** 核保意见. */
  opinion: string[];
  /** 特别约定, numbered in print. */
  specialTerms: string[];
  payment: { label: string; value: string }[];
  /** The instalment schedule (分期缴费, #26) when the product declares one: number, due date, share, amount. */
  instalments: { n: string; dueDate: string; share: string; amount: string }[] | undefined;
  dispute: string;
  productName: string;
  productVersion: string;
  /** The version's filing reference and date in a line, when recorded. */
  filing: string | undefined;
  period: string;
  parties: { role: string; name: string; nameAlt: string | undefined; uscc: string | undefined }[];
  /** Rating particulars two to a row. */
  particulars: { label: string; value: string }[][];
  lists: { label: string; columns: string[]; rows: string[][] }[];
  cover: { name: string; description: string; limits: { label: string; amount: string }[]; deductible: string | undefined }[];
  premium: {
    sections: { label: string; amount: string }[];
    showSections: boolean;
    gross: string;
    net: string;
    vatLabel: string;
    vat: string;
  };
  subsidy: {
    layers: { name: string; level: string; share: string; caps: string; capBit: boolean; amount: string; evidence?: string }[];
    total: string;
    any: boolean;
  };
  enterprisePays: string;
  netCost: string;
  /** Each member's share of premium and of liability (every distinct aggregate limit × share). */
  coInsurance: { insurer: string; role: string; share: string; gross: string; net: string; vat: string; liability: string }[] | undefined;
  worksheet: { label: string; inputs: string; matched: string; range: string; value: string; picked: boolean; running: string }[];
  signatureDate: string;
  footerNote: string;
}

/** 备案号 X，备案日期 Y (either alone when only one is recorded), or undefined. */
function filingLine(filing: DocumentSource['filing'], t: DocumentLabels): string | undefined {
  const parts = [
    ...(filing?.filingReference ? [fill(t.filingReferenceText!, { reference: filing.filingReference })] : []),
    ...(filing?.filedOn ? [fill(t.filedOnText!, { date: filing.filedOn })] : []),
  ];
  return parts.length ? parts.join(t.filingSeparator!) : undefined;
}

/** Builds the printable view of a quotation or policy schedule in one language. */
export function buildDocumentView(source: DocumentSource, lang: DocumentLang, t: DocumentLabels): DocumentView {
  const { definition: def, result } = source;
  const isPolicy = source.kind === 'policy';
  const leadCode = result.coInsurance?.find((s) => s.role === 'lead')?.insurer ?? result.insurer;
  const insurer = orgName(source.insurers[leadCode], leadCode, lang);
  const broker = source.broker ? orgName(source.broker, '', lang).name : undefined;
  const title = isPolicy ? t.policyTitle! : t.quoteTitle!;
  const number = isPolicy ? source.policyNumber! : source.quoteNumber;
  const fieldsByKey = fieldsByKeyOf(def);
  return {
    lang,
    htmlLang: lang === 'en' ? 'en' : 'zh-CN',
    kind: source.kind,
    isPolicy,
    t,
    title,
    pdfTitle: `${title} ${number}`,
    insurerName: insurer.name,
    insurerNameAlt: insurer.alt,
    insurerContact: contactOf(source.insurers[leadCode], lang),
    numbers: numbersOf(source, t),
    state: stateOf(source, lang, t, insurer.name, broker),
    opinion: opinionOf(source, lang, t),
    specialTerms: specialTermsOf(source, lang, t),
    payment: paymentOf(source, lang, t),
    instalments: instalmentsOf(source),
    dispute: disputeOf(source, lang, t),
    productName: pick(def.name, lang),
    productVersion: source.productVersion,
    filing: filingLine(source.filing, t),
    period: fill(t.periodText!, { start: source.startDate, end: source.endDate }),
    parties: partiesOf(source, lang, t),
    ...particularsOf(source, lang, t),
    cover: coverOf(source, fieldsByKey, lang, t),
    premium: premiumOf(result, lang, t),
    subsidy: subsidyOf(result, lang, t),
    enterprisePays: yuanDigits(result.enterprisePaysFen),
    netCost: yuanDigits(result.expectedNetCostFen),
    coInsurance: coInsuranceOf(source, lang, t),
    worksheet: worksheetOf(result, def, fieldsByKey, lang, t),
    signatureDate: isPolicy ? (source.issuedOn ?? '') : source.quoteDate,
    footerNote: isPolicy ? t.policyFooter! : t.quoteFooter!,
  };
}
