// Preparing a rating request: dates checked, the version found, the enterprise and its subsidies
// read into the engine's context. Used by previews, quotes (one or a batch) and bulk pricing.
import mongoose from 'mongoose';
import { findEnterpriseById } from '../auth/auth-service.ts';
import { quotingRoleOf, type Caller } from '../auth/caller.ts';
import { isClientOf } from '../clients/client-service.ts';
import { findEffectiveVersion, findOwnVersion, findPinnedVersion, type RatableVersion } from '../catalogue/rating-lookups.ts';
import { addDays, chinaDate } from '../rating/calendar.ts';
import { AppError, invalidInput } from '../http/app-error.ts';
import { evaluateQuote, pickableSteps, subsidyFactsAsked, type EnterpriseContext, type PickableStep, type QualificationListCheck, type QuoteContext, type QuotePicks, type RatingResult, type SubsidyProgramme } from '../rating/index.ts';
import { withRatingErrors } from './rating-errors.ts';
import { qualificationSource } from './qualification-source.ts';
import { subsidySource } from './subsidy-source.ts';

import type { PricingRequest } from './quote-schemas.ts';

export type { PricingRequest, QuoteRequest } from './quote-schemas.ts';


const DAY_MS = 86_400_000;

/** One year of cover by default: from the start date to the day before its anniversary. */
function defaultEndDate(start: string): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const anniversary = new Date(Date.UTC(y + 1, m - 1, d));
  if (anniversary.getUTCMonth() !== m - 1) anniversary.setUTCDate(0); // 29 Feb → 28 Feb
  return new Date(anniversary.getTime() - DAY_MS).toISOString().slice(0, 10);
}

export interface EnterpriseRecord {
  id: string;
  name: string;
  regionCode?: string;
  /** Unified social credit code: what the departments' qualification lists name enterprises by. */
  creditCode?: string;
  qualifications: string[];
}

/** The enterprise organisation with this id, or null when there is none. */
export async function readEnterprise(id: string): Promise<EnterpriseRecord | null> {
  const org = await findEnterpriseById(id);
  if (!org) return null;
  return { id: org.id, name: org.name, ...(org.regionCode ? { regionCode: org.regionCode } : {}), ...(org.unifiedSocialCreditCode ? { creditCode: org.unifiedSocialCreditCode } : {}), qualifications: org.qualifications };
}

/** Where rating reads the enterprise and its subsidies so far this year; a bulk run shares one per run. */
export interface EnterpriseLookups {
  enterprise(id: string): Promise<EnterpriseRecord | null>;
  /** Subsidy per programme on the enterprise's policies starting in `year` (YYYY): granted where known, else expected. */
  receivedThisYear(enterpriseId: string, year: string): Promise<{ programme: string; amountFen: number }[]>;
  /** Whether the broker firm has linked the enterprise as a client (src/clients). */
  isClientOf(brokerOrganisationId: string, enterpriseId: string): Promise<boolean>;
  /** The departments' lists that decide the qualifications asked (#27; qualification-source.ts). */
  qualificationLists(enterprise: EnterpriseRecord, date: string, asked: readonly string[]): Promise<QualificationListCheck[]>;
}

// The ledger through the SubsidySource port (subsidy-source.ts) provided in the service's scope.
const databaseLookups: EnterpriseLookups = {
  enterprise: readEnterprise, receivedThisYear: (enterpriseId, year) => subsidySource().recorded(enterpriseId, year), isClientOf,
  qualificationLists: (enterprise, date, asked) => qualificationSource().check(enterprise, date, asked),
};

/**
 * A broker rates only for its firm's clients: any other enterprise — another firm's client or no
 * enterprise at all — is "not found", before anything of it (facts, subsidies so far) is read.
 */
async function checkClient(caller: Caller, enterpriseId: string | undefined, lookups: EnterpriseLookups): Promise<void> {
  if (caller.role !== 'broker' || !enterpriseId) return;
  if (await lookups.isClientOf(caller.organisationId, enterpriseId)) return;
  throw new AppError('not_found', 'The enterprise was not found.', [{ path: 'body.enterpriseId', message: 'must be a client of your firm, linked through /v1/clients (client)' }]);
}

export interface PreparedRating {
  version: RatableVersion;
  context: QuoteContext;
  quoteDate: string;
  startDate: string;
  endDate: string;
  enterprise: EnterpriseRecord | undefined;
}

/**
 * Where a department's list covers the enterprise's region for a qualification the programmes
 * read (#27), the list decides it on the start date, not the declared value; the checks go into
 * the context so each layer can say what it was verified against.
 */
