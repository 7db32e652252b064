// What a caller may do next with a quote, written once: bind it, approve or decline it, download
// its quotation. The services refuse by these rules (the bind in policy-service.ts, the decisions
// in underwriting.ts, the quotation PDF in documents/quote-pdfs.ts) and the pages show their
// buttons by `nextActions`, so a page never offers what the API refuses, or hides what it allows.
import { quoters, underwriters } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import { isOwnInsurer } from '../auth/visibility.ts';
import { chinaDate } from '../rating/calendar.ts';

/** The facts of a quote the rules read (a stored quote or its view). */
export interface QuoteActionFacts {
  quoteNumber: string;
  status: string;
  validUntil: string;
  brokerOrganisationId: string;
  insurerOrganisationId: string;
}

/** Why the quote cannot be bound now (the bind's 409 message), or undefined when it can. */
export function bindRefusal(quote: QuoteActionFacts, now: Date): string | undefined {
  if (quote.status === 'bound') return `Quote ${quote.quoteNumber} is already bound.`;
  if (quote.status === 'declined') return `Quote ${quote.quoteNumber} was declined and cannot be bound.`;
  if (quote.status === 'referred') return `Quote ${quote.quoteNumber} is referred to an underwriter; it can be bound once approved.`;
  if (quote.validUntil < chinaDate(now)) return `Quote ${quote.quoteNumber} expired on ${quote.validUntil}; ask for a new quote.`;
  return undefined;
}

/** Why the quote awaits no underwriting decision (409), or undefined when it is referred. */
export function decisionRefusal(quote: QuoteActionFacts): string | undefined {
  return quote.status === 'referred' ? undefined : `Quote ${quote.quoteNumber} is ${quote.status}; only a referred quote awaits an underwriting decision.`;
}

/** Why the quote has no quotation to download (409), or undefined when it has one. */
export function quotationRefusal(quote: QuoteActionFacts): string | undefined {
  // A declined quote is not an offer: no premium, subsidy or validity to print (see docs/documents.md).
  return quote.status === 'declined' ? `Quote ${quote.quoteNumber} was declined; a declined quote is not an offer and has no quotation. The decline and its reasons are on the quote.` : undefined;
}

export interface QuoteActions {
  /** Bind it into a policy: its broker firm's brokers, while it is quoted or approved and unexpired. */
  readonly bind: boolean;
  /** Approve or decline it: the lead insurer's underwriters (a pool follower reads but never decides), while it is referred. */
  readonly decide: boolean;
  /** Download its quotation PDF: anyone who sees it, unless it was declined. */
  readonly download: boolean;
}

/** What `caller` may do next with a quote it can see. */
export function nextActions(caller: Caller, quote: QuoteActionFacts, now: Date = new Date()): QuoteActions {
  return Object.freeze({
    bind: quoters.includes(caller.role) && quote.brokerOrganisationId === caller.organisationId && !bindRefusal(quote, now),
    decide: underwriters.includes(caller.role) && isOwnInsurer(caller, quote) && !decisionRefusal(quote),
    download: !quotationRefusal(quote),
  });
}
