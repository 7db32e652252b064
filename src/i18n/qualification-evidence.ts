// The line a quote, its PDF and the subsidy application print under a layer (#27): which
// department's list its qualifications were verified against, or that they are as declared.
import { joinList } from './pick.ts';
import { nameOf, translate, type Lang } from './messages.ts';

/** "Verified against the first-set catalogue of 2026-12-07" / "As declared, not verified: …", one per list or declared set. */
export function evidenceLines(evidence: { verification?: { kind: string; listDate: string; held: boolean }[] | undefined; declared?: string[] | undefined }, lang: Lang): string[] {
  const lines = (evidence.verification ?? []).map((v) =>
    translate(v.held ? 'evidence_verified' : 'evidence_notHeld', lang, { list: nameOf('qualList', v.kind, lang), date: v.listDate }));
  if (evidence.declared && evidence.declared.length > 0) lines.push(translate('evidence_declared', lang, { list: joinList(evidence.declared.map((q) => nameOf('qual', q, lang)), lang) }));
  return lines;
}
