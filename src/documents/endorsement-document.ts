// The endorsement (批单) of a policy as a PDF, in Chinese or English: what changed (names, not
// field codes; money with its unit), the premium before and after, the difference by days
// remaining with its VAT split, each pool member's part and every subsidy layer before and after.
// templates/documents/endorsement.hbs with labels/endorsement.<lang>.json, on the documents' one
// renderer. Rendered on demand: an endorsement never changes, so its bytes are kept per process by
// its id and language (a cache keyed by an immutable id); the ETag is their sha256.
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { getOrganisation } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { notFound } from '../http/app-error.ts';
import type { Templates } from '../http/templates.ts';
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import type { StoredEndorsement } from '../policies/endorsement-service.ts';
import { chinaDate, type ProductDefinition } from '../rating/index.ts';
import { fill, formatDecimal, pick, yuanDigits } from './document-format.ts';
import type { DocumentLang } from './document-view.ts';
import { matchesEtag, sha256, type PdfFile } from './pdf-file.ts';

type Labels = Record<string, string>;
type FormField = ProductDefinition['form']['fields'][number];

/** A form value as a reader reads it: an option's name, money with its unit, yes/no, a list's size. */
function valueText(field: FormField | undefined, value: unknown, lang: DocumentLang, t: Labels): string {
  if (value === undefined || value === null || value === '') return t.empty!;
  if (field && 'options' in field && Array.isArray(field.options)) {
    const option = field.options.find((o) => o.value === value);
    if (option) return pick(option.label, lang);
  }
  if (typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) {
    const unit = field && 'unit' in field && typeof field.unit === 'string' ? field.unit : '';
    const unitText = unit === '万元' && lang === 'en' ? ' (10k CNY)' : unit === '%' ? '%' : unit ? ` ${unit}` : '';
    return `${formatDecimal(value)}${unitText}`;
  }
  if (typeof value === 'boolean') return lang === 'en' ? (value ? 'Yes' : 'No') : (value ? '是' : '否');
  if (Array.isArray(value)) return value.map((v) => (v && typeof v === 'object' ? Object.values(v as object).filter((x) => typeof x !== 'object').join(' ') : String(v))).join('; ');
  return String(value);
}

const parts = (p: { grossPremiumFen: number; netPremiumFen: number; vatFen: number }) => ({ gross: yuanDigits(p.grossPremiumFen), net: yuanDigits(p.netPremiumFen), vat: yuanDigits(p.vatFen) });

/** The view of a 批单 in one language. */
export async function endorsementView(policy: PolicyRecord, stored: StoredEndorsement, lang: DocumentLang, t: Labels) {
  const { view } = stored;
  const [version, insurers, broker] = await Promise.all([
    findPinnedVersion(policy.productCode, policy.productVersion), insurerDirectory(), getOrganisation(null, policy.brokerOrganisationId).catch(() => undefined),
  ]);
  const fields = version.definition.form.fields;
  const insurer = insurers.get(policy.result.insurer);
  const nameOf = (code: string) => { const i = insurers.get(code); return i ? (lang === 'en' ? i.nameEn ?? i.name : i.name) : code; };
  const shares = view.members ?? [];
  return {
    htmlLang: lang, t, pdfTitle: `${t.title} ${view.number}`,
    number: view.number, policyNumber: policy.policyNumber, endorsedOn: view.endorsedAt ? chinaDate(new Date(view.endorsedAt)) : '',
    insurerName: insurer ? (lang === 'en' ? insurer.nameEn ?? insurer.name : insurer.name) : policy.result.insurer,
    productName: pick(version.definition.name, lang), productVersion: policy.productVersion, enterpriseName: policy.enterpriseName,
    brokerName: broker ? (lang === 'en' ? broker.nameEn ?? broker.name : broker.name) : '',
    periodText: fill(t.periodText!, { start: policy.startDate, end: policy.endDate }), effectiveText: fill(t.effectiveText!, { date: view.effectiveDate }), reason: view.reason,
    changes: (view.changes ?? []).map((c) => {
      const field = fields.find((f) => f.key === c.field);
      return { label: pick(c.label, lang), before: valueText(field, c.before, lang, t), after: valueText(field, c.after, lang, t) };
    }),
    before: parts(view.before), after: parts(view.after), difference: parts(view.difference),
    daysText: fill(t.daysText!, { left: String(view.daysLeft), total: String(view.periodDays) }),
    differenceLabel: view.difference.kind === 'charge' ? t.differenceCharge : view.difference.kind === 'refund' ? t.differenceRefund : t.differenceNone,
    members: shares.map((m) => ({ name: nameOf(m.insurer), role: m.role === 'lead' ? t.lead : t.follower, share: `${m.sharePercent}%`, ...parts(m) })),
    subsidyTitle: shares.length ? t.subsidyTitle : t.subsidyTitleNoPool,
    subsidies: view.subsidyLayers.map((l) => ({ name: pick(l.name, lang), before: yuanDigits(l.beforeFen), after: yuanDigits(l.afterFen) })),
  };
}

export interface EndorsementPdfs {
  /** The 批单 of endorsement `n` of a policy the caller may see (404 when there is none). */
  endorsementPdf(caller: Caller, policyId: string, n: number, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile>;
}

/** The 批单 PDFs over the documents' renderer and template environment. */
export function createEndorsementPdfs(
  engine: Templates, print: (html: string, title: string, metadataDate: Date) => Promise<Buffer>,
  load: (caller: Caller, policyId: string) => Promise<{ record: PolicyRecord; endorsements: StoredEndorsement[] }>,
): EndorsementPdfs {
  const labels = { 'zh-CN': JSON.parse(engine.file('documents/labels/endorsement.zh-CN.json')) as Labels, en: JSON.parse(engine.file('documents/labels/endorsement.en.json')) as Labels };
  const rendered = new Map<string, { bytes: Buffer; sha: string }>();
  return {
    async endorsementPdf(caller, policyId, n, lang, ifNoneMatch) {
      const { record, endorsements } = await load(caller, policyId); // 404 for a policy the caller may not see
      const stored = endorsements[n - 1];
      if (!stored) throw notFound(`Endorsement ${n} of the policy`);
      const key = `${stored.view.number}:${lang}:${engine.version('documents')}`;
      let file = rendered.get(key);
      if (!file) {
        const view = await endorsementView(record, stored, lang, labels[lang]);
        const bytes = await print(engine.render('documents/endorsement', view), view.pdfTitle, new Date(stored.view.endorsedAt ?? record.issuedAt));
        file = { bytes, sha: sha256(bytes) };
        if (rendered.size >= 256) rendered.delete(rendered.keys().next().value!);
        rendered.set(key, file);
      }
      const etag = `"${file.sha}"`;
      return {
        fileName: `${labels[lang].fileName}-${stored.view.number}.pdf`, asciiFileName: `endorsement-${stored.view.number}${lang === 'en' ? '' : '-zh'}.pdf`,
        etag, bytes: matchesEtag(ifNoneMatch, etag) ? undefined : file.bytes,
      };
    },
  };
}
