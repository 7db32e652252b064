// The contract terms and the state of a document: where the quote or policy stands now and who
// decided it when (Beijing time), the underwriting opinion (核保意见), the special conditions
// (特别约定: from the underwriter's decision and the product's clauses), payment terms, dispute
// resolution and the insurer's contact. Pure; buildDocumentView (document-view.ts) calls these.
import { addDays, chinaDateTime, instalmentSchedule, type DecisionReason } from '../rating/index.ts';
import { nameIn } from '../i18n/pick.ts';
import { cap1, fill, yuanDigits, pick } from './document-format.ts';
import type { DocumentLabels, DocumentLang, DocumentSource, DocumentView, OrganisationFacts } from './document-view.ts';

/** Days after issue within which the premium is due, when the product declares no payment clause. */
const DEFAULT_PAYMENT_DAYS = 15;

/** Clause keys a product may declare to replace the standard payment and dispute texts. */
const PAYMENT_CLAUSE = 'payment-terms';
const DISPUTE_CLAUSE = 'dispute-resolution';

const reasonsText = (reasons: DecisionReason[], lang: DocumentLang, t: DocumentLabels): string =>
  reasons.map((r) => pick(r.reason, lang)).join(t.listSeparator!);

/** "核保人 李核保（科创…），2026-11-30 15:30（北京时间）" for a decided quote. */
function decidedLine(source: DocumentSource, insurerName: string, t: DocumentLabels): string | undefined {
  const uw = source.underwriting;
  if (!uw) return undefined;
  return fill(t.decidedBy!, { name: uw.by, org: insurerName, time: chinaDateTime(uw.at) });
}

/** Where the quote or policy stands now, in words, with who decided and when. */
export function stateOf(source: DocumentSource, lang: DocumentLang, t: DocumentLabels, insurerName: string, brokerName: string | undefined): DocumentView['state'] {
  const decided = decidedLine(source, insurerName, t);
  if (source.kind === 'policy') {
    const issued = source.issued;
    const lines = issued ? [fill(t.issuedBy!, { time: chinaDateTime(issued.at), name: issued.by ?? '', org: brokerName ?? '' })] : [];
    return { label: t.stateIssued!, tone: 'ok', lines: decided ? [...lines, decided] : lines };
  }
  const status = source.status;
  const label = t[`state${cap1(status)}`] ?? status;
  const tone = status === 'declined' ? 'bad' : status === 'referred' ? 'warn' : 'ok';
  const lines: string[] = [];
  if (status === 'referred') lines.push(fill(t.referredFor!, { reasons: reasonsText(source.result.decision.reasons, lang, t) }));
  if (decided) lines.push(decided);
  return { label, tone, lines };
}

/** 核保意见: automatic acceptance, the pending referral, or the underwriter's decision and note. */
export function opinionOf(source: DocumentSource, lang: DocumentLang, t: DocumentLabels): string[] {
  const uw = source.underwriting;
  if (!uw) {
    const reasons = source.result.decision.reasons;
    if (source.status === 'referred') return [fill(t.opinionPending!, { reasons: reasonsText(reasons, lang, t) })];
    return [t.opinionAuto!];
  }
  const lines = [fill(uw.action === 'approve' ? t.opinionApproved! : t.opinionDeclined!, { reasons: reasonsText(uw.reasons, lang, t) })];
  if (uw.note) lines.push(fill(t.opinionNote!, { note: uw.note }));
  for (const change of uw.changes) lines.push(fill(t.opinionChange!, { step: pick(change.label, lang), from: change.from, to: change.to }));
  return lines;
}

/** 特别约定: the underwriter's conditions first, then the product's clauses (payment and dispute have their own sections). */
export function specialTermsOf(source: DocumentSource, lang: DocumentLang, t: DocumentLabels): string[] {
  const terms: string[] = [];
  const uw = source.underwriting;
  if (uw?.action === 'approve') {
    terms.push(fill(t.termReferral!, { reasons: reasonsText(uw.reasons, lang, t) }));
    if (uw.note) terms.push(fill(t.termNote!, { note: uw.note }));
    for (const change of uw.changes) terms.push(fill(t.termChange!, { step: pick(change.label, lang), from: change.from, to: change.to }));
  }
  for (const clause of source.definition.clauses) {
    if (clause.key === PAYMENT_CLAUSE || clause.key === DISPUTE_CLAUSE) continue;
    terms.push(`${pick(clause.title, lang)}${t.termColon}${pick(clause.text, lang)}`);
  }
  return terms;
}

/** 缴费方式及期限: lump sum within the declared days of issue (the due date on a policy). */
export function paymentOf(source: DocumentSource, lang: DocumentLang, t: DocumentLabels): DocumentView['payment'] {
  const clause = source.definition.clauses.find((c) => c.key === PAYMENT_CLAUSE);
  const days = String(DEFAULT_PAYMENT_DAYS);
  const due = clause
    ? pick(clause.text, lang)
    : source.kind === 'policy' && source.issuedOn
      ? fill(t.paymentDueDate!, { date: addDays(source.issuedOn, DEFAULT_PAYMENT_DAYS), days })
      : fill(t.paymentDueDays!, { days });
  if (source.definition.instalments?.length) {
    // 分期缴费 (#26): the schedule itself is printed beneath (instalmentsOf).
    return [
      { label: t.paymentMethod!, value: fill(t.paymentInstalments!, { n: String(source.definition.instalments.length) }) },
      { label: t.paymentTerm!, value: t.paymentInstalmentTerm! },
      { label: t.paymentAmount!, value: fill(t.paymentAmountText!, { amount: yuanDigits(source.result.grossPremiumFen) }) },
    ];
  }
  return [
    { label: t.paymentMethod!, value: t.paymentLumpSum! },
    { label: t.paymentTerm!, value: due },
    { label: t.paymentAmount!, value: fill(t.paymentAmountText!, { amount: yuanDigits(source.result.grossPremiumFen) }) },
  ];
}

/** The instalment schedule the product declares (分期缴费, #26), laid on the start date and gross premium to the fen; undefined without one. */
export function instalmentsOf(source: DocumentSource): DocumentView['instalments'] {
  const rules = source.definition.instalments;
  if (!rules?.length) return undefined;
  return instalmentSchedule(rules, source.startDate, source.result.grossPremiumFen).map((i) => ({ n: String(i.n), dueDate: i.dueDate, share: `${i.percent}%`, amount: yuanDigits(i.amountFen) }));
}

/** 争议处理: the product's clause, or the standard negotiation → arbitration → court clause. */
export function disputeOf(source: DocumentSource, lang: DocumentLang, t: DocumentLabels): string {
  const clause = source.definition.clauses.find((c) => c.key === DISPUTE_CLAUSE);
  return clause ? pick(clause.text, lang) : t.disputeStandard!;
}

/** The issuing insurer's address and customer-service line (absent fields stay empty). */
export function contactOf(org: OrganisationFacts | undefined, lang: DocumentLang): DocumentView['insurerContact'] {
  const address = (org && nameIn({ name: org.address ?? '', nameEn: org.addressEn }, lang)) || undefined;
  return { address, phone: org?.servicePhone };
}
