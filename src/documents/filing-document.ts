// The filing document (费率表) of a product version as a PDF, for the insurer's staff: the
// catalogue decides who may read the version, filing-view.ts what is printed, templates/documents/
// filing.hbs how, and the documents service's renderer renders it. Rendered on demand, uncached:
// it is an occasional download, and drafts change.
import { createHash } from 'node:crypto';
import { findOrganisationByCode } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { getVersion } from '../catalogue/version-reads.ts';
import { filingRecordOf } from '../catalogue/filing-record.ts';
import { chinaDate } from '../rating/index.ts';
import type { Templates } from '../http/templates.ts';
import { buildFilingView, type FilingView } from './filing-view.ts';

/** The compiled filing template: a view in, the complete HTML document out. */
export type FilingTemplate = (view: FilingView) => string;

/** templates/documents/filing.hbs (with the shared stylesheet) in the service's template environment. */
export function filingTemplate(engine: Templates): FilingTemplate {
  return (view) => engine.render('documents/filing', view);
}

export interface FilingPdf {
  fileName: string;
  asciiFileName: string;
  etag: string;
  bytes: Buffer;
}

/** Renders the 费率表 of a version the caller's insurer owns (404 otherwise). */
export async function renderFilingPdf(
  caller: Caller, code: string, version: string,
  template: FilingTemplate, render: (html: string, title: string, metadataDate: Date) => Promise<Buffer>,
): Promise<FilingPdf> {
  const view = await getVersion(caller, code, version);
  const insurer = await findOrganisationByCode(view.definition.insurer);
  const record = await filingRecordOf(caller, code, version);
  const html = template(buildFilingView(view.definition, insurer?.name ?? view.definition.insurer, view.status, { today: chinaDate(new Date()), ...record }));
  const bytes = await render(html, `${view.definition.name.zh} 费率表 ${version}`, new Date(view.publishedAt ?? view.updatedAt));
  return {
    fileName: `费率表-${code}-${version}.pdf`,
    asciiFileName: `rate-filing-${code}-${version}.pdf`,
    etag: `"${createHash('sha256').update(bytes).digest('hex')}"`,
    bytes,
  };
}
