// The service's events: what one capability announces and others react to. src/service.ts creates
// the hub and registers every reaction in one place; the capabilities that announce get it once,
// in their factory's dependencies (createQuotes, createPolicies), and never learn who listens.
import type { PolicyEvents, PolicyRecord } from './policies/policy-service.ts';
import type { PaymentReceived } from './policies/policy-payments.ts';
import type { PolicyChange, PolicyChangeEvents } from './policies/policy-changes.ts';
import type { QuoteEvents, QuotesStored } from './quotes/quote-service.ts';
import type { ClaimEvents } from './policies/policy-claims.ts';
import type { ApplicationOutcome } from './subsidies/application-outcomes.ts';

/** #26: a claim paid, as announced (the claim and the policy it was paid on). */
type ClaimPaid = Parameters<ClaimEvents['claimPaid']>[0];

type Reaction<T> = (event: T) => Promise<void>;

export interface ServiceEvents extends QuoteEvents, PolicyEvents, PolicyChangeEvents, ClaimEvents {
  /** Reacts to quotes stored, approved or declined (one, or a bulk save's batch). */
  onQuotesStored(reaction: Reaction<QuotesStored>): void;
  /** Reacts to a policy issued. */
  onPolicyIssued(reaction: Reaction<PolicyRecord>): void;
  /** Reacts to a payment of premium recorded on a policy (once per payment; nothing reacts yet). */
  onPaymentReceived(reaction: Reaction<PaymentReceived>): void;
  /** Reacts to a policy changed mid-term: an endorsement or a cancellation (src/policies/policy-changes.ts). */
  onPolicyChanged(reaction: Reaction<PolicyChange>): void;
  /** #26: reacts to a claim paid on a policy. */
  onClaimPaid(reaction: Reaction<ClaimPaid>): void;
  /** #27: announces a subsidy application's outcome recorded (granted, refused, withdrawn; again on a repeat: reactions are idempotent). */
  applicationOutcome(outcome: ApplicationOutcome): Promise<void>;
  /** #27: reacts to a subsidy application's outcome (the insurers' report keeps what was granted). */
  onApplicationOutcome(reaction: Reaction<ApplicationOutcome>): void;
}

/**
 * A hub whose announcements run every reaction in the order registered and resolve once all
 * have; a reaction that fails fails the announcement (and so the request that made it).
 */
export function createEventHub(): ServiceEvents {
  const quotesStored: Reaction<QuotesStored>[] = [];
  const policyIssued: Reaction<PolicyRecord>[] = [];
  const paymentReceived: Reaction<PaymentReceived>[] = [];
  const policyChanged: Reaction<PolicyChange>[] = [];
  const claimPaid: Reaction<ClaimPaid>[] = [];
  const applicationOutcome: Reaction<ApplicationOutcome>[] = [];
  const run = async <T>(reactions: readonly Reaction<T>[], event: T) => {
    for (const reaction of reactions) await reaction(event);
  };
  return {
    onQuotesStored: (reaction) => void quotesStored.push(reaction),
    onPolicyIssued: (reaction) => void policyIssued.push(reaction),
    quotesStored: (event) => run(quotesStored, event),
    policyIssued: (event) => run(policyIssued, event),
    onPaymentReceived: (reaction) => void paymentReceived.push(reaction),
    paymentReceived: (event) => run(paymentReceived, event),
    onPolicyChanged: (reaction) => void policyChanged.push(reaction),
    policyChanged: (event) => run(policyChanged, event),
    onClaimPaid: (reaction) => void claimPaid.push(reaction),
    claimPaid: (event) => run(claimPaid, event),
    onApplicationOutcome: (reaction) => void applicationOutcome.push(reaction),
    applicationOutcome: (event) => run(applicationOutcome, event),
  };
}
