// Underwriting: an insurer's underwriter approves (optionally with new picks) or declines a
// referred quote, exactly once under concurrency.
import { recordAudit } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { ownedByCallerInsurer } from '../auth/visibility.ts';
import { conflict } from '../http/app-error.ts';
import { evaluateQuote } from '../rating/index.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { QuoteModel, UnderwritingDecisionModel } from './quote-model.ts';
import { decisionRefusal } from './quote-actions.ts';
import { rewriteSummary } from './quote-lists.ts';
import { announceStored, findQuoteRecord, loadVisibleQuote, toQuoteView, type QuoteDeps, type QuoteRecord, type QuoteView } from './quote-service.ts';
import type { ApproveQuote } from './quote-schemas.ts';
import { storedContextText, storeProgrammesOf } from './stored-context.ts';
import { toDictionaryPackedJson, toDictionaryPackedText } from '../db/json-text.ts';
import { withRatingErrors } from './rating-errors.ts';

async function loadReferredForUnderwriter(caller: Caller, id: string): Promise<QuoteRecord> {
  const doc = ownedByCallerInsurer(caller, await loadVisibleQuote(caller, id), 'The quote');
  const refusal = decisionRefusal(doc); // the rule the pages show the decision forms by (nextActions)
  if (refusal) throw conflict(refusal);
  return doc;
}

async function claimDecision(doc: QuoteRecord, action: 'approve' | 'decline', now: Date): Promise<void> {
  try {
    await UnderwritingDecisionModel.create({ quoteId: doc.id, action, at: now });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw conflict(`Quote ${doc.quoteNumber} has already been decided by another underwriter.`);
    throw err;
  }
}

/**
 * Approves a referred quote, optionally with new picks inside the filed ranges: the quote is
 * re-rated on its pinned version and the new worksheet stored; the original result is kept.
 */
export async function approveQuote(deps: QuoteDeps, caller: Caller, id: string, input: ApproveQuote, now: Date = new Date()): Promise<QuoteView> {
  const doc = await loadReferredForUnderwriter(caller, id);
  const version = await findPinnedVersion(doc.productCode, doc.productVersion);
  const picks = input.picks ?? doc.picks;
  const context = { ...doc.context, role: 'underwriter' as const };
  const result = withRatingErrors(() => evaluateQuote(version.compiled, doc.inputs, picks, context));
  if (result.decision.outcome === 'declined') {
    throw conflict(`With these picks the quote is declined by rule ${result.decision.reasons.filter((r) => r.action === 'decline').map((r) => r.rule).join(', ')}; decline it instead.`);
  }
  await claimDecision(doc, 'approve', now);
  const before = doc.result;
  await storeProgrammesOf([context]);
  // The new picks, context and result as fields, whatever form the quote was stored in: beside a
  // packed `z` they win over what it holds (expandStoredQuote), so nothing is read to repack it.
  await QuoteModel.updateOne({ _id: doc.id }, {
    $set: {
      status: 'approved', picks, context: toDictionaryPackedText(storedContextText(context), doc.productCode), result: toDictionaryPackedJson(result, doc.productCode), grossPremiumFen: result.grossPremiumFen,
      underwriting: { action: 'approve', by: { keyId: caller.keyId, userName: caller.userName }, at: now, ...(input.note ? { reason: input.note } : {}), originalResult: toDictionaryPackedJson(before, doc.productCode), originalPicks: doc.picks },
    },
  });
  await recordAudit(caller, {
    action: 'quote.approve', entityType: 'quote', entityId: doc.id, organisationId: doc.insurerOrganisationId,
    summary: `Approved referred quote ${doc.quoteNumber}; gross ${before.grossPremiumFen} → ${result.grossPremiumFen} fen.`,
    changes: [{ path: 'picks', from: doc.picks, to: picks }, { path: 'grossPremiumFen', from: before.grossPremiumFen, to: result.grossPremiumFen }],
  }, now);
  const approved = (await findQuoteRecord(doc.id))!;
  await rewriteSummary(approved);
  await announceStored(deps, approved, 1);
  return toQuoteView(approved, now);
}

/** Declines a referred quote with a reason. */
export async function declineQuote(deps: QuoteDeps, caller: Caller, id: string, reason: string, now: Date = new Date()): Promise<QuoteView> {
  const doc = await loadReferredForUnderwriter(caller, id);
  await claimDecision(doc, 'decline', now);
  await QuoteModel.updateOne({ _id: doc.id }, { $set: { status: 'declined', underwriting: { action: 'decline', by: { keyId: caller.keyId, userName: caller.userName }, at: now, reason } } });
  await recordAudit(caller, { action: 'quote.decline', entityType: 'quote', entityId: doc.id, organisationId: doc.insurerOrganisationId, summary: `Declined referred quote ${doc.quoteNumber}: ${reason}` }, now);
  const declined = (await findQuoteRecord(doc.id))!;
  await rewriteSummary(declined);
  await announceStored(deps, declined, 1);
  return toQuoteView(declined, now);
}

