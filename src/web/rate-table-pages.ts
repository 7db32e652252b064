// Rating tables on the pages: each table of a version as a grid (edit, add, remove and reorder
// rows; save compiles first and shows every error on its cell), spreadsheets out and in, the
// diff of two versions as tables, and the impact analysis run from the draft's page.
import type { Response } from 'express';
import { insurerAdmins, insurerStaff } from '../auth/access-rules.ts';
import { listRateTables, locateCell, readTableCells, type RateTable } from '../catalogue/rate-tables.ts';
import { diffVersionTables } from '../catalogue/table-diff.ts';
import { tablesToXlsx, tableToCsv, XLSX_TYPE, type HeaderNames, type SheetFormat, type SheetWording } from '../catalogue/table-spreadsheets.ts';
import { AppError, statusByKind } from '../http/app-error.ts';
import { UploadLimitError } from '../http/upload-limits.ts';
import type { ErrorDetail, ProductDefinition } from '../rating/index.ts';
import { uploadedFile } from './multipart-form.ts';
import { checkCode, uploadLimitText, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { sendAttachment, tableTitle } from './page-helpers.ts';
import { problemText, type ShownProblem } from './problem-messages.ts';
import { joinClauses, pick, translate, type Lang } from './web-messages.ts';

const CELL = /^r(\d+)\.(.+)$/;

/** Posted cells `r<row>.<column>` as rows in posted row order. */
function postedCells(table: RateTable, body: Record<string, unknown>): string[][] {
  const rows = new Map<number, string[]>();
  for (const [name, value] of Object.entries(body)) {
    const m = CELL.exec(name);
    if (!m) continue;
    const column = table.columns.findIndex((c) => c.id === m[2]);
    if (column < 0) continue;
    const row = rows.get(Number(m[1])) ?? table.columns.map(() => '');
    row[column] = typeof value === 'string' ? value : '';
    rows.set(Number(m[1]), row);
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, cells]) => cells);
}

/** A row operation of the grid (no JavaScript needed): add, remove, move up or down. */
function applyRowOp(op: string, cells: string[][], table: RateTable): string[][] {
  const [verb, at] = op.split(':');
  const i = Number(at);
  const out = [...cells];
  if (verb === 'add') out.push(table.columns.map(() => ''));
  else if (verb === 'remove' && out[i]) out.splice(i, 1);
  else if (verb === 'up' && i > 0 && out[i]) [out[i - 1], out[i]] = [out[i]!, out[i - 1]!];
  else if (verb === 'down' && out[i + 1]) [out[i + 1], out[i]] = [out[i]!, out[i + 1]!];
  return out;
}

interface GridExtra {
  cells?: string[][];
  errors?: ErrorDetail[];
  notice?: string;
  problems?: string[];
}

/** Renders one table as a grid: the stored cells, or the posted ones with their errors. */
async function gridPage({ services, lang, caller, render }: PageRequest, code: string, version: string, tableId: string, extra: GridExtra = {}, status = 200): Promise<void> {
  const view = await services.catalogue.getVersion(caller, code, version);
  const table = services.catalogue.tableOf(view.definition, code, version, tableId);
  const cells = extra.cells ?? readTableCells(view.definition, table);
  const canEdit = view.status === 'draft' && insurerAdmins.includes(caller.role);
  const tables = listRateTables(view.definition);
  // Each problem in the reader's language on its cell; one outside this table under the grid, with the table it is in.
  const cellErrors = new Map<string, ShownProblem[]>();
  const other: (ShownProblem & { where: string })[] = [];
  for (const e of extra.errors ?? []) {
    const at = locateCell(tables, e.path);
    const shown = problemText(e.message, lang);
    if (at && at.table.id === table.id && at.row >= 0 && at.column) {
      const key = `${at.row}.${at.column}`;
      cellErrors.set(key, [...(cellErrors.get(key) ?? []), shown]);
    } else other.push({ ...shown, where: at ? `${tableTitle(at.table, lang)}${at.row >= 0 ? ` · ${translate('row', lang)} ${at.row + 1}` : ''}` : '' });
  }
  const base = `/products/${code}/versions/${encodeURIComponent(version)}`;
  render('rate-table', {
    title: `${tableTitle(table, lang)} · ${code} ${version}`, heading: tableTitle(table, lang), langPath: `${base}/tables/${table.id}`,
    code, version, base, tableId: table.id, canEdit, canReorder: canEdit && !table.fixedRows, notice: extra.notice, problems: extra.problems,
    hasCellErrors: cellErrors.size > 0, otherErrors: other, conditionsHelp: table.kind === 'rules',
    columns: table.columns.map((c) => ({ id: c.id, label: translate(`col_${c.id}`, lang) })),
    rows: cells.map((row, r) => ({
      index: r, number: r + 1, first: r === 0, last: r === cells.length - 1,
      cells: table.columns.map((c, i) => {
        const problems = cellErrors.get(`${r}.${c.id}`);
        const error = problems && joinClauses(problems.map((p) => p.message), lang);
        const errorDetail = problems?.flatMap((p) => (p.detail ? [p.detail] : [])).join('; ') || undefined;
        return {
          name: `r${r}.${c.id}`, id: `cell-${r}-${c.id.replace(/[^A-Za-z0-9_-]/g, '-')}`, value: row[i] ?? '', error, errorDetail,
          label: `${translate(`col_${c.id}`, lang)} · ${translate('row', lang)} ${r + 1}`, readOnly: !canEdit || c.readOnly,
          options: c.options ? ['', ...c.options] : undefined, wide: c.kind === 'json' || c.kind === 'conditions' || c.kind === 'list' || c.id.startsWith('label') || c.id.startsWith('reason'),
        };
      }),
    })),
  }, status);
}

