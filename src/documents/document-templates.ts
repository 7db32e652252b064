// Handlebars templates of the quotation and the policy schedule, compiled once at start.
// Layout: templates/documents/{quote,policy}.hbs, partials/*.hbs, document.css (as the partial
// `styles`), labels/<lang>.json. An isolated Handlebars environment and no triple-stash anywhere:
// every value from the view is HTML-escaped; prototype access is off.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { buildDocumentView, DOCUMENT_LANGS, type DocumentKind, type DocumentLabels, type DocumentLang, type DocumentSource, type DocumentView } from './document-view.ts';

export const DEFAULT_TEMPLATES_DIR = path.resolve(import.meta.dirname, '../../templates/documents');

export interface DocumentTemplates {
  /** sha256 (hex, 16 chars) over every template, partial, stylesheet and label file. */
  readonly version: string;
  labels(lang: DocumentLang): DocumentLabels;
  /** The view model of a source in one language. */
  view(source: DocumentSource, lang: DocumentLang): DocumentView;
  /** The complete HTML document for a view. */
  renderHtml(view: DocumentView): string;
}

/** Reads and compiles the document templates; throws at start if one does not compile. */
export function compileDocumentTemplates(dir: string = DEFAULT_TEMPLATES_DIR): DocumentTemplates {
  const hbs = Handlebars.create();
  const hash = createHash('sha256');
  const read = (file: string): string => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    hash.update(file).update('\0').update(text).update('\0');
    return text;
  };
  hbs.registerHelper('add', (a: number, b: number) => a + b);

  const partialFiles = readdirSync(path.join(dir, 'partials')).filter((f) => f.endsWith('.hbs')).sort();
  for (const file of partialFiles) hbs.registerPartial(file.replace(/\.hbs$/, ''), read(path.join('partials', file)));
  // The stylesheet is trusted template content, inlined as a partial (not through a view value).
  hbs.registerPartial('styles', read('document.css'));

  const options = { noEscape: false, preventIndent: true } as const;
  const compiled: Record<DocumentKind, HandlebarsTemplateDelegate<DocumentView>> = {
    quote: hbs.compile<DocumentView>(read('quote.hbs'), options),
    policy: hbs.compile<DocumentView>(read('policy.hbs'), options),
  };
  const labels = Object.fromEntries(DOCUMENT_LANGS.map((lang) => [lang, JSON.parse(read(path.join('labels', `${lang}.json`))) as DocumentLabels])) as Record<DocumentLang, DocumentLabels>;
  const version = hash.digest('hex').slice(0, 16);

  // Compile lazily-compiled partials now, so a broken template fails at start, not on a request.
  const probe = { t: labels['zh-CN'], numbers: [], parties: [], particulars: [], lists: [], cover: [], premium: { sections: [] }, subsidy: { layers: [] }, worksheet: [], clauses: [] };
  for (const kind of ['quote', 'policy'] as const) compiled[kind](probe as unknown as DocumentView);

  return {
    version,
    labels: (lang) => labels[lang],
    view: (source, lang) => buildDocumentView(source, lang, labels[lang]),
    renderHtml: (view) => compiled[view.kind](view, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false }),
  };
}
