// Loads everything a document prints besides the quote or policy itself: the pinned product
// version and the organisations (enterprise, broker, every insurer of the pool).
import { findOrganisationByCode, getOrganisation } from '../auth/auth-service.ts';
import { findPinnedVersion } from '../catalogue/catalogue-service.ts';
import { AppError } from '../http/app-error.ts';
import type { RatingResult } from '../rating/index.ts';
import type { DocumentKind, DocumentSource, OrganisationFacts } from './document-view.ts';

/** The fields a quote and a policy share, as the documents service reads them. */
export interface QuoteLike {
  quoteNumber: string;
  productCode: string;
  productVersion: string;
  startDate: string;
  endDate: string;
  inputs: unknown;
  result: unknown;
  enterpriseName: string;
  enterpriseOrganisationId: string;
  brokerOrganisationId: string;
}

/** What differs between a quotation and a policy schedule. */
export type SourceExtras = Pick<DocumentSource, 'status' | 'quoteDate' | 'validUntil'> & { policyNumber?: string; issuedOn?: string };

/** The DocumentSource of a quote or policy: its own fields plus the product version and the organisations. */
export async function loadDocumentSource(kind: DocumentKind, doc: QuoteLike, extra: SourceExtras): Promise<DocumentSource> {
  const result = doc.result as RatingResult;
  const [version, enterprise, broker, insurers] = await Promise.all([
    findPinnedVersion(doc.productCode, doc.productVersion),
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
    definition: version.definition,
    inputs: (doc.inputs ?? {}) as Record<string, unknown>,
    result,
    enterpriseName: doc.enterpriseName,
    enterprise,
    broker,
    insurers,
  };
}

function toFacts(org: { name: string; nameEn?: string; unifiedSocialCreditCode?: string } | null | undefined): OrganisationFacts | undefined {
  return org ? { name: org.name, nameEn: org.nameEn, unifiedSocialCreditCode: org.unifiedSocialCreditCode } : undefined;
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
