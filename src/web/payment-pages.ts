// The policy page's payment form's target (#26): the lead insurer's staff record a payment of
// premium; the panel itself is premium-view.ts. The same service and access list as the API
// (POST /v1/policies/{id}/payments); no rule lives here.
import { premiumRecorders } from '../auth/access-rules.ts';
import { AppError } from '../http/app-error.ts';
import { formatYuan } from '../i18n/format.ts';
import { parseYuanToFen, refusalErrors } from './web-forms.ts';
import { checkId, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { PAYMENT_FIELDS, type PaymentFormState } from './premium-view.ts';
import { translate, type Lang } from './web-messages.ts';

/** The policy page's renderer (policy-pages.ts), to show a refused payment form in place with its input. */
export type PaymentPageRenderer = (request: PageRequest, policyId: string, form: { payment: PaymentFormState }) => Promise<void>;

const typed = (body: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(PAYMENT_FIELDS.flatMap((name) => (typeof body[name] === 'string' ? [[name, (body[name] as string).slice(0, 200)]] : [])));

/** A refused payment's details at the form's fields (the amount is typed in yuan), in the reader's language. */
function formErrors(err: AppError, lang: Lang): Record<string, string> {
  return refusalErrors(err, lang, {
    nameOf: (field) => (field === 'amountFen' ? 'amountYuan' : (PAYMENT_FIELDS as readonly string[]).includes(field) ? field : 'form'),
    messageOf: (name, message) => {
      if (name === 'amountYuan') {
        const max = /^must be at most (\d+), the premium outstanding/.exec(message);
        return max ? translate('premium_overOutstanding', lang, { max: formatYuan(Number(max[1])) }) : translate('premium_badAmount', lang);
      }
      if (name === 'receivedOn') {
        const future = /^must be today \((.*)\) or earlier/.exec(message);
        return future ? translate('premium_futureDate', lang, { today: future[1]! }) : translate('premium_badDate', lang);
      }
      return name === 'reference' ? translate(/\(unique\)$/.test(message) ? 'premium_referenceUsed' : 'premium_badReference', lang) : undefined;
    },
  });
}

/** Mounts the payment form's target: recorded → back to the policy's premium; refused → the page again with the input and errors (400). */
export function mountPaymentPages({ page, services }: PagePipeline, renderPolicy: PaymentPageRenderer): void {
  page('post', '/policies/:id/payments', premiumRecorders, async (request) => {
    const { req, res, caller, body, lang } = request;
    const policyId = checkId(req.params.id);
    try {
      const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
      await services.policies.recordPayment(caller, policyId, { amountFen: parseYuanToFen(body.amountYuan, 'body.amountYuan', translate('premium_badAmount', lang), true), receivedOn: text('receivedOn'), reference: text('reference') });
    } catch (err) {
      // A mistyped amount or date, a reused reference, more than is outstanding: the form again, in place.
      const shown = err instanceof AppError && (err.kind === 'invalid_input' || (err.kind === 'conflict' && err.details.length > 0));
      if (!shown) throw err;
      return renderPolicy(request, policyId, { payment: { values: typed(body), errors: formErrors(err, lang) } });
    }
    res.redirect(303, `/policies/${policyId}#premium`);
  });
}
