// The policy schedule reprinted after an endorsement: the schedule stored at issue stays as it was
// (a contract: policy-schedules.ts); once a policy has endorsements, its download is the schedule
// of the current terms — the inputs after the latest endorsement, rated again on the version the
// policy was issued on with its own picks and context (the same figures the endorsement stored) —
// with the list of endorsements. Rendered on demand and kept per process by policy, language and
// endorsement count (what it shows cannot change until the next endorsement).
import type { Caller } from '../auth/caller.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import type { StoredEndorsement } from '../policies/endorsement-service.ts';
import { withRatingErrors } from '../quotes/rating-errors.ts';
import { chinaDate, evaluateQuote } from '../rating/index.ts';
import { loadDocumentSource } from './document-source.ts';
import type { DocumentPrinter } from './document-printer.ts';
import type { DocumentTemplates } from './document-templates.ts';
import { yuanDigits } from './document-format.ts';
import type { DocumentLang } from './document-view.ts';
import { asciiFileNameOf, fileNameOf, matchesEtag, sha256, type PdfFile } from './pdf-file.ts';

type Labels = Record<string, string>;

export function createScheduleReprints(printer: DocumentPrinter, templates: DocumentTemplates) {
  const labels = { 'zh-CN': JSON.parse(templates.engine.file('documents/labels/endorsement.zh-CN.json')) as Labels, en: JSON.parse(templates.engine.file('documents/labels/endorsement.en.json')) as Labels };
  const kept = new Map<string, { bytes: Buffer; sha: string; fileName: string }>();

  async function render(policy: PolicyRecord, history: readonly StoredEndorsement[], lang: DocumentLang) {
    const latest = history.at(-1)!;
    const version = await findPinnedVersion(policy.productCode, policy.productVersion);
    const result = withRatingErrors(() => evaluateQuote(version.compiled, latest.terms.inputs, policy.picks, policy.context));
    const source = await loadDocumentSource('policy', { ...policy, inputs: latest.terms.inputs, result }, {
      status: 'bound', quoteDate: '', validUntil: '', policyNumber: policy.policyNumber, issuedOn: chinaDate(policy.issuedAt), issued: { at: policy.issuedAt, by: policy.boundBy?.userName },
    });
    const t = labels[lang];
    const base = templates.view(source, lang);
    // What the enterprise pays is the premium due: as issued plus each endorsement's difference (by
    // days remaining), not the current terms' annual premium; the net cost takes the current subsidies off it.
    const dueFen = policy.grossPremiumFen + history.reduce((sum, { view: e }) => sum + e.difference.grossPremiumFen, 0);
    const subsidiesFen = result.enterprisePaysFen - result.expectedNetCostFen;
    const view = {
      ...base,
      t: { ...base.t, enterprisePays: t.scheduleEnterprisePays! },
      enterprisePays: yuanDigits(dueFen),
      netCost: yuanDigits(dueFen - subsidiesFen),
      endorsements: {
        title: t.scheduleListTitle, note: t.scheduleNote, headers: { number: t.endorsementNumber, effective: t.effectiveDate, reason: t.reason, difference: t.scheduleDifference },
        rows: history.map(({ view: e }) => ({ number: e.number, effectiveDate: e.effectiveDate, reason: e.reason, difference: yuanDigits(e.difference.grossPremiumFen) })),
      },
    };
    const bytes = await printer.print(templates.renderHtml(view), view.pdfTitle, new Date(latest.view.endorsedAt ?? policy.issuedAt));
    return { bytes, sha: sha256(bytes), fileName: fileNameOf('policy', `${policy.policyNumber}-${latest.view.number.slice(policy.policyNumber.length + 1)}`, view.t) };
  }

  /** The schedule of the current terms with the endorsement list (`history` not empty). */
  return async function reprint(_caller: Caller, policy: PolicyRecord, history: readonly StoredEndorsement[], lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile> {
    const key = `${policy.id}:${lang}:${history.length}:${templates.version}`;
    let file = kept.get(key);
    if (!file) {
      file = await render(policy, history, lang);
      if (kept.size >= 256) kept.delete(kept.keys().next().value!);
      kept.set(key, file);
    }
    const etag = `"${file.sha}"`;
    return { fileName: file.fileName, asciiFileName: asciiFileNameOf('policy', policy.policyNumber, lang), etag, bytes: matchesEtag(ifNoneMatch, etag) ? undefined : file.bytes };
  };
}
