// The quotation and the policy schedule from the service's one template environment
// (src/http/templates.ts): templates/documents/{quote,policy}.hbs, partials/*.hbs, document.css (as
// the partial `styles`), labels/<lang>.json. No triple-stash anywhere: every value from the view
// is HTML-escaped; strict, prototype access off.
import path from 'node:path';
import { createTemplates, TEMPLATES_DIR, type Templates } from '../http/templates.ts';
import { buildDocumentView, DOCUMENT_LANGS, type DocumentLabels, type DocumentLang, type DocumentSource, type DocumentView } from './document-view.ts';

export const DEFAULT_TEMPLATES_DIR = path.join(TEMPLATES_DIR, 'documents');

export interface DocumentTemplates {
  /** sha256 (hex, 16 chars) over every template, partial, stylesheet and label file of the documents. */
  readonly version: string;
  /** The environment they were compiled in (the filing, subsidy application and statement templates are there too). */
  readonly engine: Templates;
  labels(lang: DocumentLang): DocumentLabels;
  /** The view model of a source in one language. */
  view(source: DocumentSource, lang: DocumentLang): DocumentView;
  /** The complete HTML document for a view. */
  renderHtml(view: DocumentView): string;
}

/** The document templates of an environment (a new one when not given: tests and benches). */
export function compileDocumentTemplates(engine: Templates = createTemplates()): DocumentTemplates {
  const labels = Object.fromEntries(DOCUMENT_LANGS.map((lang) => [lang, JSON.parse(engine.file(`documents/labels/${lang}.json`)) as DocumentLabels])) as Record<DocumentLang, DocumentLabels>;
  return Object.freeze({
    version: engine.version('documents'),
    engine,
    labels: (lang: DocumentLang) => labels[lang],
    view: (source: DocumentSource, lang: DocumentLang) => buildDocumentView(source, lang, labels[lang]),
    renderHtml: (view: DocumentView) => engine.render(`documents/${view.kind}`, view),
  });
}