function sendFile(res: Response, body: Buffer | string, type: string, name: string): void {
  sendAttachment(res, { fileName: name, asciiFileName: name, bytes: body }, type);
}

const formatOf = (filename: string, contentType: string): SheetFormat => (/\.xlsx$/i.test(filename) || contentType === XLSX_TYPE ? 'xlsx' : 'csv');

const invalid = (err: unknown): err is AppError => err instanceof AppError && (err.kind === 'invalid_input' || err.kind === 'conflict');

/** What the keys a table cell may hold are called in the page language: coverages, form fields, quantities; yes/no. */
function keyNames(definitions: readonly ProductDefinition[], lang: Lang): Map<string, string> {
  const names = new Map<string, string>([['true', translate('yes', lang)], ['false', translate('no', lang)]]);
  for (const d of [...definitions].reverse()) {
    for (const c of d.coverages) names.set(`coverage:${c.code}`, pick(c.name, lang) || c.code);
    for (const f of d.form.fields) names.set(`quantity:${f.key}`, pick(f.label, lang) || f.key);
    for (const q of d.plan.quantities ?? []) if (q.label) names.set(`quantity:${q.key}`, pick(q.label, lang));
  }
  return names;
}

const NAMED_COLUMNS: Record<string, string> = { coverage: 'coverage', baseQuantity: 'quantity', baseItemField: 'quantity', perItem: 'quantity', field: 'quantity' };

/** A diff cell with keys shown by name: yes/no in words, a coverage or a quantity by its label. */
function shownCell(column: RateTable['columns'][number] | undefined, cell: { from: string; to: string; changed: boolean }, names: Map<string, string>) {
  const kind = column ? (column.kind === 'boolean' ? '' : NAMED_COLUMNS[column.id]) : undefined;
  if (kind === undefined) return cell;
  const name = (text: string) => (text === '' ? text : names.get(kind ? `${kind}:${text}` : text) ?? text);
  return { ...cell, from: name(cell.from), to: name(cell.to) };
}

/** A diff row by its label in the page language when the table has labels, else undefined (its key is shown). */
function rowName(table: RateTable, cells: readonly { from: string; to: string }[], lang: Lang): string | undefined {
  const at = table.columns.findIndex((c) => c.id === pick({ zh: 'label.zh', en: 'label.en' }, lang));
  const cell = at >= 0 ? cells[at] : undefined;
  return cell ? cell.to || cell.from || undefined : undefined;
}

/** A value outside the tables as a reader sees it: texts unquoted, yes/no in words, structures as compact JSON. */
function shownValue(value: unknown, lang: Lang): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'boolean') return translate(value ? 'yes' : 'no', lang);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** A change outside the tables by its name where the catalogue has one (`diffPath_<path>`); else undefined, and the page shows the path. */
function changeName(path: string, lang: Lang): string | undefined {
  const key = `diffPath_${path.replace(/\./g, '_')}`;
  const named = translate(key, lang);
  if (named !== key) return named;
  if (path === 'effectiveFrom' || path === 'effectiveTo') return translate(path === 'effectiveFrom' ? 'tl_from' : 'tl_to', lang);
  return undefined;
}

/** The pages' spreadsheets are for people: sheets and headers in the reader's language, yes/no in words (the keys stay hidden in the file). */
const wordingFor = (lang: Lang): SheetWording => ({
  tableTitle: (table) => tableTitle(table, lang), columnLabel: (id) => translate(`col_${id}`, lang), yes: translate('yes', lang), no: translate('no', lang),
});

/** A CSV from the pages heads its columns with labels: either language's label names the column back. */
const headerNames: HeaderNames = (id) => [translate(`col_${id}`, 'zh-CN'), translate(`col_${id}`, 'en')];

