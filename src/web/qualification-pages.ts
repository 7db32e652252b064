// A department's qualification lists on the pages (#27 "Pages": "list uploads with a preview of
// what changes"): `/qualification-lists` lists its versions (newest first) with the upload form;
// `/qualification-lists/preview` reads the posted file (multipart, bounded by SHEET_MAX_BYTES as
// it streams in, before anything is parsed) and shows what it changes against the department's
// newest version of that kind — enterprises added, removed, validity or level changed, by name
// where the platform knows the credit code; `/qualification-lists/confirm` stores the previewed
// file as the new version; `/qualification-lists/:id` pages one version's rows. Every figure and
// rule is the subsidies service's, as the API's (src/subsidies/qualification-list-preview.ts).
import { applicationDeciders } from '../auth/access-rules.ts';
import { XLSX_TYPE, type SheetFormat } from '../catalogue/table-spreadsheets.ts';
import { AppError, statusByKind } from '../http/app-error.ts';
import { UploadLimitError } from '../http/upload-limits.ts';
import { chinaDateTime } from '../rating/calendar.ts';
import type { QualificationListDiff, QualificationListPreview, QualificationTerms } from '../subsidies/qualification-list-preview.ts';
import { QUALIFICATION_LIST_KINDS, type QualificationListKind } from '../subsidies/qualification-lists.ts';
import { uploadedFile } from './multipart-form.ts';
import { askedOffset, nextPageHref, offsetPager, pageCursor } from './page-helpers.ts';
import { checkId, uploadLimitText, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { joinList, nameIn, translate, type Lang } from './web-messages.ts';

const PAGE_ROWS = 50;
/** Enterprises named per section of a preview (each name is one read); the rest are counted. */
const SHOWN = 200;

const kindName = (kind: string, lang: Lang) => translate(`ql_kind_${kind.replace(/-/g, '_')}`, lang);
const isKind = (value: unknown): value is QualificationListKind => typeof value === 'string' && (QUALIFICATION_LIST_KINDS as readonly string[]).includes(value);
const formatOf = (filename: string, contentType: string): SheetFormat => (/\.xlsx$/i.test(filename) || contentType === XLSX_TYPE ? 'xlsx' : 'csv');
const COLUMN_IDS = ['creditCode', 'certificateNumber', 'entryId', 'level', 'validFrom', 'validTo'];

/**
 * One problem of the service's file check (`sheet S, row 3, column A (creditCode): must be … (creditCode)`)
 * in the reader's language, naming row, column and rule; a wording not known here keeps the
 * service's words after a plain "not accepted".
 */
export function fileProblemText(message: string, lang: Lang): string {
  const column = (id: string) => (COLUMN_IDS.includes(id) ? translate(`ql_col_${id}`, lang) : id);
  const cell = /^sheet .*, row (\d+), column ([A-Z]+) \((\w+)\): (.*) \((\w+)\)$/.exec(message);
  if (cell) {
    const [, row, letter, id, text, rule] = cell as unknown as [string, string, string, string, string, string];
    const from = /validFrom (\S+)/.exec(text)?.[1] ?? '';
    const ruleText = ['required', 'creditCode', 'date', 'level', 'order'].includes(rule) ? translate(`ql_rule_${rule}`, lang, { from }) : `${translate('ql_rule_other', lang)} (${text})`;
    return translate('ql_errAt', lang, { row, column: letter, name: column(id), rule: ruleText });
  }
  const header = /^sheet .*, row 1: must have a column (\w+) \(required column\)$/.exec(message);
  if (header) return translate('ql_errHeader', lang, { name: column(header[1]!), id: header[1]! });
  if (/\(minRows\)$/.test(message)) return translate('ql_errNoRows', lang);
  return `${translate('ql_rule_other', lang)}: ${message}`;
}

interface ListExtra { kind?: QualificationListKind; kindError?: string; fileErrors?: string[]; problem?: string }

/** The versions and the upload form; a refused upload shows its problems at the file field, the chosen kind kept. */
async function listPage({ services, caller, lang, render, req }: PageRequest, extra: ListExtra = {}, status = 200): Promise<void> {
  const after = pageCursor(req.query);
  const { items, next } = await services.subsidies.listOwnQualificationLists(caller, { limit: 50, ...(after !== undefined ? { after } : {}) });
  render('qualification-lists', {
    title: translate('ql_title', lang), langPath: '/qualification-lists',
    versions: items.map((v) => ({ id: v.id, kind: v.kind, kindName: kindName(v.kind, lang), date: v.date, uploadedAt: chinaDateTime(new Date(v.uploadedAt)), rowCount: v.rowCount, href: `/qualification-lists/${v.id}` })),
    kinds: QUALIFICATION_LIST_KINDS.map((k) => ({ value: k, label: kindName(k, lang), selected: k === extra.kind })),
    kindError: extra.kindError, fileErrors: extra.fileErrors, problem: extra.problem, nextPage: nextPageHref('/qualification-lists', next),
  }, status);
}

const range = (validity: string, lang: Lang) => { const [from, to] = validity.split('~'); return translate('ql_range', lang, { from: from ?? '', to: to ?? '' }); };
const termsText = (terms: QualificationTerms, lang: Lang) => ({
  validity: joinList(terms.validity.map((v) => range(v, lang)), lang),
  level: joinList(terms.levels.map((l) => translate(`ql_level_${l}`, lang)), lang),
});

/** The preview's sections with each credit code's enterprise named where the platform knows it. */
async function previewSections({ services, lang }: PageRequest, diff: QualificationListDiff) {
  const name = async (creditCode: string) => {
    const org = await services.auth.findEnterpriseByCreditCode(creditCode);
    return org ? nameIn(org, lang) : translate('ql_notRegistered', lang);
  };
  const named = <T extends { creditCode: string }>(items: T[]) => Promise.all(items.slice(0, SHOWN).map(async (item) => ({ item, name: await name(item.creditCode) })));
  const more = (n: number) => (n > SHOWN ? translate('ql_more', lang, { n: n - SHOWN }) : undefined);
  const [added, removed, changed] = await Promise.all([named(diff.added), named(diff.removed), named(diff.changed)]);
  return {
    added: added.map(({ item, name: n }) => ({ creditCode: item.creditCode, name: n, ...termsText(item.terms, lang) })), addedMore: more(diff.added.length),
    removed: removed.map(({ item, name: n }) => ({ creditCode: item.creditCode, name: n, ...termsText(item.terms, lang) })), removedMore: more(diff.removed.length),
    changed: changed.map(({ item, name: n }) => ({ creditCode: item.creditCode, name: n, validityChanged: item.validityChanged, levelChanged: item.levelChanged, before: termsText(item.before, lang), after: termsText(item.after, lang) })),
    changedMore: more(diff.changed.length),
  };
}

async function previewPage(request: PageRequest, preview: QualificationListPreview): Promise<void> {
  const { lang, render } = request;
  const { diff } = preview;
  const kind = kindName(preview.kind, lang);
  render('qualification-preview', {
    title: translate('ql_previewTitle', lang, { kind }), langPath: '/qualification-lists', kind: preview.kind, token: preview.token,
    against: preview.base ? translate('ql_against', lang, { date: preview.base.date, rows: preview.base.rowCount }) : translate('ql_first', lang),
    summary: translate('ql_summary', lang, { rows: preview.rowCount, added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length, unchanged: diff.unchanged }),
    addedTitle: translate('ql_added', lang, { n: diff.added.length }), removedTitle: translate('ql_removed', lang, { n: diff.removed.length }), changedTitle: translate('ql_changed', lang, { n: diff.changed.length }),
    showLevel: preview.kind === 'first-set-catalogue', nothing: diff.added.length + diff.removed.length + diff.changed.length === 0,
    ...(await previewSections(request, diff)),
  });
}

/** One version with a page of its rows. */
async function versionPage({ req, services, caller, lang, render }: PageRequest): Promise<void> {
  const id = checkId(req.params.id);
  const offset = askedOffset(req.query.offset, PAGE_ROWS);
  const v = await services.subsidies.getQualificationList(caller, id, { offset, limit: PAGE_ROWS });
  const columns = COLUMN_IDS.filter((c) => c === 'creditCode' || c === 'validFrom' || c === 'validTo' || (v.kind === 'high-tech' ? c === 'certificateNumber' : v.kind === 'first-set-catalogue' && (c === 'entryId' || c === 'level')));
  const cellOf = (row: Record<string, string | undefined>, c: string) => (c === 'level' && row.level ? translate(`ql_level_${row.level}`, lang) : row[c] ?? '');
  const base = `/qualification-lists/${v.id}`;
  render('qualification-list', {
    title: translate('ql_versionTitle', lang, { kind: kindName(v.kind, lang), date: v.date }), langPath: base,
    uploadedAt: chinaDateTime(new Date(v.uploadedAt)), rowCount: v.rowCount,
    stored: req.query.stored === '1' ? translate('ql_stored', lang, { rows: v.rowCount }) : undefined,
    columns: columns.map((c) => translate(`ql_col_${c}`, lang)),
    rows: v.rows.map((row) => columns.map((c) => cellOf(row as unknown as Record<string, string | undefined>, c))),
    pager: offsetPager(offset, PAGE_ROWS, v.rowCount, lang, (to) => `${base}?offset=${to}`),
  });
}

/** Mounts the department's list pages: versions and upload, preview, confirmation, one version. */
export function mountQualificationPages(pipeline: PagePipeline): void {
  const { page, services } = pipeline;
  page('get', '/qualification-lists', applicationDeciders, (request) => listPage(request));

  page('post', '/qualification-lists/preview', applicationDeciders, async (request) => {
    const { body, lang, caller } = request;
    const kind = isKind(body.kind) ? body.kind : undefined;
    let preview: QualificationListPreview;
    try {
      const file = uploadedFile(request.req, body.file); // a form refused at a limit throws that limit
      if (!kind) return listPage(request, { kindError: translate('chooseOne', lang) }, 400);
      if (!file) return listPage(request, { kind, fileErrors: [translate('noFile', lang)] }, 400);
      preview = await services.subsidies.previewQualificationList(caller, kind, formatOf(file.filename, file.contentType), file.bytes, pipeline.uploadLimits.sheet);
    } catch (err) {
      if (err instanceof UploadLimitError) return listPage(request, { ...(kind ? { kind } : {}), fileErrors: [uploadLimitText(err, lang)] }, statusByKind[err.kind]);
      if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
      const details = err.details.length > 0 ? err.details.map((d) => fileProblemText(d.message, lang)) : [fileProblemText(err.message, lang)];
      return listPage(request, { ...(kind ? { kind } : {}), fileErrors: details }, 400);
    }
    await previewPage(request, preview);
  });

  page('post', '/qualification-lists/confirm', applicationDeciders, async (request) => {
    const { body, lang, caller, res } = request;
    if (!isKind(body.kind) || typeof body.token !== 'string') return listPage(request, { problem: translate('ql_stale', lang) }, 400);
    try {
      const version = await services.subsidies.confirmQualificationList(caller, body.kind, body.token, pipeline.uploadLimits.sheet);
      res.redirect(303, `/qualification-lists/${version.id}?stored=1`);
    } catch (err) {
      if (!(err instanceof AppError) || (err.kind !== 'not_found' && err.kind !== 'conflict')) throw err;
      await listPage(request, { kind: body.kind, problem: translate('ql_stale', lang) }, 409);
    }
  });

  page('get', '/qualification-lists/:id', applicationDeciders, (request) => versionPage(request));
}
