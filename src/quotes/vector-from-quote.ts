// A test vector made from a stored quote: an insurer keeps a real case (inputs, picks, period) in
// a draft's vectors, with the outcome the draft gives it as the expectation, so a later edit that
// changes it shows up as a failing vector before publishing.
import { insurerAdmins } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import { isOwnInsurer } from '../auth/visibility.ts';
import { conflict, invalidInput, notFound } from '../http/app-error.ts';
import { loadVisibleQuote } from './quote-service.ts';
import { compileProduct, evaluateQuote, measurePeriod, ProductCompileError, RatingInputError, type ProductDefinition, type RatingResult } from '../rating/index.ts';
import { updateDraft } from '../catalogue/product-versions.ts';
import { getVersion, listVersions } from '../catalogue/version-reads.ts';
import { createPoolMembership } from '../pools/pool-membership.ts';
import { subsidySource } from './subsidy-source.ts';

type Vector = ProductDefinition['testVectors'][number];

export interface VectorFromQuote {
  productCode: string;
  version: string;
  /** The vector as stored in the draft. */
  vector: Vector;
  /** What the quote got on the version it is pinned to, to compare with the draft's expectation. */
  quote: { id: string; quoteNumber: string; productVersion: string; decision: string; grossPremiumFen: number };
  /** Vectors the draft now has. */
  vectorCount: number;
}

/** The vector's period: whole months (part months round up, as the short-period scale does), or days under a month. */
function periodOf(startDate: string, endDate: string): { months: number } | { days: number } {
  const measured = measurePeriod({ start: startDate, end: endDate });
  if (typeof measured === 'string') throw invalidInput(`The quote's period cannot be measured: ${measured}.`);
  return measured.underOneMonth && measured.days !== undefined ? { days: measured.days } : { months: measured.months };
}

// ---------------------------------------------------------------------------------------------
// Who may keep which quote in which draft, written once: addVectorFromQuote refuses by these
// rules and the quote page offers its "add as test vector" buttons by vectorDraftsFor, so a page
// never offers what the API refuses, or hides what it allows.

/**
 * Whether `caller` may keep `quote` as a test vector of its product: the admins of the insurer
 * that files the product (the quote's lead insurer) and platform admins. A pool follower's admin
 * reads the quote, but the product and its drafts are the lead's.
 */
export function mayKeepAsVector(caller: Caller, quote: { insurerOrganisationId: string }): boolean {
  return insurerAdmins.includes(caller.role) && isOwnInsurer(caller, quote);
}

/** Why a version takes no new vectors (409), or undefined for a draft. */
export function vectorDraftRefusal(version: { productCode: string; version: string; status: string }): string | undefined {
  return version.status === 'draft' ? undefined : `Version ${version.version} of ${version.productCode} is ${version.status}; add vectors to a draft.`;
}

/** The drafts of the quote's product the caller may keep the quote in as a test vector, newest first (none when it may not). */
export async function vectorDraftsFor(caller: Caller, quote: { productCode: string; insurerOrganisationId: string }): Promise<string[]> {
  if (!mayKeepAsVector(caller, quote)) return [];
  const { productCode, versions } = await listVersions(caller, quote.productCode);
  return versions.filter((v) => !vectorDraftRefusal({ productCode, ...v })).map((v) => v.version);
}

/**
 * Adds a stored quote to a draft as a test vector: its inputs, picks and period, and as expected
 * outcome what the draft gives (decision, gross premium, rules fired). 400 when the draft does not
 * compile or cannot rate the quote (e.g. a pick outside a narrowed range); 409 for a name taken.
 */
export async function addVectorFromQuote(caller: Caller, code: string, version: string, input: { quoteId: string; name?: string }): Promise<VectorFromQuote> {
  const draft = await getVersion(caller, code, version);
  const refusal = vectorDraftRefusal(draft);
  if (refusal) throw conflict(refusal);
  const quote = await loadVisibleQuote(caller, input.quoteId);
  if (!mayKeepAsVector(caller, quote)) throw notFound('The quote'); // as for a quote it cannot see: not its insurer's to keep
  if (quote.productCode !== code) throw invalidInput(`The quote ${quote.quoteNumber} is for ${quote.productCode}, not ${code}.`, [{ path: 'body.quoteId', message: `must be a quote for ${code} (product)` }]);
  let compiled;
  try {
    compiled = compileProduct(draft.definition);
  } catch (err) {
    if (err instanceof ProductCompileError) throw invalidInput(`Draft ${version} of ${code} does not compile; fix it first.`, err.details.map((d) => ({ path: `definition${d.path.startsWith('/') ? '' : '.'}${d.path}`, message: d.message })));
    throw err;
  }
  const picks = (quote.picks ?? {}) as Record<string, string | number>;
  const period = periodOf(quote.startDate, quote.endDate);
  let result: RatingResult;
  try {
    result = evaluateQuote(compiled, quote.inputs, picks, { asOf: draft.definition.effectiveFrom, period, programmes: await subsidySource().programmesFor(draft.definition.line) });
  } catch (err) {
    if (err instanceof RatingInputError) throw invalidInput(`Draft ${version} cannot rate quote ${quote.quoteNumber} as stored.`, err.details.map((d) => ({ path: `quote.${d.path}`, message: d.message })));
    throw err;
  }
  const name = input.name ?? `报价 ${quote.quoteNumber}`;
  if (draft.definition.testVectors.some((v) => v.name === name)) throw conflict(`Draft ${version} already has a vector named "${name}"; give another name.`, [{ path: 'body.name', message: 'must be a name the draft\'s vectors do not use (unique)' }]);
  const rules = result.decision.reasons.map((r) => r.rule);
  const vector = {
    name, inputs: quote.inputs as Record<string, unknown>,
    ...(Object.keys(picks).length ? { picks } : {}),
    period,
    expected: { decision: result.decision.outcome, grossPremiumFen: result.grossPremiumFen, ...(rules.length ? { rules } : {}) },
  } as Vector;
  const updated = await updateDraft(createPoolMembership(), caller, code, version, { ...draft.definition, testVectors: [...draft.definition.testVectors, vector] });
  const stored = quote.result as RatingResult;
  return {
    productCode: code, version, vector,
    quote: { id: quote.id, quoteNumber: quote.quoteNumber, productVersion: quote.productVersion, decision: stored.decision.outcome, grossPremiumFen: stored.grossPremiumFen },
    vectorCount: updated.definition.testVectors.length,
  };
}
