// Endorsements on the policy page: the list (number, date, reason, difference) with links to each
// 批单 in Chinese and English, and for those who may endorse (the policy's broker, the lead
// insurer's staff: src/policies/endorsement-service.ts) a form that previews, then confirms. The
// same service calls as the API; errors in the reader's language at their fields.
import { randomUUID } from 'node:crypto';
import { endorsers } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import { AppError } from '../http/app-error.ts';
import { pdfLang, sendPdf } from './page-helpers.ts';
import { policyActions } from '../policies/policy-actions.ts';
import type { EndorsementRequest, EndorsementView } from '../policies/endorsement-schemas.ts';
import type { PolicyView } from '../policies/policy-schemas.ts';
import type { ProductDefinition } from '../rating/index.ts';
import { checkId, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { formatYuan, refusalErrors, unitLabel, type ProductField } from './web-forms.ts';
import { pick, translate, type Lang } from './web-messages.ts';

type FormField = ProductDefinition['form']['fields'][number];
const NUMERIC = new Set(['money', 'integer', 'decimal', 'percent']);

/** What the endorsement form was sent with, its errors, and the preview it led to. */
export interface EndorsementFormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  preview?: EndorsementView;
}

/** The policy page's renderer (policy-pages.ts), to show the form again with its input, errors or preview. */
export type EndorsementPageRenderer = (request: PageRequest, policyId: string, endorsementForm: EndorsementFormState) => Promise<void>;

const valueOf = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** The fields a form may change: the product's endorsable ones that are a single value (lists are changed through the API). */
function formFields(definition: ProductDefinition): FormField[] {
  const endorsable = definition.endorsableInputs ?? [];
  return definition.form.fields.filter((f) => endorsable.includes(f.key) && (f.type as string) !== 'list');
}

/** The request a form sent: only the fields whose value differs from the terms in force. */
function requestOf(body: Record<string, unknown>, fields: readonly FormField[], current: Record<string, unknown>): EndorsementRequest {
  const inputs: Record<string, unknown> = {};
  for (const field of fields) {
    const sent = body[`in_${field.key}`];
    if (typeof sent !== 'string' || sent.trim() === '' || sent.trim() === valueOf(current[field.key])) continue;
    const text = sent.trim().slice(0, 500);
    inputs[field.key] = NUMERIC.has(field.type) && /^-?\d+(\.\d+)?$/.test(text.replace(/,/g, '')) ? Number(text.replace(/,/g, '')) : field.type === 'boolean' ? text === 'true' : text;
  }
  return { effectiveDate: typeof body.effectiveDate === 'string' ? body.effectiveDate : '', inputs, reason: typeof body.reason === 'string' ? body.reason.trim().slice(0, 500) : '' };
}

/** A refusal's details at the form's names (`body.inputs.x` → `in_x`), in the reader's language. */
function errorsOf(err: AppError, lang: Lang): Record<string, string> {
  if (err.kind === 'referral_required') return { form: translate('endorse_referral', lang, { rules: err.details.map((d) => d.path.replace(/^rules\./, '')).join(', ') }) };
  return refusalErrors(err, lang, {
    nameOf: (field) => (field.startsWith('inputs.') ? `in_${field.slice('inputs.'.length)}` : field),
    messageOf: (_name, message) => (/endorsableInputs/.test(message) ? translate('endorse_notEndorsable', lang) : undefined),
  });
}

const signedYuan = (fen: number, lang: Lang) => (fen > 0 ? translate('endorse_charge', lang, { amount: formatYuan(fen) }) : fen < 0 ? translate('endorse_refund', lang, { amount: formatYuan(-fen) }) : translate('endorse_noDifference', lang));

/** A field's unit (unitLabel of web-forms.ts) after its label, in the page's language's brackets: 「（万元）」, " (10k CNY)". */
const unitSuffix = (field: ProductField, lang: Lang) => { const unit = unitLabel(field, lang); return unit ? translate('unitSuffix', lang, { unit }) : ''; };

/** The preview as the page shows it: numbers with their unit, names instead of codes. */
function previewView(preview: EndorsementView, lang: Lang) {
  return {
    title: translate('endorse_previewTitle', lang, { number: preview.number }),
    before: formatYuan(preview.before.grossPremiumFen), after: formatYuan(preview.after.grossPremiumFen),
    days: translate('endorse_days', lang, { left: preview.daysLeft, total: preview.periodDays }),
    difference: signedYuan(preview.difference.grossPremiumFen, lang),
    split: translate('endorse_net', lang, { net: formatYuan(preview.difference.netPremiumFen), vat: formatYuan(preview.difference.vatFen) }),
    members: (preview.members ?? []).map((m) => translate('endorse_member', lang, { name: m.insurer, amount: formatYuan(m.grossPremiumFen) })),
    subsidies: preview.subsidyLayers.map((l) => translate('endorse_subsidy', lang, { name: pick(l.name, lang), before: formatYuan(l.beforeFen), after: formatYuan(l.afterFen) })),
  };
}

