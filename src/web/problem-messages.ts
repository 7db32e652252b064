// The workbench's problems in the reader's language. The catalogue and the rating core word
// their details in English for the API (`band overlaps row 2`, 0-based rows); the pages read
// each known wording back into a message of the catalogue, rows counted from 1 as the grid
// numbers them. A wording not known here shows a plain "not accepted" in the page's language,
// the API's words kept in a tooltip for whoever reports it.
import { RATE_PLACEHOLDER } from '../rating/index.ts';
import { translate, type Lang } from './web-messages.ts';

type Vars = Record<string, string | number>;

/** An English wording, the message it becomes and how its groups fill the message. */
const WORDINGS: [RegExp, string, (m: RegExpExecArray) => Vars][] = [
  [/^"(.*)" is not a number$/, 'wb_notNumber', (m) => ({ value: m[1]! })],
  [/^"(.*)" is not a whole number$/, 'wb_notWhole', (m) => ({ value: m[1]! })],
  [/^must be true or false$/, 'wb_notYesNo', () => ({})],
  [/^must be one of (.*)$/, 'wb_notChoice', (m) => ({ options: m[1]! })],
  [/^is not valid JSON/, 'wb_notJson', () => ({})],
  [/^"(.*)" is not a condition like/, 'wb_notCondition', (m) => ({ value: m[1]! })],
  [/^must keep its (\d+) row\(s\)$/, 'wb_keepRows', (m) => ({ n: m[1]! })],
  [/^band is empty$/, 'wb_bandEmpty', () => ({})],
  [/^only the first band may be open below$/, 'wb_openBelow', () => ({})],
  [/^only the last band may be open above$/, 'wb_openAbove', () => ({})],
  // The core counts rows from 0: "overlaps row 1" is the grid's row 2.
  [/^band overlaps row (\d+)$/, 'wb_bandOverlaps', (m) => ({ row: Number(m[1]) + 1 })],
  // "after row i" names the previous row's index + 1, the grid's number already.
  [/^leaves a gap after row (\d+) \((.*) to (.*)\); the bands must meet$/, 'wb_bandGap', (m) => ({ row: m[1]!, from: m[2]!, to: m[3]! })],
  [/^empty range (.*)–(.*)$/, 'wb_emptyRange', (m) => ({ min: m[1]!, max: m[2]! })],
  [/^default pick (.*) is outside (.*)–(.*)$/, 'wb_defaultOutside', (m) => ({ value: m[1]!, min: m[2]!, max: m[3]! })],
  [/^a row needs exactly one of coefficient or range$/, 'wb_coefficientOrRange', () => ({})],
  [/^duplicate (?:row|section|step|coverage) (.*)$/, 'wb_duplicateRow', (m) => ({ key: m[1]! })],
  [/^(.*) already belongs to row (\d+)$/, 'wb_valueTaken', (m) => ({ value: m[1]!, row: Number(m[2]) + 1 })],
  [/^value (.*) of .* has no row$/, 'wb_valueNoRow', (m) => ({ value: m[1]! })],
  [/^(.*) is not a value of .*$/, 'wb_notValueOf', (m) => ({ value: m[1]! })],
  [/^shares must add up to 100$/, 'wb_sharesTotal', () => ({})],
  [/^a pool has exactly one lead$/, 'wb_oneLead', () => ({})],
  [/^states (.*)% but the rate is (.*)%/, 'wb_staleLabel', (m) => ({ stated: m[1]!, rate: m[2]!, placeholder: RATE_PLACEHOLDER })],
  [/^is required unless the section is a shareOf$/, 'wb_rateRequired', () => ({})],
  [/^unknown coverage (.*)$/, 'wb_unknownCoverage', (m) => ({ value: m[1]! })],
  [/^unknown quantity (.*)$/, 'wb_unknownQuantity', (m) => ({ value: m[1]! })],
  [/^a rule needs at least one condition$/, 'wb_ruleNeedsCondition', () => ({})],
  [/^a referral names the authority needed$/, 'wb_referralAuthority', () => ({})],
  [/^must be today \((.*)\) or later \(not-in-past\)$/, 'wb_notInPast', (m) => ({ today: m[1]! })],
  [/^must be at most (\d+) characters \(maxLength\)$/, 'wb_tooLong', (m) => ({ n: m[1]! })],
  [/^must be a date YYYY-MM-DD \(format\)$/, 'wb_badDate', () => ({})],
  [/^clashes with published version (\S+) \(effective-dates\)$/, 'wb_clash', (m) => ({ version: m[1]! })],
  [/^must be submitted for approval by one insurer admin and published by another \(four-eyes\)$/, 'wb_fourEyesNotSubmitted', () => ({})],
  [/^changed since it was submitted; must be submitted again \(four-eyes\)$/, 'wb_fourEyesChanged', () => ({})],
  [/^must be published by an admin of the product's insurer \(four-eyes\)$/, 'wb_fourEyesInsurer', () => ({})],
  [/^must be published by an admin other than its submitter (.*) \(four-eyes\)$/, 'wb_fourEyesSubmitter', (m) => ({ name: m[1]! })],
];

/** A problem for the page: its text in the reader's language, and the API's words when they differ. */
export interface ShownProblem {
  message: string;
  detail?: string;
}

/** One detail message of the API in the reader's language. */
export function problemText(message: string, lang: Lang): ShownProblem {
  for (const [pattern, key, vars] of WORDINGS) {
    const m = pattern.exec(message);
    if (m) return { message: translate(key, lang, vars(m)) };
  }
  return { message: translate('wb_notAccepted', lang), detail: message };
}

/** A failing test vector's detail (`definition.testVectors[name=…]`) as the vector's name, else undefined. */
export function failingVectorName(path: string): string | undefined {
  return /^definition\.testVectors\[name=(.*)\]$/.exec(path)?.[1];
}
