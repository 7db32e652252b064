// The cancellation endorsement (退保批单) of a policy as a PDF, in Chinese or English: the status
// before and after and how the premium kept was worked, the premium due before, received, kept and
// refunded with the refund's VAT split, each pool member's part, every subsidy layer before and
// after and the subsidy to repay. templates/documents/cancellation.hbs with the endorsement's
// labels overlaid by labels/cancellation.<lang>.json; kept per process like a 批单 (immutable-pdfs.ts).
import type { Caller } from '../auth/caller.ts';
import { notFound } from '../http/app-error.ts';
import type { Templates } from '../http/templates.ts';
import type { CancellationView } from '../policies/cancellation-schemas.ts';
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import { chinaDate } from '../rating/index.ts';
import { fill, yuanDigits } from './document-format.ts';
import type { DocumentLang } from './document-view.ts';
import { createImmutablePdfs, parts, policyHeadOf, type Labels } from './immutable-pdfs.ts';
import type { PdfFile } from './pdf-file.ts';

function basisText(c: CancellationView, t: Labels): string {
  const values = { percent: c.percent ?? '', months: String(c.monthsElapsed), days: String(c.daysElapsed), total: String(c.periodDays) };
  return fill(c.basis === 'before-start-fee' ? t.basisBeforeStart! : c.basis === 'short-period' ? t.basisShortPeriod! : t.basisByDay!, values);
}

/** The view of a 退保批单 in one language. */
async function cancellationView(policy: PolicyRecord, c: CancellationView, lang: DocumentLang, t: Labels) {
  const { head } = await policyHeadOf(policy, lang, t, c.members ?? [], c.subsidyLayers);
  return {
    ...head, pdfTitle: `${t.title} ${c.number}`,
    number: c.number, endorsedOn: c.cancelledAt ? chinaDate(new Date(c.cancelledAt)) : '',
    effectiveText: fill(t.effectiveText!, { date: c.effectiveDate }), reason: c.reason,
    statusAfter: fill(t.statusAfter!, { date: c.effectiveDate, by: c.initiatedBy === 'insurer' ? t.byInsurer! : t.byPolicyholder! }),
    basisText: basisText(c, t),
    premiumDue: yuanDigits(c.premiumDueFen), received: yuanDigits(c.premiumReceivedFen), kept: parts(c.kept), refund: parts(c.refund),
    refundLabel: c.refund.grossPremiumFen > 0 ? t.differenceRefund : t.differenceNone,
    repayText: fill(t.repay!, { amount: yuanDigits(c.subsidyToRepayFen) }),
  };
}

/** The 退保批单 PDFs over the documents' renderer and template environment: that of a cancelled policy the caller may see (404 when it is not cancelled). */
export function createCancellationPdfs(
  engine: Templates, print: (html: string, title: string, metadataDate: Date) => Promise<Buffer>,
  load: (caller: Caller, policyId: string) => Promise<{ record: PolicyRecord; cancellation: CancellationView | undefined }>,
) {
  const send = createImmutablePdfs(engine, print, 'cancellation');
  return async (caller: Caller, policyId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile> => {
    const { record, cancellation } = await load(caller, policyId); // 404 for a policy the caller may not see
    if (!cancellation) throw notFound('The cancellation of the policy');
    return send({
      number: cancellation.number, metadataDate: new Date(cancellation.cancelledAt ?? record.issuedAt),
      view: (t) => cancellationView(record, cancellation, lang, t),
    }, lang, ifNoneMatch);
  };
}
