// Renewal (续保, #26; ../shared/domain/policy-life.md "Renewal"): a renewal quote of a policy,
// through the quotes capability's own createQuote (pricing, subsidies, caps and storage as for
// POST /v1/quotes), starting the day after the policy ends, on the product version in force that
// day, with the policy's inputs except what the record decides: the support year (the chain of
// continuous policies, walked back by `renewalOf` one `_id` read at a time) and, where the tariff
// rates on it, the experience loss ratio (claims paid ÷ premium earned on the chain). The arithmetic
// is src/rating/renewal.ts. Exactly once per policy: the quote's id is derived from
// `renewal:<policyId>:<n>`, n counting the policy's renewal quotes (a keyed log); a new one may
// follow only when the last was declined or has expired.
import { refuseIfCancelled } from './policy-actions.ts';
import type { Caller } from '../auth/caller.ts';
import { ownedByCallerInsurer } from '../auth/visibility.ts';
import { findEffectiveVersion } from '../catalogue/rating-lookups.ts';
import { defineKeyedLog } from '../db/keyed-log.ts';
import { AppError, conflict, invalidInput } from '../http/app-error.ts';
import { translate } from '../i18n/messages.ts';
import { findQuoteRecord, idempotentQuoteId, toQuoteView, type QuoteRecord, type QuoteView, type RenewalQuote } from '../quotes/quote-service.ts';
import type { DerivedInput, QuoteRequest } from '../quotes/quote-schemas.ts';
import { addDays, chinaDate } from '../rating/calendar.ts';
import { formatFen } from '../rating/money.ts';
import { chainExperience, centrallySupported, lossRatioHundredths, isContinuous, supportYearOf, type ChainPolicy } from '../rating/renewal.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { claimsPaidFenOf } from './claim-log.ts';
import { premiumDueFen } from './policy-payments.ts';
import type { PolicyRecord } from './policy-schemas.ts';
import { findPolicyRecord, loadVisiblePolicy } from './policy-service.ts';

/** The input the filed tariffs rate experience on (first-set, first-batch, first-version, tech-transfer). */
export const LOSS_RATIO_INPUT = 'lossRatio';
/** How far back a chain is walked: central support stops at year 3, the loss ratio reads the chain. */
const MAX_CHAIN = 10;

/** Each renewal quote of a policy, in order (`renewals|<policyId>`): the last one decides whether another may follow. */
const renewalLog = defineKeyedLog<{ quoteId: string }>('PolicyRenewalEntry', 'policyRenewals');
const renewalKey = (policyId: string) => `renewals|${policyId}`;

/** The quotes capability's door a renewal goes through (services.quotes). */
export interface RenewalQuotes {
  createRenewalQuote(caller: Caller, request: QuoteRequest, renewal: RenewalQuote, now?: Date): Promise<{ quote: QuoteView; replayed: boolean }>;
}
export interface RenewalDeps { quotes: RenewalQuotes }
export interface RenewalRequest { startDate?: string | undefined }

const why = (key: string, vars: Record<string, string | number>) => ({ zh: translate(key, 'zh-CN', vars), en: translate(key, 'en', vars) });

/** The policies before `policy` in its chain, oldest first: each found by its successor's `renewalOf`, while continuous. */
async function predecessorsOf(policy: PolicyRecord): Promise<PolicyRecord[]> {
  const chain: PolicyRecord[] = [];
  let current = policy;
  while (current.renewalOf && chain.length < MAX_CHAIN) {
    const previous = await findPolicyRecord(current.renewalOf);
    if (!previous || !isContinuous(previous, current)) break;
    chain.unshift(previous);
    current = previous;
  }
  return chain;
}

/** The 409 of a renewal quote that stands (neither declined nor expired), naming it. */
function renewalExists(policy: PolicyRecord, quote: QuoteRecord) {
  return conflict(`Policy ${policy.policyNumber} already has renewal quote ${quote.quoteNumber} (${quote.status}).`, [
    { path: 'quoteId', message: 'is the renewal quote of this policy; a new one may follow once it is declined or has expired (renewal)', value: quote.id },
  ]);
}

const standing = (quote: QuoteRecord, today: string) => quote.status !== 'declined' && (quote.status === 'bound' || quote.validUntil >= today);

/** The derived support year, and why. */
function supportYearInput(chain: readonly PolicyRecord[], startDate: string): DerivedInput & { value: number } {
  const expiring = chain.at(-1)!;
  const year = supportYearOf(chain, startDate);
  if (year === 1) return { input: 'enterprise.supportYear', value: 1, why: why('renewal_supportYear_gap', { start: startDate, end: expiring.endDate }) };
  const key = centrallySupported(year) ? 'renewal_supportYear_chain' : 'renewal_supportYear_beyond';
  return { input: 'enterprise.supportYear', value: year, why: why(key, { start: startDate, end: expiring.endDate, year }) };
}