/** Mounts the grids, the spreadsheet downloads and uploads, the tabular diff and the impact pages. */
export function mountRateTablePages(pipeline: PagePipeline): void {
  const { page, services } = pipeline;
  const params = (request: PageRequest) => ({ code: checkCode(request.req.params.code), version: checkCode(request.req.params.version) });

  page('get', '/products/:code/versions/:version/tables/:table', insurerStaff, async (request) => {
    const { code, version } = params(request);
    await gridPage(request, code, version, checkCode(request.req.params.table));
  });

  page('post', '/products/:code/versions/:version/tables/:table', insurerAdmins, async (request) => {
    const { code, version } = params(request);
    const tableId = checkCode(request.req.params.table);
    const view = await services.catalogue.getVersion(request.caller, code, version);
    const table = services.catalogue.tableOf(view.definition, code, version, tableId);
    const cells = postedCells(table, request.body);
    const op = typeof request.body.op === 'string' ? request.body.op : 'save';
    if (op !== 'save') return gridPage(request, code, version, tableId, { cells: applyRowOp(op, cells, table), notice: translate('notSavedYet', request.lang) });
    try {
      await services.catalogue.saveRateTable(request.caller, code, version, tableId, cells);
    } catch (err) {
      if (!invalid(err)) throw err;
      return gridPage(request, code, version, tableId, { cells, errors: err.details.length ? err.details : [{ path: '', message: err.message }], problems: [translate('tableNotSaved', request.lang)] }, 400);
    }
    await gridPage(request, code, version, tableId, { notice: translate('saved', request.lang) });
  });

  page('get', '/products/:code/versions/:version/tables/:table/export', insurerStaff, async (request) => {
    const { code, version } = params(request);
    const view = await services.catalogue.getVersion(request.caller, code, version);
    const table = services.catalogue.tableOf(view.definition, code, version, checkCode(request.req.params.table));
    const name = `${code}-${version}-${table.id}`;
    if (request.req.query.format === 'xlsx') sendFile(request.res, await tablesToXlsx(view.definition, [table], wordingFor(request.lang)), XLSX_TYPE, `${name}.xlsx`);
    else sendFile(request.res, tableToCsv(view.definition, table, wordingFor(request.lang)), 'text/csv; charset=utf-8', `${name}.csv`);
  });

  page('get', '/products/:code/versions/:version/export', insurerStaff, async (request) => {
    const { code, version } = params(request);
    const { view } = await services.catalogue.listVersionTables(request.caller, code, version);
    sendFile(request.res, await tablesToXlsx(view.definition, undefined, wordingFor(request.lang)), XLSX_TYPE, `${code}-${version}.xlsx`);
  });

  page('post', '/products/:code/versions/:version/tables/:table/import', insurerAdmins, async (request) => {
    const { code, version } = params(request);
    const tableId = checkCode(request.req.params.table);
    try {
      const file = uploadedFile(request.req, request.body.file);
      if (!file) return gridPage(request, code, version, tableId, { problems: [translate('noFile', request.lang)] }, 400);
      await services.catalogue.importTableSheet(request.caller, code, version, tableId, formatOf(file.filename, file.contentType), file.bytes, pipeline.uploadLimits.sheet, headerNames);
    } catch (err) {
      if (err instanceof UploadLimitError) return gridPage(request, code, version, tableId, { problems: [translate('importProblems', request.lang), uploadLimitText(err, request.lang)] }, statusByKind[err.kind]);
      if (!invalid(err)) throw err;
      return gridPage(request, code, version, tableId, { problems: [translate('importProblems', request.lang), ...(err.details.length ? err.details.map((d) => d.message) : [err.message])] }, 400);
    }
    await gridPage(request, code, version, tableId, { notice: translate('imported', request.lang) });
  });

  page('post', '/products/:code/versions/:version/import', insurerAdmins, async (request) => {
    const { code, version } = params(request);
    const file = uploadedFile(request.req, request.body.file); // a form refused at a limit shows that limit
    const back = `/products/${code}/versions/${encodeURIComponent(version)}`;
    if (!file) throw new AppError('invalid_input', translate('noFile', request.lang));
    await services.catalogue.importWorkbook(request.caller, code, version, file.bytes, pipeline.uploadLimits.sheet);
    request.res.redirect(303, `${back}?imported=1`);
  });

  page('get', '/products/:code/diff', insurerStaff, async ({ req, lang, caller, render }) => {
    const code = checkCode(req.params.code);
    const from = checkCode(String(req.query.from ?? ''));
    const to = checkCode(String(req.query.to ?? ''));
    const [a, b] = await Promise.all([services.catalogue.getVersion(caller, code, from), services.catalogue.getVersion(caller, code, to)]);
    const diff = diffVersionTables(a.definition, b.definition);
    const names = keyNames([b.definition, a.definition], lang);
    render('diff', {
      title: `${translate('diff', lang)} · ${code}`, langPath: `/products/${code}/diff`, code, from, to,
      tables: diff.tables.map((d) => ({
        id: d.table.id, title: tableTitle(d.table, lang), changedCells: translate('changedCells', lang, { n: d.changedCells }),
        columns: d.table.columns.map((c) => translate(`col_${c.id}`, lang)),
        rows: d.rows.map((r) => ({
          key: r.key, change: r.change, changeLabel: translate(`change_${r.change}`, lang),
          name: rowName(d.table, r.cells, lang) ?? r.key,
          cells: r.cells.map((c, i) => shownCell(d.table.columns[i], c, names)),
        })),
      })),
      changes: diff.otherChanges.map((c) => ({
        ...c, place: changeName(c.path, lang), area: translate(`area_${c.area}`, lang), change: translate(`change_${c.change}`, lang),
        fromText: shownValue(c.from, lang), toText: shownValue(c.to, lang),
      })),
      same: diff.tables.length === 0 && diff.otherChanges.length === 0,
    });
  });
}
