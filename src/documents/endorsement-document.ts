// The endorsement (批单) of a policy as a PDF, in Chinese or English: what changed (names, not
// field codes; money with its unit), the premium before and after, the difference by days
// remaining with its VAT split, each pool member's part and every subsidy layer before and after.
// templates/documents/endorsement.hbs with labels/endorsement.<lang>.json, rendered on demand and
// kept per process (immutable-pdfs.ts: an endorsement never changes).
import type { Caller } from '../auth/caller.ts';
import { notFound } from '../http/app-error.ts';
import type { Templates } from '../http/templates.ts';
import { translate } from '../i18n/messages.ts';
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import type { StoredEndorsement } from '../policies/endorsement-service.ts';
import { chinaDate, type ProductDefinition } from '../rating/index.ts';
import { fill, formatDecimal, pick } from './document-format.ts';
import type { DocumentLang } from './document-view.ts';
import { createImmutablePdfs, parts, policyHeadOf, type Labels } from './immutable-pdfs.ts';
import type { PdfFile } from './pdf-file.ts';

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
  if (typeof value === 'boolean') return translate(value ? 'yes' : 'no', lang);
  if (Array.isArray(value)) return value.map((v) => (v && typeof v === 'object' ? Object.values(v as object).filter((x) => typeof x !== 'object').join(' ') : String(v))).join('; ');
  return String(value);
}

/** The view of a 批单 in one language. */
async function endorsementView(policy: PolicyRecord, stored: StoredEndorsement, lang: DocumentLang, t: Labels) {
  const { view } = stored;
  const { version, head } = await policyHeadOf(policy, lang, t, view.members ?? [], view.subsidyLayers);
  const fields = version.definition.form.fields;
  return {
    ...head, pdfTitle: `${t.title} ${view.number}`,
    number: view.number, endorsedOn: view.endorsedAt ? chinaDate(new Date(view.endorsedAt)) : '',
    effectiveText: fill(t.effectiveText!, { date: view.effectiveDate }), reason: view.reason,
    changes: (view.changes ?? []).map((c) => {
      const field = fields.find((f) => f.key === c.field);
      return { label: pick(c.label, lang), before: valueText(field, c.before, lang, t), after: valueText(field, c.after, lang, t) };
    }),
    before: parts(view.before), after: parts(view.after), difference: parts(view.difference),
    daysText: fill(t.daysText!, { left: String(view.daysLeft), total: String(view.periodDays) }),
    repayText: '', // a 批单 recomputes the subsidies; only a 退保批单 asks some back
    differenceLabel: view.difference.kind === 'charge' ? t.differenceCharge : view.difference.kind === 'refund' ? t.differenceRefund : t.differenceNone,
  };
}

/** The 批单 PDFs over the documents' renderer and template environment: endorsement `n` of a policy the caller may see (404 when there is none). */
export function createEndorsementPdfs(
  engine: Templates, print: (html: string, title: string, metadataDate: Date) => Promise<Buffer>,
  load: (caller: Caller, policyId: string) => Promise<{ record: PolicyRecord; endorsements: StoredEndorsement[] }>,
) {
  const send = createImmutablePdfs(engine, print, 'endorsement');
  return async (caller: Caller, policyId: string, n: number, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile> => {
    const { record, endorsements } = await load(caller, policyId); // 404 for a policy the caller may not see
    const stored = endorsements[n - 1];
    if (!stored) throw notFound(`Endorsement ${n} of the policy`);
    return send({
      number: stored.view.number, metadataDate: new Date(stored.view.endorsedAt ?? record.issuedAt),
      view: (t) => endorsementView(record, stored, lang, t),
    }, lang, ifNoneMatch);
  };
}
