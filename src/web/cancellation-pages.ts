// Cancellation (退保) on the policy page: once cancelled, what was kept and refunded; for those who
// may cancel (the policy's broker, the lead insurer's staff: src/policies/cancellation-service.ts)
// a form that previews, then confirms. The same service calls as the API; errors in the reader's
// language at their fields.
import { cancellers } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import { AppError } from '../http/app-error.ts';
import { pdfLang, sendPdf } from './page-helpers.ts';
import type { CancellationRequest, CancellationView } from '../policies/cancellation-schemas.ts';
import { policyActions } from '../policies/policy-actions.ts';
import type { PolicyView } from '../policies/policy-schemas.ts';
import { checkId, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { formatYuan, refusalErrors } from './web-forms.ts';
import { pick, translate, type Lang } from './web-messages.ts';

/** What the cancellation form was sent with, its errors, and the preview it led to. */
export interface CancellationFormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  preview?: CancellationView;
}

export type CancellationPageRenderer = (request: PageRequest, policyId: string, cancellationForm: CancellationFormState) => Promise<void>;

/** A cancellation's figures as the page shows them: amounts with their unit, names instead of codes. */
function figuresView(c: CancellationView, lang: Lang) {
  return {
    effectiveDate: c.effectiveDate, reason: c.reason, initiatedBy: translate(`cancel_by_${c.initiatedBy}`, lang),
    kept: formatYuan(c.kept.grossPremiumFen), refund: formatYuan(c.refund.grossPremiumFen),
    basis: translate(`cancel_basis_${c.basis.replaceAll('-', '_')}`, lang, { percent: c.percent ?? '', months: c.monthsElapsed, days: c.daysElapsed, total: c.periodDays }),
    split: translate('cancel_split', lang, { net: formatYuan(c.refund.netPremiumFen), vat: formatYuan(c.refund.vatFen) }),
    members: (c.members ?? []).map((m) => translate('endorse_member', lang, { name: m.insurer, amount: formatYuan(m.grossPremiumFen) })),
    subsidies: c.subsidyLayers.map((l) => translate('cancel_subsidy', lang, { name: pick(l.name, lang), before: formatYuan(l.beforeFen), after: formatYuan(l.afterFen) })),
    repay: formatYuan(c.subsidyToRepayFen),
  };
}

/** The policy page's cancellation panel: the cancellation once made, the form for those who may cancel. */
export function cancellationPanel(caller: Caller, policy: PolicyView, lang: Lang, state?: CancellationFormState) {
  const values = state?.values ?? {};
  const cancelled = policy.cancellation;
  const initiatedBy = values.initiatedBy ?? 'policyholder';
  const canCancel = policyActions(caller, policy).cancel;
  return {
    // Nothing to show to a reader who may not cancel a policy in force: no empty panel.
    show: Boolean(cancelled) || canCancel,
    done: cancelled ? { ...figuresView(cancelled, lang), note: translate('cancel_cancelled', lang, { date: cancelled.effectiveDate, number: cancelled.number }), pdfZh: `/policies/${policy.id}/cancellation/pdf?pdfLang=zh-CN`, pdfEn: `/policies/${policy.id}/cancellation/pdf?pdfLang=en` } : undefined,
    canCancel,
    action: `/policies/${policy.id}/cancel`,
    effectiveDate: values.effectiveDate ?? '', reason: values.reason ?? '', errors: { form: undefined, effectiveDate: undefined, reason: undefined, ...(state?.errors ?? {}) },
    initiators: (['policyholder', 'insurer'] as const).map((value) => ({ value, label: translate(`cancel_by_${value}`, lang), selected: value === initiatedBy })),
    preview: state?.preview ? { ...figuresView(state.preview, lang), title: translate('cancel_previewTitle', lang, { number: state.preview.number }) } : undefined,
  };
}

function requestOf(body: Record<string, unknown>): CancellationRequest {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, 500) : '');
  return { effectiveDate: text(body.effectiveDate), initiatedBy: body.initiatedBy === 'insurer' ? 'insurer' : 'policyholder', reason: text(body.reason) };
}

function errorsOf(err: AppError, lang: Lang): Record<string, string> {
  return refusalErrors({ message: err.message, details: err.details.filter((d) => d.path.startsWith('body.')) }, lang);
}

/** Mounts the preview and confirm targets of the form. */
export function mountCancellationPages({ page, services }: PagePipeline, renderPolicy: CancellationPageRenderer): void {
  const cancelPage = (confirm: boolean) => async (request: PageRequest) => {
    const { req, res, caller, body, lang } = request;
    const policyId = checkId(req.params.id);
    const sent = requestOf(body);
    const values = { effectiveDate: sent.effectiveDate, initiatedBy: sent.initiatedBy, reason: sent.reason };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(sent.effectiveDate) || !sent.reason) {
      return renderPolicy(request, policyId, { values, errors: { ...(sent.reason ? {} : { reason: translate('cancel_reasonRequired', lang) }), ...(/^\d{4}-\d{2}-\d{2}$/.test(sent.effectiveDate) ? {} : { effectiveDate: translate('cancel_badDate', lang) }) } });
    }
    try {
      if (!confirm) return renderPolicy(request, policyId, { values, errors: {}, preview: await services.policies.previewCancellation(caller, policyId, sent) });
      await services.policies.cancelPolicy(caller, policyId, sent);
    } catch (err) {
      if (!(err instanceof AppError) || !['invalid_input', 'conflict'].includes(err.kind)) throw err;
      return renderPolicy(request, policyId, { values, errors: errorsOf(err, lang) });
    }
    res.redirect(303, `/policies/${policyId}#cancellation`);
  };
  page('post', '/policies/:id/cancel/preview', cancellers, cancelPage(false));
  page('post', '/policies/:id/cancel', cancellers, cancelPage(true));

  page('get', '/policies/:id/cancellation/pdf', 'signed-in', async ({ req, res, lang, caller }) => {
    if (!services.renderer) throw new AppError('unavailable', translate('pdfUnavailable', lang));
    sendPdf(res, await services.documents.cancellationPdf(caller, checkId(req.params.id), pdfLang(req)));
  });
}
