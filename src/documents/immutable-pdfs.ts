// What the 批单 (endorsement-document.ts) and the 退保批单 (cancellation-document.ts) share: the
// policy's head (insurer, product, insured, broker, period) and the pool members' and subsidy
// layers' tables in the reader's language, and their rendering. Both never change once made, so
// their bytes are kept per process by their number and language (a cache keyed by an immutable
// number, bounded); the ETag is their sha256, the file names those of pdf-file.ts.
import { getOrganisation } from '../auth/auth-service.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import type { Templates } from '../http/templates.ts';
import { nameIn } from '../i18n/pick.ts';
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import type { LocalText } from '../rating/rating-result.ts';
import { fill, pick, yuanDigits } from './document-format.ts';
import type { DocumentLang } from './document-view.ts';
import { asciiFileNameOf, fileNameOf, matchesEtag, sha256, type PdfFile } from './pdf-file.ts';

export type Labels = Record<string, string>;
type Money = { grossPremiumFen: number; netPremiumFen: number; vatFen: number };
type Share = Money & { insurer: string; role: string; sharePercent: number | string };

/** A premium's gross, net and VAT in yuan digits. */
export const parts = (p: Money) => ({ gross: yuanDigits(p.grossPremiumFen), net: yuanDigits(p.netPremiumFen), vat: yuanDigits(p.vatFen) });

/** The policy's head, members and subsidy layers of a 批单 in one language (names, not codes). */
export async function policyHeadOf(policy: PolicyRecord, lang: DocumentLang, t: Labels, members: readonly Share[], layers: readonly { name: LocalText; beforeFen: number; afterFen: number }[]) {
  const [version, insurers, broker] = await Promise.all([
    findPinnedVersion(policy.productCode, policy.productVersion), insurerDirectory(), getOrganisation(null, policy.brokerOrganisationId).catch(() => undefined),
  ]);
  const insurerName = (code: string) => { const i = insurers.get(code); return i ? nameIn(i, lang) : code; };
  return {
    version,
    head: {
      htmlLang: lang, t, policyNumber: policy.policyNumber, insurerName: insurerName(policy.result.insurer),
      productText: fill(t.productText!, { name: pick(version.definition.name, lang), version: policy.productVersion }),
      enterpriseName: policy.enterpriseName, brokerName: broker ? nameIn(broker, lang) : '',
      periodText: fill(t.periodText!, { start: policy.startDate, end: policy.endDate }),
      members: members.map((m) => ({ name: insurerName(m.insurer), role: m.role === 'lead' ? t.lead : t.follower, share: `${m.sharePercent}%`, ...parts(m) })),
      subsidyTitle: members.length ? t.subsidyTitle : t.subsidyTitleNoPool,
      subsidies: layers.map((l) => ({ name: pick(l.name, lang), before: yuanDigits(l.beforeFen), after: yuanDigits(l.afterFen) })),
    },
  };
}

/** One immutable document to send: its number, the date its PDF carries and its view in a language. */
export interface ImmutableDocument {
  number: string;
  metadataDate: Date;
  view(t: Labels): Promise<{ pdfTitle: string }>;
}

/**
 * The PDFs of one kind of immutable document: `documents/<kind>.hbs` with
 * labels/endorsement.<lang>.json (the shared head) overlaid by labels/<kind>.<lang>.json.
 */
export function createImmutablePdfs(
  engine: Templates, print: (html: string, title: string, metadataDate: Date) => Promise<Buffer>,
  kind: 'endorsement' | 'cancellation', cacheEntries = 256,
) {
  const labelsOf = (lang: DocumentLang): Labels => ({
    ...JSON.parse(engine.file(`documents/labels/endorsement.${lang}.json`)) as Labels,
    ...(kind === 'endorsement' ? {} : JSON.parse(engine.file(`documents/labels/${kind}.${lang}.json`)) as Labels),
  });
  const labels = { 'zh-CN': labelsOf('zh-CN'), en: labelsOf('en') };
  const rendered = new Map<string, { bytes: Buffer; sha: string }>();
  return async (doc: ImmutableDocument, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile> => {
    const key = `${doc.number}:${lang}:${engine.version('documents')}`;
    let file = rendered.get(key);
    if (!file) {
      const view = await doc.view(labels[lang]);
      const bytes = await print(engine.render(`documents/${kind}`, view), view.pdfTitle, doc.metadataDate);
      file = { bytes, sha: sha256(bytes) };
      if (rendered.size >= cacheEntries) rendered.delete(rendered.keys().next().value!);
      rendered.set(key, file);
    }
    const etag = `"${file.sha}"`;
    return {
      fileName: fileNameOf(kind, doc.number, labels[lang]), asciiFileName: asciiFileNameOf(kind, doc.number, lang),
      etag, bytes: matchesEtag(ifNoneMatch, etag) ? undefined : file.bytes,
    };
  };
}
