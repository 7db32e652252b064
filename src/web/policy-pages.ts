// Binding a quote, the policy lists and pages, and the quote and policy PDFs (the documents
// service decides visibility exactly as for the API).
import { insurerStaff, quoters } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import { AppError } from '../http/app-error.ts';
import { nextActions } from '../quotes/quote-actions.ts';
import { coverView, enterpriseNamesIn, loadPageNames, stateView } from './cover-view.ts';
import { checkCode, checkId, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { buildResultView } from './result-view.ts';
import { nextPageHref, pageCursor, pdfLang, poolPageData, sendPdf, productNames, subsidyPanel, type SubsidyFormState } from './page-helpers.ts';
import { formatChinaTime } from '../i18n/format.ts';
import { formatYuan } from './web-forms.ts';
import { cancellationPanel, type CancellationFormState } from './cancellation-pages.ts';
import { policyLifeView, renewedPolicyNumber, type ClaimFormState } from './renewal-pages.ts';
import { pick, translate, type Lang } from './web-messages.ts';
import { premiumPanel, type PaymentFormState } from './premium-view.ts';
import { endorsementPanel, type EndorsementFormState } from './endorsement-pages.ts';
import type { ProductDefinition } from '../rating/index.ts';

interface PdfFile {
  fileName: string;
  asciiFileName: string;
  bytes: Buffer | undefined;
}

/** The part of the documents service the pages use (quote and policy PDFs, same visibility as the API). */
export interface WebDocuments {
  quotePdf(caller: Caller, quoteId: string, lang: Lang): Promise<PdfFile>;
  policyPdf(caller: Caller, policyId: string, lang: Lang): Promise<PdfFile>;
  filingPdf(caller: Caller, code: string, version: string): Promise<PdfFile>;
}

/** Mounts binding, `/policies`, `/policies/{id}` and the PDF downloads (quote, policy, a version's rate filing). */
export function mountPolicyPages({ page, services }: PagePipeline): void {
  // Without a renderer composed, the downloads say so in the page's language.
  const documents: WebDocuments | undefined = services.renderer ? services.documents : undefined;
  page('post', '/quotes/:id/bind', quoters, async ({ req, res, caller }) => {
    const { policy } = await services.policies.bindQuote(caller, checkId(req.params.id));
    res.redirect(303, `/policies/${policy.id}`);
  });

  page('get', '/policies', 'signed-in', async ({ req, lang, caller, render }) => {
    // A long list goes on by cursor (`after`: the next of the page before), for one enterprise when named.
    const enterpriseId = req.query.enterpriseId === undefined ? undefined : checkId(req.query.enterpriseId);
    const after = pageCursor(req.query);
    const { items, next } = await services.policies.listPolicies(caller, { limit: 100, ...(enterpriseId ? { enterpriseId } : {}), ...(after ? { after } : {}) });
    const [products, enterprises] = await Promise.all([productNames(services, lang), enterpriseNamesIn(services, items.map((p) => p.enterpriseId), lang)]);
    render('policies', {
      title: translate(caller.role === 'enterprise' ? 'myPolicies' : 'policies', lang),
      policies: items.map((p) => ({ id: p.id, policyNumber: p.policyNumber, productName: products.get(p.productCode) ?? p.productCode, enterpriseName: enterprises.get(p.enterpriseId) ?? p.enterpriseName, startDate: p.startDate, endDate: p.endDate, gross: formatYuan(p.grossPremiumFen) })),
      nextPage: nextPageHref('/policies', next, enterpriseId ? { enterpriseId } : {}),
    });
  });

  page('get', '/policies/:id', 'signed-in', (request) => renderPolicyPage(request, checkId(request.req.params.id)));

  const available = (lang: Lang) => {
    if (!documents) throw new AppError('unavailable', translate('pdfUnavailable', lang));
    return documents;
  };

  page('get', '/quotes/:id/pdf', 'signed-in', async ({ req, res, lang, caller }) => {
    const quote = await services.quotes.getQuote(caller, checkId(req.params.id));
    if (!nextActions(caller, quote).download) throw new AppError('conflict', translate('quotePdfDeclined', lang));
    sendPdf(res, await available(lang).quotePdf(caller, quote.id, pdfLang(req)));
  });

  page('get', '/policies/:id/pdf', 'signed-in', async ({ req, res, lang, caller }) => {
    sendPdf(res, await available(lang).policyPdf(caller, checkId(req.params.id), pdfLang(req)));
  });

  page('get', '/products/:code/versions/:version/filing.pdf', insurerStaff, async ({ req, res, lang, caller }) => {
    sendPdf(res, await available(lang).filingPdf(caller, checkCode(req.params.code), checkCode(req.params.version)));
  });
}

/** The forms of a policy page that come back in place: a refused one with its input and errors, a preview with its figures. */
export interface PolicyPageForms {
  subsidy?: SubsidyFormState;
  payment?: PaymentFormState;
  endorsement?: EndorsementFormState;
  cancellation?: CancellationFormState;
  claim?: ClaimFormState;
}

const hasErrors = (form: { errors: Record<string, unknown> } | undefined) => Boolean(form && Object.values(form.errors).some(Boolean));

/** The policy page; a refused form comes back in place with its input and errors (400), a preview with its figures (200). */
export async function renderPolicyPage({ services, lang, caller, render }: PageRequest, id: string, forms: PolicyPageForms = {}): Promise<void> {
  const { subsidy: subsidyForm, payment: paymentForm, endorsement: endorsementForm, cancellation: cancellationForm, claim: claimForm } = forms;
  const policy = await services.policies.getPolicy(caller, id);
  const [names, quote, subsidy] = await Promise.all([loadPageNames(services, policy, lang), services.quotes.getQuote(caller, policy.quoteId), subsidyPanel(services, caller, policy.id, lang, subsidyForm, policy)]);
  const { pool, myShare } = poolPageData(policy, lang);
  render('policy', {
    title: `${translate('policyNumber', lang)} ${policy.policyNumber}`,
    langPath: `/policies/${policy.id}`,
    policy: { ...policy, enterpriseName: names.enterpriseName || policy.enterpriseName, issuedAt: formatChinaTime(policy.issuedAt, lang), productName: pick(names.productName, lang) },
    state: stateView(quote, names, lang, policy),
    // The cover as it stands: the latest endorsement's terms (the quote holds the terms as issued).
    cover: { ...coverView(policy.current ? { ...quote, inputs: policy.current.inputs as typeof quote.inputs } : quote, names, lang), ...(policy.current?.endorsementNumber ? { asEndorsed: translate('cover_asEndorsed', lang, { number: policy.current.endorsementNumber, date: policy.current.effectiveDate }) } : {}) },
    result: { ...buildResultView(policy.result, lang, { fields: names.fields, insurers: names.insurers, offer: true }), ...(pool.length ? { pool } : {}) },
    myShare,
    subsidy,
    premium: premiumPanel(policy, caller, lang, paymentForm),
    endorse: endorsementPanel(caller, policy, names.definition as unknown as ProductDefinition, lang, endorsementForm),
    life: policyLifeView(caller, policy, lang, await renewedPolicyNumber(services, caller, policy.renewalOf), claimForm), // #26: claims paid and the renew action
    cancel: cancellationPanel(caller, policy, lang, cancellationForm), // #26: cancellation (退保)
  }, subsidyForm || paymentForm || claimForm || hasErrors(endorsementForm) || hasErrors(cancellationForm) ? 400 : 200);
}

