// Loads everything a document prints besides the quote or policy itself: the pinned product
// version and the organisations (enterprise, broker, every insurer of the pool).
import { findOrganisationByCode, getOrganisation } from '../auth/auth-service.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { versionFiling } from '../catalogue/filing-record.ts';
import { AppError } from '../http/app-error.ts';
import type { QuoteUnderwriting, RatedRecord } from '../quotes/quote-schemas.ts';
import type { RatingResult, WorksheetLine } from '../rating/index.ts';
import type { DocumentKind, DocumentSource, OrganisationFacts, UnderwritingFacts } from './document-view.ts';

/** What a document prints of a quote's or policy's record (the fields their records share). */
export type PrintedRecord = Pick<RatedRecord, 'quoteNumber' | 'productCode' | 'productVersion' | 'startDate' | 'endDate' | 'inputs' | 'result' | 'enterpriseName' | 'enterpriseOrganisationId' | 'brokerOrganisationId'>;

/** What differs between a quotation and a policy schedule. */
export type SourceExtras = Pick<DocumentSource, 'status' | 'quoteDate' | 'validUntil' | 'underwriting' | 'issued'> & { policyNumber?: string; issuedOn?: string };

/**
 * The underwriter's decision as documents print it: the referral reasons from the result before
 * the decision, and every worksheet step whose coefficient the re-rating changed.
 */
export function underwritingFactsOf(uw: QuoteUnderwriting | undefined, result: RatingResult): UnderwritingFacts | undefined {
  if (!uw) return undefined;
  const before = uw.originalResult ?? result;
  const after = new Map(result.worksheet.map((line) => [line.step, line]));
  const changes = before.worksheet
    .map((line) => [line, after.get(line.step)] as const)
    .filter((pair): pair is readonly [WorksheetLine, WorksheetLine] => pair[1] !== undefined && pair[1].value !== pair[0].value)
    .map(([from, to]) => ({ label: to.label, from: from.value, to: to.value }));
  return { action: uw.action, by: uw.by.userName ?? '', at: uw.at, note: uw.reason, reasons: before.decision.reasons, changes };
}

/** The DocumentSource of a quote or policy: its own fields plus the product version and the organisations. */
export async function loadDocumentSource(kind: DocumentKind, doc: PrintedRecord, extra: SourceExtras): Promise<DocumentSource> {
  const result = doc.result;
  const [version, filing, enterprise, broker, insurers] = await Promise.all([
    findPinnedVersion(doc.productCode, doc.productVersion),
    versionFiling(doc.productCode, doc.productVersion),
    loadOrganisation(doc.enterpriseOrganisationId),
    loadOrganisation(doc.brokerOrganisationId),
    loadInsurers(result),
  ]);
  return {
    kind,
    quoteNumber: doc.quoteNumber,
    ...extra,
    startDate: doc.startDate,
    endDate: doc.endDate,
    productVersion: doc.productVersion,
    filing,
    definition: version.definition,
    inputs: doc.inputs ?? {},
    result,
    enterpriseName: doc.enterpriseName,
    enterprise,
    broker,
    insurers,
  };
}

type OrganisationLike = Pick<OrganisationFacts, 'nameEn' | 'unifiedSocialCreditCode' | 'address' | 'addressEn' | 'servicePhone'> & { name: string };

function toFacts(org: OrganisationLike | null | undefined): OrganisationFacts | undefined {
  if (!org) return undefined;
  const { name, nameEn, unifiedSocialCreditCode, address, addressEn, servicePhone } = org;
  return { name, nameEn, unifiedSocialCreditCode, address, addressEn, servicePhone };
}

async function loadOrganisation(id: string): Promise<OrganisationFacts | undefined> {
  try {
    return toFacts(await getOrganisation(null, id));
  } catch (err) {
    if (err instanceof AppError && err.kind === 'not_found') return undefined;
    throw err;
  }
}

async function loadInsurers(result: RatingResult): Promise<Record<string, OrganisationFacts>> {
  const codes = [...new Set([result.insurer, ...(result.coInsurance ?? []).map((s) => s.insurer)])];
  const found = await Promise.all(codes.map(async (code) => [code, toFacts(await findOrganisationByCode(code))] as const));
  return Object.fromEntries(found.filter(([, facts]) => facts !== undefined)) as Record<string, OrganisationFacts>;
}