/** The policy page's endorsement panel: the list, and the form for those who may endorse. */
export function endorsementPanel(caller: Caller, policy: PolicyView, definition: ProductDefinition, lang: Lang, state?: EndorsementFormState) {
  const endorsements = (policy.endorsements ?? []).map((e) => ({
    number: e.number, effectiveDate: e.effectiveDate, reason: e.reason, difference: signedYuan(e.difference.grossPremiumFen, lang),
    pdfZh: `/policies/${policy.id}/endorsements/${e.sequence}/pdf?pdfLang=zh-CN`, pdfEn: `/policies/${policy.id}/endorsements/${e.sequence}/pdf?pdfLang=en`,
  }));
  const current = (policy.current?.inputs ?? {}) as Record<string, unknown>;
  const fields = formFields(definition);
  const canEndorse = fields.length > 0 && policyActions(caller, policy).endorse;
  const values = state?.values ?? {};
  return {
    endorsements, canEndorse, action: `/policies/${policy.id}/endorsements`,
    current: policy.current ? formatYuan(policy.current.grossPremiumFen) : '', charged: policy.chargedPremiumFen === undefined ? '' : formatYuan(policy.chargedPremiumFen),
    fields: fields.map((f) => ({
      name: `in_${f.key}`, label: pick(f.label, lang), unit: unitSuffix(f as ProductField, lang), value: values[`in_${f.key}`] ?? valueOf(current[f.key]),
      options: 'options' in f && Array.isArray(f.options) ? f.options.map((o) => ({ value: String(o.value), label: pick(o.label, lang), selected: String(o.value) === (values[`in_${f.key}`] ?? valueOf(current[f.key])) })) : undefined,
      error: state?.errors[`in_${f.key}`],
    })),
    effectiveDate: values.effectiveDate ?? '', reason: values.reason ?? '', errors: state?.errors ?? {},
    preview: state?.preview ? previewView(state.preview, lang) : undefined,
    idempotencyKey: randomUUID(),
  };
}

/** What a form sent, as typed (bounded), to show it again. */
const typed = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([k, v]) => typeof v === 'string' && (k.startsWith('in_') || k === 'effectiveDate' || k === 'reason')).map(([k, v]) => [k, (v as string).slice(0, 500)]));

/** Mounts the preview and confirm targets of the form, and the 批单 downloads. */
export function mountEndorsementPages({ page, services }: PagePipeline, renderPolicy: EndorsementPageRenderer): void {
  const requestFor = async (caller: Caller, policyId: string, body: Record<string, unknown>) => {
    const policy = await services.policies.getPolicy(caller, policyId);
    const version = await services.catalogue.findPinnedVersion(policy.productCode, policy.productVersion);
    return requestOf(body, formFields(version.definition as ProductDefinition), (policy.current?.inputs ?? {}) as Record<string, unknown>);
  };

  const endorsePage = (confirm: boolean) => async (request: PageRequest) => {
    const { req, res, caller, body, lang } = request;
    const policyId = checkId(req.params.id);
    const values = typed(body);
    const sent = await requestFor(caller, policyId, body);
    if (Object.keys(sent.inputs).length === 0) return renderPolicy(request, policyId, { values, errors: { form: translate('endorse_nothingChanged', lang) } });
    try {
      if (!confirm) return renderPolicy(request, policyId, { values, errors: {}, preview: await services.policies.previewEndorsement(caller, policyId, sent) });
      const key = typeof body.idempotencyKey === 'string' && body.idempotencyKey.length <= 100 ? body.idempotencyKey : undefined;
      await services.policies.endorsePolicy(caller, policyId, sent, { idempotencyKey: key });
    } catch (err) {
      if (!(err instanceof AppError) || !['invalid_input', 'referral_required', 'conflict'].includes(err.kind)) throw err;
      return renderPolicy(request, policyId, { values, errors: errorsOf(err, lang) });
    }
    res.redirect(303, `/policies/${policyId}#endorsements`);
  };
  page('post', '/policies/:id/endorsements/preview', endorsers, endorsePage(false));
  page('post', '/policies/:id/endorsements', endorsers, endorsePage(true));

  page('get', '/policies/:id/endorsements/:n/pdf', 'signed-in', async ({ req, res, lang, caller }) => {
    if (!services.renderer) throw new AppError('unavailable', translate('pdfUnavailable', lang));
    const n = typeof req.params.n === 'string' && /^[1-9]\d{0,3}$/.test(req.params.n) ? Number(req.params.n) : 0;
    if (!n) throw new AppError('not_found', translate('endorse_notFound', lang));
    sendPdf(res, await services.documents.endorsementPdf(caller, checkId(req.params.id), n, pdfLang(req)));
  });
}
