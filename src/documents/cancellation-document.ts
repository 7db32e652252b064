// The cancellation endorsement (退保批单) of a policy as a PDF, in Chinese or English: the
// endorsement's template (templates/documents/endorsement.hbs) with the endorsement's labels
// overridden by labels/cancellation.<lang>.json — the status before and after and how the premium
// kept was worked, the premium due before, kept and received, the refund with its VAT split, each
// pool member's part, every subsidy layer before and after and the subsidy to repay. A
// cancellation never changes: its bytes are kept per process by its number and language.
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { getOrganisation } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { notFound } from '../http/app-error.ts';
import type { Templates } from '../http/templates.ts';
import type { CancellationView } from '../policies/cancellation-schemas.ts';
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import { chinaDate } from '../rating/index.ts';
import { fill, pick, yuanDigits } from './document-format.ts';
import type { DocumentLang } from './document-view.ts';
import { matchesEtag, sha256, type PdfFile } from './pdf-file.ts';

type Labels = Record<string, string>;
const parts = (p: { grossPremiumFen: number; netPremiumFen: number; vatFen: number }) => ({ gross: yuanDigits(p.grossPremiumFen), net: yuanDigits(p.netPremiumFen), vat: yuanDigits(p.vatFen) });

function basisText(c: CancellationView, t: Labels): string {
  const values = { percent: c.percent ?? '', months: String(c.monthsElapsed), days: String(c.daysElapsed), total: String(c.periodDays) };
  return fill(c.basis === 'before-start-fee' ? t.basisBeforeStart! : c.basis === 'short-period' ? t.basisShortPeriod! : t.basisByDay!, values);
}

/** The view of a 退保批单 in one language, in the shape of the endorsement template's. */
export async function cancellationView(policy: PolicyRecord, c: CancellationView, lang: DocumentLang, t: Labels) {
  const [version, insurers, broker] = await Promise.all([
    findPinnedVersion(policy.productCode, policy.productVersion), insurerDirectory(), getOrganisation(null, policy.brokerOrganisationId).catch(() => undefined),
  ]);
  const insurer = insurers.get(policy.result.insurer);
  const nameOf = (code: string) => { const i = insurers.get(code); return i ? (lang === 'en' ? i.nameEn ?? i.name : i.name) : code; };
  const shares = c.members ?? [];
  const by = c.initiatedBy === 'insurer' ? t.byInsurer! : t.byPolicyholder!;
  return {
    htmlLang: lang, t, pdfTitle: `${t.title} ${c.number}`,
    number: c.number, policyNumber: policy.policyNumber, endorsedOn: c.cancelledAt ? chinaDate(new Date(c.cancelledAt)) : '',
    insurerName: insurer ? (lang === 'en' ? insurer.nameEn ?? insurer.name : insurer.name) : policy.result.insurer,
    productName: pick(version.definition.name, lang), productVersion: policy.productVersion, enterpriseName: policy.enterpriseName,
    brokerName: broker ? (lang === 'en' ? broker.nameEn ?? broker.name : broker.name) : '',
    periodText: fill(t.periodText!, { start: policy.startDate, end: policy.endDate }), effectiveText: fill(t.effectiveText!, { date: c.effectiveDate }), reason: c.reason,
    changes: [
      { label: t.statusItem, before: t.statusBefore, after: fill(t.statusAfter!, { date: c.effectiveDate, by }) },
      { label: t.basisItem, before: '', after: basisText(c, t) },
      { label: fill(t.repay!, { amount: '' }).replace(/[：:]\s*$/, ''), before: '', after: yuanDigits(c.subsidyToRepayFen) },
    ],
    before: { gross: yuanDigits(c.premiumDueFen), net: '', vat: '' }, after: parts(c.kept), difference: parts(c.refund),
    daysText: yuanDigits(c.premiumReceivedFen),
    differenceLabel: c.refund.grossPremiumFen > 0 ? t.differenceRefund : t.differenceNone,
    members: shares.map((m) => ({ name: nameOf(m.insurer), role: m.role === 'lead' ? t.lead : t.follower, share: `${m.sharePercent}%`, ...parts(m) })),
    subsidyTitle: shares.length ? t.subsidyTitle : t.subsidyTitleNoPool,
    subsidies: c.subsidyLayers.map((l) => ({ name: pick(l.name, lang), before: yuanDigits(l.beforeFen), after: yuanDigits(l.afterFen) })),
  };
}

export interface CancellationPdfs {
  /** The 退保批单 of a cancelled policy the caller may see (404 when it is not cancelled). */
  cancellationPdf(caller: Caller, policyId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile>;
}

/** The 退保批单 PDFs over the documents' renderer and template environment. */
export function createCancellationPdfs(
  engine: Templates, print: (html: string, title: string, metadataDate: Date) => Promise<Buffer>,
  load: (caller: Caller, policyId: string) => Promise<{ record: PolicyRecord; cancellation: CancellationView | undefined }>,
): CancellationPdfs {
  const labelsOf = (lang: DocumentLang) => ({ ...JSON.parse(engine.file(`documents/labels/endorsement.${lang}.json`)) as Labels, ...JSON.parse(engine.file(`documents/labels/cancellation.${lang}.json`)) as Labels });
  const labels = { 'zh-CN': labelsOf('zh-CN'), en: labelsOf('en') };
  const rendered = new Map<string, { bytes: Buffer; sha: string }>();
  return {
    async cancellationPdf(caller, policyId, lang, ifNoneMatch) {
      const { record, cancellation } = await load(caller, policyId); // 404 for a policy the caller may not see
      if (!cancellation) throw notFound('The cancellation of the policy');
      const key = `${cancellation.number}:${lang}:${engine.version('documents')}`;
      let file = rendered.get(key);
      if (!file) {
        const view = await cancellationView(record, cancellation, lang, labels[lang]);
        const bytes = await print(engine.render('documents/endorsement', view), view.pdfTitle, new Date(cancellation.cancelledAt ?? record.issuedAt));
        file = { bytes, sha: sha256(bytes) };
        if (rendered.size >= 256) rendered.delete(rendered.keys().next().value!);
        rendered.set(key, file);
      }
      const etag = `"${file.sha}"`;
      return {
        fileName: `${labels[lang].fileName}-${cancellation.number}.pdf`, asciiFileName: `cancellation-${cancellation.number}${lang === 'en' ? '' : '-zh'}.pdf`,
        etag, bytes: matchesEtag(ifNoneMatch, etag) ? undefined : file.bytes,
      };
    },
  };
}
