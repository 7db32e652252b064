// Underwriters' referral queue and their decisions on a referred quote (approve, optionally with
// moved coefficients, or decline with a reason).
import { insurerStaff, underwriters } from '../auth/access-rules.ts';
import { AppError } from '../http/app-error.ts';
import { checkId, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { loadPageNames } from './cover-view.ts';
import { nextPageHref, pageCursor, productNames, quotePageData, quoteRows } from './page-helpers.ts';
import { errorsByField, type FormValues } from './web-forms.ts';
import { translate } from './web-messages.ts';

/** Mounts `/referrals` and the approve and decline forms of the quote page. */
export function mountReferralPages({ page, services }: PagePipeline): void {
  page('get', '/referrals', insurerStaff, async ({ req, lang, caller, render }) => {
    // The queue is what the caller can decide: a pool follower's share of the lead's referrals is not.
    const after = pageCursor(req.query);
    const { items, next } = await services.quotes.listQuotes(caller, { status: 'referred', ownInsurerOnly: true, limit: 100, ...(after ? { after } : {}) });
    render('quotes', { title: translate('referrals', lang), quotes: quoteRows(items, lang, await productNames(services, lang)), nextPage: nextPageHref('/referrals', next) });
  });

  page('post', '/quotes/:id/approve', underwriters, (request) => approveReferral(request));

  page('post', '/quotes/:id/decline', underwriters, async ({ req, res, lang, caller, body, render }) => {
    const quote = await services.quotes.getQuote(caller, checkId(req.params.id));
    const reason = typeof body.reason === 'string' ? body.reason.trim().slice(0, 1000) : '';
    if (!reason) {
      render('quote', quotePageData(quote, await loadPageNames(services, quote, lang), caller, lang, {}, { reason: translate('v_required', lang) }), 400);
      return;
    }
    await services.quotes.declineQuote(caller, quote.id, reason);
    res.redirect(303, `/quotes/${quote.id}`);
  });
}

/** Approves a referred quote; errors (engine refusals at `picks.<step>`) go back to the quote page. */
async function approveReferral({ services, req, res, lang, caller, body, render }: PageRequest): Promise<void> {
  // An engine refusal in English (a conflict names the rule) becomes the page's own message.
  const quote = await services.quotes.getQuote(caller, checkId(req.params.id));
  const current = new Map(quote.result.worksheet.map((w) => [w.step, w.value]));
  const changed: Record<string, string> = {};
  const values: FormValues = {};
  for (const [key, raw] of Object.entries(body)) {
    if (!key.startsWith('picks.') || typeof raw !== 'string' || raw.trim() === '') continue;
    const step = key.slice('picks.'.length);
    values[key] = raw.trim();
    // Only coefficients the underwriter moved become picks; the others keep the engine's default.
    if (current.has(step) && Number(current.get(step)) !== Number(raw.trim())) changed[step] = raw.trim();
    else if (!current.has(step)) changed[step] = raw.trim();
  }
  const note = typeof body.note === 'string' ? body.note.trim().slice(0, 1000) : '';
  const picks = Object.keys(changed).length ? { ...quote.picks, ...changed } : undefined;
  try {
    await services.quotes.approveQuote(caller, quote.id, { ...(picks ? { picks } : {}), ...(note ? { note } : {}) });
  } catch (err) {
    if (!(err instanceof AppError) || (err.kind !== 'invalid_input' && err.kind !== 'conflict')) throw err;
    const errors = err.details.length ? errorsByField(err.details, lang) : { approve: translate(err.kind === 'conflict' ? 'conflict' : 'fixErrors', lang) };
    render('quote', quotePageData(quote, await loadPageNames(services, quote, lang), caller, lang, { ...values, note }, errors), 400);
    return;
  }
  res.redirect(303, `/quotes/${quote.id}`);
}
