// Quotations, rendered on demand behind a per-process LRU keyed by sha256(renderer version, PDF
// date, title, HTML): the HTML is a pure function of the templates and the data, so the key
// changes whenever anything printed changes and doubles as a strong ETag. Concurrent requests
// for the same key share one render. See docs/documents.md ("Caching and storage").
import type { Caller } from '../auth/caller.ts';
import { conflict } from '../http/app-error.ts';
import { quotationRefusal } from '../quotes/quote-actions.ts';
import { loadVisibleQuote } from '../quotes/quote-service.ts';
import type { DocumentPrinter } from './document-printer.ts';
import { loadDocumentSource, underwritingFactsOf } from './document-source.ts';
import type { DocumentTemplates } from './document-templates.ts';
import type { DocumentLang } from './document-view.ts';
import { asciiFileNameOf, fileNameOf, matchesEtag, sha256, type PdfFile } from './pdf-file.ts';

export type QuotePdf = (caller: Caller, quoteId: string, lang: DocumentLang, ifNoneMatch?: string) => Promise<PdfFile>;

/** quotePdf over a cache of at most maxEntries rendered quotations. */
export function createQuotePdfs(printer: DocumentPrinter, templates: DocumentTemplates, maxEntries: number): QuotePdf {
  const printCached = createPrintCache(printer, maxEntries);
  return async function quotePdf(caller, quoteId, lang, ifNoneMatch) {
    const doc = await loadVisibleQuote(caller, quoteId);
    const refusal = quotationRefusal(doc); // a declined quote is not an offer (the pages hide the download by nextActions)
    if (refusal) throw conflict(refusal);
    const underwriting = underwritingFactsOf(doc.underwriting, doc.result);
    const source = await loadDocumentSource('quote', doc, { status: doc.status, quoteDate: doc.quoteDate, validUntil: doc.validUntil, underwriting });
    const view = templates.view(source, lang);
    const html = templates.renderHtml(view);
    const metadataDate = doc.createdAt;
    const key = sha256(`${await printer.rendererVersion()}\0${metadataDate.toISOString()}\0${view.pdfTitle}\0${html}`);
    const etag = `"${key}"`;
    const fileName = fileNameOf('quote', doc.quoteNumber, view.t);
    const asciiFileName = asciiFileNameOf('quote', doc.quoteNumber, lang);
    if (matchesEtag(ifNoneMatch, etag)) return { fileName, asciiFileName, etag, bytes: undefined };
    return { fileName, asciiFileName, etag, bytes: await printCached(key, html, view.pdfTitle, metadataDate) };
  };
}

type PrintCached = (key: string, html: string, title: string, metadataDate: Date) => Promise<Buffer>;

/** Prints unless the key's bytes are cached (least recently used go first); one render per key at a time. */
function createPrintCache(printer: DocumentPrinter, maxEntries: number): PrintCached {
  const cache = new Map<string, Buffer>();
  const inFlight = new Map<string, Promise<Buffer>>();
  return async (key, html, title, metadataDate) => {
    let bytes = cache.get(key);
    if (bytes) {
      cache.delete(key); // refresh its place in the LRU order
      cache.set(key, bytes);
      return bytes;
    }
    let pending = inFlight.get(key);
    if (!pending) {
      pending = printer.print(html, title, metadataDate).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    bytes = await pending;
    cache.set(key, bytes);
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return bytes;
  };
}
