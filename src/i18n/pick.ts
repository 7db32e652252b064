// The one language picker: what a reader of zh-CN or en pages and documents sees of a text
// written in both languages, of an organisation's names, or of two language-bound choices
// (punctuation, separators). Every page, document and file asks here.
import type { Lang } from '../http/common-schemas.ts';
import type { LocalText } from '../rating/rating-result.ts';

/** A text in both languages (product definitions, programmes, rule reasons): the engine's type. */
export type { LocalText };

/** The text (or any value) in the reader's language; '' when there is no text. */
export function pick<T = string>(text: { zh: T; en: T }, lang: Lang): T;
export function pick(text: LocalText | undefined, lang: Lang): string;
export function pick(text: { zh: unknown; en: unknown } | undefined, lang: Lang): unknown {
  if (!text) return '';
  return lang === 'en' ? text.en : text.zh;
}

/** An organisation's registered names: the Chinese one, and the English one where it has one. */
export interface OrganisationNames { name: string; nameEn?: string | undefined }

/** An organisation's name in the reader's language: English readers get its English name where it has one, else its Chinese one. */
export function nameIn(organisation: OrganisationNames, lang: Lang): string {
  return lang === 'en' && organisation.nameEn ? organisation.nameEn : organisation.name;
}

/** Items of a list in the reader's punctuation: 甲、乙 / a, b. */
export const joinList = (items: readonly string[], lang: Lang): string => items.join(pick({ zh: '、', en: ', ' }, lang));

/** Messages one after another in the reader's punctuation: 甲；乙 / a; b. */
export const joinClauses = (items: readonly string[], lang: Lang): string => items.join(pick({ zh: '；', en: '; ' }, lang));