async function verifyQualifications(context: EnterpriseContext, enterprise: EnterpriseRecord, startDate: string, programmes: readonly SubsidyProgramme[], line: string, lookups: EnterpriseLookups): Promise<void> {
  const asked = subsidyFactsAsked(programmes, line).qualifications;
  if (asked.length === 0) return;
  const checks = await lookups.qualificationLists(enterprise, startDate, asked);
  if (checks.length === 0) return;
  const decided = new Set(checks.flatMap((c) => c.decides));
  context.qualifications = [...(context.qualifications ?? []).filter((q) => !decided.has(q)), ...checks.flatMap((c) => c.held)];
  context.qualificationLists = checks;
}

/** Checks the dates, finds the version and builds the rating context of a request (no writes). */
export async function prepareRating(caller: Caller, request: PricingRequest, now: Date, lookups: EnterpriseLookups = databaseLookups): Promise<PreparedRating> {
  const quoteDate = chinaDate(now);
  const startDate = request.startDate ?? quoteDate;
  if (startDate < quoteDate) throw invalidInput('Cover cannot start before the quote date.', [{ path: 'body.startDate', message: `must be on or after ${quoteDate} (no backdating)` }]);
  if (startDate > addDays(quoteDate, 366)) throw invalidInput('Cover must start within a year of the quote.', [{ path: 'body.startDate', message: `must be on or before ${addDays(quoteDate, 366)} (maximum)` }]);
  const endDate = request.endDate ?? defaultEndDate(startDate);
  if (endDate < startDate) throw invalidInput('The end date is before the start date.', [{ path: 'body.endDate', message: 'must be on or after startDate (order)' }]);

  let version: RatableVersion;
  if (request.productVersion) {
    const insurerStaff = caller.role === 'insurer-admin' || caller.role === 'underwriter';
    version = insurerStaff ? await findOwnVersion(caller, request.productCode, request.productVersion) : await findPinnedVersion(request.productCode, request.productVersion);
  } else {
    version = await findEffectiveVersion(request.productCode, startDate);
  }

  const enterpriseId = caller.role === 'enterprise' ? caller.organisationId : request.enterpriseId;
  await checkClient(caller, enterpriseId, lookups);
  // Both reads at once; the ledger read is only used when the enterprise exists.
  const receivedThisYear = enterpriseId && mongoose.isValidObjectId(enterpriseId) ? lookups.receivedThisYear(enterpriseId, startDate.slice(0, 4)) : undefined;
  receivedThisYear?.catch(() => {}); // awaited below unless the enterprise check throws first
  const enterprise = enterpriseId ? await lookups.enterprise(enterpriseId) : undefined;
  if (enterpriseId && !enterprise) throw invalidInput('The enterprise does not exist.', [{ path: 'body.enterpriseId', message: 'must be the id of an enterprise organisation (exists)' }]);
  const facts = request.enterprise ?? {};
  const enterpriseContext: EnterpriseContext = {
    ...(enterprise?.regionCode ? { regionCode: enterprise.regionCode } : {}),
    qualifications: [...new Set([...(enterprise?.qualifications ?? []), ...(facts.qualifications ?? [])])],
    supportYear: facts.supportYear ?? 1,
    // Subsidy already expected on this enterprise's policies starting in the same year, per programme.
    receivedThisYear: enterprise ? await receivedThisYear! : [],
    ...(facts.awards ? { awards: facts.awards } : {}),
    ...(facts.coverScope ? { coverScope: facts.coverScope } : {}),
  };
  const programmes: SubsidyProgramme[] = await subsidySource().programmesFor(version.definition.line);
  if (enterprise) await verifyQualifications(enterpriseContext, enterprise, startDate, programmes, version.definition.line, lookups);
  // The tariff is chosen by the start date, so the engine checks it is in force on that day.
  const context: QuoteContext = { asOf: startDate, period: { start: startDate, end: endDate }, role: quotingRoleOf(caller), enterprise: enterpriseContext, programmes };
  return { version, context, quoteDate, startDate, endDate, enterprise: enterprise ?? undefined };
}

/** Evaluates a prepared request on its version; engine errors become invalid-input errors. */
export function rate(version: RatableVersion, inputs: unknown, picks: QuotePicks | undefined, context: QuoteContext): RatingResult {
  return withRatingErrors(() => evaluateQuote(version.compiled, inputs, picks, context));
}

/** Prices without storing anything: the full result with its worksheet, and the steps the caller may pick in. */
export async function previewPrice(caller: Caller, request: PricingRequest, now: Date = new Date()): Promise<RatingResult & { pickable: readonly PickableStep[] }> {
  const prepared = await prepareRating(caller, request, now);
  const result = rate(prepared.version, request.inputs, request.picks, prepared.context);
  return { ...result, pickable: pickableSteps(prepared.version.compiled, quotingRoleOf(caller)) };
}
