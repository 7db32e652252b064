// Subsidy applications on the policy page (download links, a ZIP link and the forms that record
// submitted / granted / refused), the PDF and ZIP downloads, and the enterprise's subsidy year
// with its exports. The same services and access lists as the API; no rule lives here.
import { subsidyReaders, subsidyRecorders } from '../auth/access-rules.ts';
import { AppError, invalidInput } from '../http/app-error.ts';
import { chinaDate } from '../rating/index.ts';
import type { ApplicationStatusRequest } from '../subsidies/subsidy-application-service.ts';
import { checkCode, checkId, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { askedOffset, offsetPager, sendAttachment, type SubsidyFormState } from './page-helpers.ts';
import { streamAttachment, XLSX_TYPE } from '../http/file-reply.ts';
import { formatYuan, parseYuanToFen, refusalErrors } from './web-forms.ts';
import { pick, translate, type Lang } from './web-messages.ts';

/** The policy page's renderer (policy-pages.ts), to show a refused status form in place with its input. */
export type PolicyPageRenderer = (request: PageRequest, policyId: string, subsidyForm: SubsidyFormState) => Promise<void>;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

function statusRequestOf(body: Record<string, unknown>, lang: Lang): ApplicationStatusRequest {
  const status = body.status;
  const on = text(body.on);
  const dated = on ? { on } : {};
  if (status === 'submitted') return { status, ...dated, ...(text(body.reference) ? { reference: text(body.reference)! } : {}) };
  if (status === 'withdrawn') return { status, ...dated };
  // Granted and refused are the department's (#27): the service answers them with a 403.
  if (status === 'granted') return { status, ...dated, grantedFen: parseYuanToFen(body.grantedYuan, 'body.grantedYuan', translate('subsidy_badAmount', lang)) };
  if (status === 'refused') return { status, ...dated, reason: text(body.reason) ?? '' };
  throw invalidInput('Unknown status.', [{ path: 'body.status', message: 'must be submitted or withdrawn (enum)' }]);
}

const YEAR = /^20\d\d$/;

/** Rows per page of each of the subsidy year page's tables. */
const YEAR_PAGE = 100;

/** What a status form sent, as typed (bounded). */
function typedValues(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(['on', 'reference', 'grantedYuan', 'reason'].flatMap((name) => (typeof body[name] === 'string' ? [[name, (body[name] as string).slice(0, 500)]] : [])));
}

/** A refused status's details at the form's field names (grantedFen is typed as grantedYuan), in the reader's language. */
function fieldErrors(err: AppError, lang: Lang): Record<string, string> {
  return refusalErrors(err, lang, {
    nameOf: (field) => (field === 'grantedFen' ? 'grantedYuan' : field),
    messageOf: (name, message) => (name === 'grantedYuan' ? translate(/maximum/.test(message) ? 'subsidy_grantTooHigh' : 'subsidy_badAmount', lang) : undefined),
  });
}

/** Mounts the subsidy downloads, the status forms' target and `/subsidies` (the year). */
export function mountSubsidyPages({ page, services }: PagePipeline, renderPolicy: PolicyPageRenderer): void {
  const { documents } = services.subsidies;
  const available = () => {
    if (!documents) throw new AppError('unavailable', 'PDF documents are not available in this process.');
    return documents;
  };

  page('get', '/policies/:id/subsidy-applications.zip', subsidyReaders, async ({ req, res, caller }) => {
    sendAttachment(res, await available().applicationsZip(caller, checkId(req.params.id)), 'application/zip');
  });

  page('get', '/policies/:id/subsidy-applications/:programme/pdf', subsidyReaders, async ({ req, res, caller }) => {
    sendAttachment(res, await available().applicationPdf(caller, checkId(req.params.id), checkCode(req.params.programme)), 'application/pdf');
  });

  page('post', '/policies/:id/subsidy-applications/:programme/status', subsidyRecorders, async (request) => {
    const { req, res, caller, body, lang } = request;
    const policyId = checkId(req.params.id);
    const programme = checkCode(req.params.programme);
    const key = text(body.idempotencyKey);
    try {
      await services.subsidies.recordApplicationStatus(caller, policyId, programme, statusRequestOf(body, lang), key && key.length <= 100 ? key : undefined);
    } catch (err) {
      // A mistyped amount or date: the policy page again, the form as typed, the error at its field.
      if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
      return renderPolicy(request, policyId, { programme, status: String(body.status ?? ''), values: typedValues(body), errors: fieldErrors(err, lang) });
    }
    res.redirect(303, `/policies/${policyId}#subsidies`);
  });

  page('get', '/subsidies', subsidyReaders, async ({ req, res, caller, lang, render }) => {
    const asked = typeof req.query.year === 'string' && YEAR.test(req.query.year) ? req.query.year : chinaDate(new Date()).slice(0, 4);
    const year = await services.subsidies.subsidyYear(caller, asked);
    const format = req.query.format;
    if (format === 'csv' || format === 'xlsx') {
      return streamAttachment(res, { fileName: `补贴年度-${asked}.${format}`, asciiFileName: `subsidies-${asked}.${format}` }, format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE, (out) => services.subsidies.writeSubsidyYear(year, format, out));
    }
    const money = (fen: number | undefined) => (fen === undefined ? undefined : formatYuan(fen));
    // Each table a page of YEAR_PAGE rows (`?rows=`, `?applications=`: offsets, the other kept):
    // a broker's year holds thousands of rows; the exports hold them all.
    const href = (offsets: { rows: number; applications: number }) => {
      const params = new URLSearchParams({ year: asked });
      for (const [name, offset] of Object.entries(offsets)) if (offset > 0) params.set(name, String(offset));
      return `/subsidies?${params}`;
    };
    const offsets = { rows: askedOffset(req.query.rows, YEAR_PAGE, year.rows.length), applications: askedOffset(req.query.applications, YEAR_PAGE, year.applications.length) };
    render('subsidy-year', {
      title: translate('subsidy_yearTitle', lang, { year: asked }),
      year: asked,
      rowsPager: offsetPager(offsets.rows, YEAR_PAGE, year.rows.length, lang, (rows) => href({ ...offsets, rows })),
      applicationsPager: offsetPager(offsets.applications, YEAR_PAGE, year.applications.length, lang, (applications) => href({ ...offsets, applications })),
      rows: year.rows.slice(offsets.rows, offsets.rows + YEAR_PAGE).map((r) => ({
        ...r, nameText: pick(r.name, lang),
        expected: money(r.expectedFen), applied: money(r.appliedFen), pending: money(r.pendingFen), granted: money(r.grantedFen), refused: money(r.refusedFen),
        counted: money(r.countedFen), annualCap: money(r.annualCapFen), capRemaining: money(r.capRemainingFen),
      })),
      applications: year.applications.slice(offsets.applications, offsets.applications + YEAR_PAGE).map((a) => ({
        policyId: a.policyId, policyNumber: a.policyNumber, enterpriseName: a.enterpriseName, programmeName: pick(a.application.name, lang),
        statusText: translate(`subsidy_status_${a.application.status}`, lang), expected: formatYuan(a.application.expectedFen),
        granted: a.application.grantedFen === undefined ? '' : formatYuan(a.application.grantedFen),
      })),
    });
  });
}
