// #26 claims paid and renewal on the pages: the policy page's claims (and the form the lead
// insurer's staff record one with), its renew button, and `/policies/due`, the policies due for
// renewal with the renew action. The same services and access lists as the API; no rule lives here.
import { randomUUID } from 'node:crypto';
import { claimRecorders, renewers } from '../auth/access-rules.ts';
import { AppError } from '../http/app-error.ts';
import type { Caller } from '../auth/caller.ts';
import { policyActions } from '../policies/policy-actions.ts';
import type { PolicyView } from '../policies/policy-service.ts';
import type { Services } from '../service.ts';
import { addDays } from '../rating/calendar.ts';
import { enterpriseNamesIn } from './cover-view.ts';
import { checkId, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { productNames } from './page-helpers.ts';
import { formatYuan, parseYuanToFen, refusalErrors } from './web-forms.ts';
import { joinClauses, pick, translate, type Lang } from './web-messages.ts';

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** The claim form's fields, as typed. */
const CLAIM_FIELDS = ['lossDate', 'paidOn', 'paidYuan', 'description', 'idempotencyKey'] as const;

/** A refused claim form: what was typed and the error at each field, in the reader's language. */
export interface ClaimFormState { values: Record<string, string>; errors: Record<string, string> }

/** The policy page's renderer (policy-pages.ts), to show a refused claim form in place with its input. */
export type ClaimPageRenderer = (request: PageRequest, policyId: string, form: ClaimFormState) => Promise<void>;

const typed = (body: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(CLAIM_FIELDS.flatMap((name) => (typeof body[name] === 'string' ? [[name, (body[name] as string).slice(0, 500)]] : [])));

/** A refused claim's details at the form's fields (the amount is typed in yuan), in the reader's language. */
function claimErrors(err: AppError, lang: Lang): Record<string, string> {
  return refusalErrors(err, lang, {
    nameOf: (field) => (field === 'paidFen' || field === 'paidYuan' ? 'paidYuan' : (CLAIM_FIELDS as readonly string[]).includes(field) ? field : 'form'),
    messageOf: (name, message) => {
      if (name === 'paidYuan') return translate('life_badAmount', lang);
      const cover = /^must be from (\S+) to (\S+) \(period of cover/.exec(message);
      if (name === 'lossDate' && cover) return translate('life_lossOutsideCover', lang, { from: cover[1]!, to: cover[2]! });
      if (name === 'paidOn' && /\(order\)$/.test(message)) return translate('life_paidBeforeLoss', lang);
      if (name === 'paidOn' && /not in the future/.test(message)) return translate('life_paidInFuture', lang);
      return undefined;
    },
  });
}

/** The number of the policy a renewal renews, for its link (names, not ids); the id when it cannot be read. */
export async function renewedPolicyNumber(services: Services, caller: Caller, renewalOf: string | undefined): Promise<string | undefined> {
  if (!renewalOf) return undefined;
  return services.policies.getPolicy(caller, renewalOf).then((p) => p.policyNumber, () => renewalOf);
}

/** The policy page's claims panel and renew button, in the reader's language. */
export function policyLifeView(caller: Caller, policy: PolicyView, lang: Lang, renewed?: string, claimForm?: ClaimFormState) {
  const insurerNames = new Map((policy.poolShares ?? []).map((s) => [s.insurer, (lang === 'en' ? s.insurerNameEn : undefined) ?? s.insurerName ?? s.insurer]));
  const claims = (policy.claims ?? []).map((c) => ({
    n: c.n, lossDate: c.lossDate, paidOn: c.paidOn, paid: formatYuan(c.paidFen), paidFen: c.paidFen, description: c.description,
    parts: joinClauses((c.memberParts ?? []).map((p) => `${insurerNames.get(p.insurer) ?? p.insurer} ${formatYuan(p.paidFen)}`), lang),
  }));
  const start = addDays(policy.endDate, 1);
  const actions = policyActions(caller, policy);
  return {
    claims, claimsPaid: formatYuan(policy.claimsPaidFen ?? 0),
    // A refused form keeps its input and its Idempotency-Key (a resend after a fix is still one claim).
    recordClaim: actions.claim
      ? {
        key: claimForm?.values.idempotencyKey || randomUUID(),
        // Every field named (the templates are strict): empty until typed.
        values: { lossDate: '', paidOn: '', paidYuan: '', description: '', ...claimForm?.values },
        errors: { form: undefined, lossDate: undefined, paidOn: undefined, paidYuan: undefined, description: undefined, ...claimForm?.errors },
      }
      : undefined,
    renew: actions.renew ? { note: translate('life_renewNote', lang, { start }) } : undefined,
    renewalOf: policy.renewalOf, renewalOfNumber: renewed ?? policy.renewalOf,
  };
}

/** A renewal quote's page panel: the policy it renews and the inputs the record decided, with why (#26). */
export function renewalQuoteView(quote: { renewalOf?: string; derived?: { input: string; value: unknown; why: { zh: string; en: string } }[] }, lang: Lang, fields: readonly { key: string; label: { zh: string; en: string } }[], renewed?: string) {
  if (!quote.renewalOf) return undefined;
  // Names, not codes: the support year by the catalogue, a form input by the product's own label.
  const label = (input: string) => (input === 'enterprise.supportYear' ? translate('supportYear', lang) : pick(fields.find((f) => f.key === input)?.label ?? { zh: input, en: input }, lang));
  return { renewalOf: quote.renewalOf, renewalOfNumber: renewed ?? quote.renewalOf, derived: (quote.derived ?? []).map((d) => ({ input: d.input, label: label(d.input), value: String(d.value), why: pick(d.why, lang) })) };
}

/** Mounts the claim form's target, the renew action and `/policies/due`. */
export function mountRenewalPages({ page, services }: PagePipeline, renderPolicy: ClaimPageRenderer): void {
  page('post', '/policies/:id/claims', claimRecorders, async (request) => {
    const { req, res, caller, body, lang } = request;
    const id = checkId(req.params.id);
    try {
      const claim = { lossDate: text(body.lossDate), paidOn: text(body.paidOn), paidFen: parseYuanToFen(body.paidYuan, 'body.paidYuan', translate('life_badAmount', lang)), description: text(body.description) };
      const key = text(body.idempotencyKey);
      await services.claims.recordClaim(caller, id, claim, key ? { idempotencyKey: key.slice(0, 100) } : {});
    } catch (err) {
      // A mistyped amount, a date outside the cover or in the future: the form again, in place, with its input.
      const shown = err instanceof AppError && (err.kind === 'invalid_input' || (err.kind === 'conflict' && err.details.length > 0));
      if (!shown) throw err;
      return renderPolicy(request, id, { values: typed(body), errors: claimErrors(err, lang) });
    }
    res.redirect(303, `/policies/${id}#claims`);
  });

  page('post', '/policies/:id/renew', renewers, async ({ req, res, caller }) => {
    const quote = await services.renewals.renewPolicy(caller, checkId(req.params.id));
    res.redirect(303, `/quotes/${quote.id}`);
  });

  page('get', '/policies/due', renewers, async ({ req, lang, caller, render }) => {
    const asked = Number(req.query.days ?? 60);
    const days = Number.isInteger(asked) && asked >= 1 && asked <= 366 ? asked : 60;
    const { items } = await services.policies.listExpiring(caller, { expiringWithin: days, limit: 200 });
    const [products, enterprises] = await Promise.all([productNames(services, lang), enterpriseNamesIn(services, items.map((p) => p.enterpriseId), lang)]);
    render('policies-due', {
      title: translate('life_due', lang),
      days, heading: translate('life_dueWithin', lang, { days }),
      policies: items.map((p) => ({
        id: p.id, policyNumber: p.policyNumber, productName: products.get(p.productCode) ?? p.productCode, enterpriseName: enterprises.get(p.enterpriseId) ?? p.enterpriseName,
        startDate: p.startDate, endDate: p.endDate, gross: formatYuan(p.grossPremiumFen), canRenew: policyActions(caller, p).renew,
      })),
    });
  });
}
