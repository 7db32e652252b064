// The premium panel of the policy page (#26): gross, received and outstanding premium, the
// instalment schedule with what was received against each instalment, the payments, and for the
// lead insurer's staff the form that records one (its target: payment-pages.ts).
import { policyActions } from '../policies/policy-actions.ts';
import type { Caller } from '../auth/caller.ts';
import { formatChinaTime, formatYuan } from '../i18n/format.ts';
import type { PolicyView } from '../policies/policy-service.ts';
import { chinaDate } from '../rating/index.ts';
import { nameOf, type Lang } from './web-messages.ts';

/** A refused payment form: what was typed and the error at each field, in the reader's language. */
export interface PaymentFormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

/** The payment form's fields. */
export const PAYMENT_FIELDS = ['amountYuan', 'receivedOn', 'reference'] as const;

/** The premium panel of a policy page, or undefined when the view carries no premium. */
export function premiumPanel(policy: PolicyView, caller: Caller, lang: Lang, form?: PaymentFormState): Record<string, unknown> | undefined {
  if (policy.premiumReceivedFen === undefined || policy.premiumOutstandingFen === undefined) return undefined;
  const outstanding = policy.premiumOutstandingFen;
  // The lead insurer's staff (the API's rule: a follower is refused, others do not see the policy).
  const mayRecord = policyActions(caller, policy).pay && outstanding > 0;
  const today = chinaDate(new Date());
  const value = (name: (typeof PAYMENT_FIELDS)[number], fallback: string) => form?.values[name] ?? fallback;
  return {
    policyId: policy.id,
    // The premium due: as issued plus each endorsement's difference, a cancelled policy's premium kept.
    gross: formatYuan(policy.chargedPremiumFen ?? policy.grossPremiumFen), grossFen: policy.chargedPremiumFen ?? policy.grossPremiumFen, received: formatYuan(policy.premiumReceivedFen), outstanding: formatYuan(outstanding),
    // A cancelled policy's refund (the premium received less it is what the insurer keeps).
    ...(policy.cancellation ? { refunded: formatYuan(policy.cancellation.refund.grossPremiumFen), refundedFen: policy.cancellation.refund.grossPremiumFen } : {}),
    receivedFen: policy.premiumReceivedFen, outstandingFen: outstanding, fullyReceived: outstanding === 0,
    instalments: policy.instalments?.map((i) => ({
      n: i.n, dueDate: i.dueDate, percent: `${i.percent}%`, amount: formatYuan(i.amountFen), received: formatYuan(i.receivedFen), outstanding: formatYuan(i.outstandingFen),
      status: i.status, statusText: nameOf('premium_status', i.status, lang), overdue: i.overdue,
    })),
    payments: (policy.payments ?? []).map((p) => ({ reference: p.reference, amount: formatYuan(p.amountFen), amountFen: p.amountFen, receivedOn: p.receivedOn, recordedBy: p.recordedBy, recordedAt: formatChinaTime(p.recordedAt, lang) })),
    form: mayRecord ? {
      action: `/policies/${policy.id}/payments`,
      value: { amountYuan: value('amountYuan', (outstanding / 100).toFixed(2)), receivedOn: value('receivedOn', today), reference: value('reference', '') },
      error: form?.errors ?? {},
      today,
    } : undefined,
  };
}
