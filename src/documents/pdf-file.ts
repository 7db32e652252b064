// A PDF as the documents routes send it (file names, strong ETag, bytes), and the conditional-request check.
import { createHash } from 'node:crypto';
import type { DocumentKind, DocumentLang } from './document-view.ts';

export interface PdfFile {
  fileName: string;
  /** ASCII file name for the plain `filename=` of Content-Disposition. */
  asciiFileName: string;
  /** Quoted strong ETag: the sha256 of the stored bytes (policies) or of the render inputs (quotes). */
  etag: string;
  /** Absent when the caller's If-None-Match already names this ETag (answer 304). */
  bytes: Buffer | undefined;
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** True when an If-None-Match header names the ETag (or is `*`). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^"|"$/g, '');
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return t === '*' || t === bare;
  });
}

/** The kinds of PDF the documents send: quotations and schedules, 批单 and 退保批单. */
export type PdfKind = DocumentKind | 'endorsement' | 'cancellation';

const ASCII_NAMES: Record<PdfKind, string> = { quote: 'quotation', policy: 'policy-schedule', endorsement: 'endorsement', cancellation: 'cancellation' };

/** 报价单-Q….pdf, quotation-Q….pdf, 保单明细表-P….pdf, policy-schedule-P….pdf, 批单-P…-E01.pdf, 退保批单-P…-C.pdf */
export function fileNameOf(kind: PdfKind, number: string, labels: Record<string, string>): string {
  return `${kind === 'quote' ? labels.fileQuote : kind === 'policy' ? labels.filePolicy : labels.fileName}-${number}.pdf`;
}

export function asciiFileNameOf(kind: PdfKind, number: string, lang: DocumentLang): string {
  return `${ASCII_NAMES[kind]}-${number}${lang === 'en' ? '' : '-zh'}.pdf`;
}