/** The experience loss ratio on the chain (percent, two decimals) where the version's form asks for it, and why. */
async function lossRatioInput(chain: readonly PolicyRecord[], form: readonly { key: string; max?: string | number | undefined }[], asOf: string): Promise<DerivedInput | undefined> {
  const field = form.find((f) => f.key === LOSS_RATIO_INPUT);
  if (!field) return undefined;
  // Each policy's premium due after its changes (an endorsement's difference; a cancelled one's: the premium kept), not as issued.
  const policies: ChainPolicy[] = await Promise.all(chain.map(async (p) => ({ startDate: p.startDate, endDate: p.endDate, grossPremiumFen: await premiumDueFen(p), claimsPaidFen: await claimsPaidFenOf(p.id) })));
  const seen = chainExperience(policies, asOf);
  if (seen.lossRatioPercent === undefined) {
    const kept = chain.at(-1)!.inputs[LOSS_RATIO_INPUT];
    return { input: LOSS_RATIO_INPUT, value: kept as number, why: why('renewal_lossRatio_unearned', { asOf, value: String(kept) }) };
  }
  const ratio = lossRatioHundredths(seen.claimsPaidFen, seen.earnedPremiumFen)! / 100; // the number, not the text parsed back
  const max = field.max === undefined ? Infinity : Number(field.max);
  if (ratio > max) return { input: LOSS_RATIO_INPUT, value: max, why: why('renewal_lossRatio_capped', { ratio: seen.lossRatioPercent, value: max }) };
  return { input: LOSS_RATIO_INPUT, value: ratio, why: why('renewal_lossRatio', { claims: formatFen(seen.claimsPaidFen), earned: formatFen(seen.earnedPremiumFen), asOf, policies: seen.policies }) };
}

/** Who may renew: the policy's broker firm, or its lead insurer's staff (a pool follower: 403; policy-actions.ts mayRenew). */
async function renewablePolicy(caller: Caller, policyId: string): Promise<PolicyRecord> {
  const policy = await loadVisiblePolicy(caller, policyId);
  if (caller.role !== 'broker') ownedByCallerInsurer(caller, policy, 'The policy');
  refuseIfCancelled(policy, 'it cannot be renewed', 'policyId');
  return policy;
}

/** The renewal's first day: the day after the policy ends, or later (a gap: a new chain); today when that day has passed. */
function startOf(policy: PolicyRecord, body: RenewalRequest, today: string): string {
  const next = addDays(policy.endDate, 1);
  if (body.startDate === undefined) return next < today ? today : next;
  if (body.startDate < next) throw invalidInput('A renewal starts after the policy it renews ends.', [{ path: 'body.startDate', message: `must be on or after ${next}, the day after the policy ends (renewal)` }]);
  return body.startDate;
}

/**
 * Creates the renewal quote of a policy (201), or answers 409 naming the renewal quote that
 * stands. See the head of this file.
 */
export async function renewPolicy(deps: RenewalDeps, caller: Caller, policyId: string, body: RenewalRequest = {}, now: Date = new Date()): Promise<QuoteView> {
  const policy = await renewablePolicy(caller, policyId);
  const today = chinaDate(now);
  const top = await renewalLog.top(renewalKey(policy.id));
  if (top >= 0) {
    const [last] = await renewalLog.range(renewalKey(policy.id), top, top);
    const quote = last ? await findQuoteRecord(last.value.quoteId) : null;
    if (quote && standing(quote, today)) throw renewalExists(policy, quote);
  }
  const startDate = startOf(policy, body, today);
  const chain = [...(await predecessorsOf(policy)), policy];
  const version = await findEffectiveVersion(policy.productCode, startDate);
  const supportYear = supportYearInput(chain, startDate);
  const lossRatio = await lossRatioInput(chain, version.definition.form.fields, today);
  const context = policy.context.enterprise ?? {};
  const request: QuoteRequest = {
    productCode: policy.productCode, enterpriseId: policy.enterpriseOrganisationId, startDate,
    inputs: { ...policy.inputs, ...(lossRatio ? { [LOSS_RATIO_INPUT]: lossRatio.value } : {}) },
    ...(Object.keys(policy.picks).length ? { picks: { ...policy.picks } as QuoteRequest['picks'] } : {}),
    enterprise: {
      supportYear: supportYear.value,
      ...(context.qualifications?.length ? { qualifications: [...context.qualifications] } : {}),
      ...(context.awards?.length ? { awards: [...context.awards] } : {}),
      ...(context.coverScope ? { coverScope: context.coverScope } : {}),
    },
  };
  const n = top + 1;
  const scope = `renewal:${policy.id}:${n}`;
  const renewal: RenewalQuote = { renewalOf: policy.id, derived: [supportYear, ...(lossRatio ? [lossRatio] : [])], brokerOrganisationId: policy.brokerOrganisationId, scope };
  const created = await deps.quotes.createRenewalQuote(caller, request, renewal, now).catch(async (err: unknown) => {
    // A concurrent renewal of the policy took this n with other figures: it is the renewal.
    const twin = err instanceof AppError && err.kind === 'conflict' ? await findQuoteRecord(String(idempotentQuoteId(scope))) : null;
    if (twin) return { quote: toQuoteView(twin, now), replayed: true };
    throw err;
  });
  await renewalLog.append(renewalKey(policy.id), created.quote.id, { quoteId: created.quote.id });
  if (created.replayed) throw renewalExists(policy, (await findQuoteRecord(created.quote.id))!);
  await recordAudit(caller, { action: 'policy.renew', entityType: 'policy', entityId: policy.id, organisationId: policy.insurerOrganisationId, summary: `Renewal quote ${created.quote.quoteNumber} of policy ${policy.policyNumber} from ${startDate}: support year ${supportYear.value}${lossRatio ? `, loss ratio ${lossRatio.value}%` : ''}, gross ${created.quote.result.grossPremiumFen} fen.` }, now);
  return created.quote;
}

/** The renewal capability over the quotes' door, bound once (createServices). */
export function createRenewals(deps: RenewalDeps) {
  const bound: RenewalDeps = Object.freeze({ ...deps });
  return Object.freeze({
    renewPolicy: (caller: Caller, policyId: string, body?: RenewalRequest, now?: Date) => renewPolicy(bound, caller, policyId, body, now),
  });
}
export type RenewalsService = ReturnType<typeof createRenewals>;
