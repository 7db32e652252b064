// The impact analysis run from a draft's page. It runs inside the request (no job state an
// instance would have to share): a plain form post gets the finished page; the page's script
// asks for NDJSON and reads progress lines, then the result's HTML, from the same response.
import type { Response } from 'express';
import { insurerStaff } from '../auth/access-rules.ts';
import { AppError } from '../http/app-error.ts';
import type { HistogramBin } from '../portfolio/impact-stats.ts';
import type { ImpactReport } from '../portfolio/impact-service.ts';
import { checkCode, type PagePipeline } from './page-pipeline.ts';
import { formatYuan } from './web-forms.ts';
import { translate, type Lang } from './web-messages.ts';

const CHART = { width: 640, height: 220, left: 36, bottom: 40, top: 12 };

/** The histogram as SVG geometry: one bar per bin, heights scaled to the fullest bin. */
function histogramBars(bins: readonly HistogramBin[], lang: Lang) {
  const most = Math.max(1, ...bins.map((b) => b.count));
  const plotWidth = CHART.width - CHART.left - 8;
  const plotHeight = CHART.height - CHART.bottom - CHART.top;
  const width = bins.length ? plotWidth / bins.length : plotWidth;
  return {
    ...CHART, axisY: CHART.height - CHART.bottom, most, mostY: CHART.top + 4, labelY: CHART.height - CHART.bottom + 16, endLabelY: CHART.height - CHART.bottom + 32,
    bars: bins.map((b, i) => {
      const height = Math.round((b.count / most) * plotHeight);
      return {
        x: Math.round(CHART.left + i * width + 1), width: Math.max(1, Math.round(width - 2)), y: CHART.height - CHART.bottom - height, height, count: b.count,
        label: translate('histogramBar', lang, { from: b.fromPercent, to: b.toPercent, count: b.count }), tick: b.fromPercent, tickX: Math.round(CHART.left + i * width),
        countY: CHART.height - CHART.bottom - height - 3, countX: Math.round(CHART.left + (i + 0.5) * width),
      };
    }),
    lastTick: bins.length ? bins[bins.length - 1]!.toPercent : 0, lastTickX: CHART.left + Math.round(plotWidth),
  };
}

function bookView(book: ImpactReport['quotes'], kind: 'quotes' | 'policies', lang: Lang) {
  const href = (id: string) => `/${kind}/${id}`;
  const mover = (m: ImpactReport['quotes']['largestMovers'][number]) => ({
    ...m, href: href(m.id), stored: formatYuan(m.storedPremiumFen), now: formatYuan(m.newPremiumFen), change: formatYuan(m.changeFen),
    percent: m.changePercent === null ? '' : `${m.changePercent}%`, storedLabel: translate(`outcome_${m.storedDecision}`, lang), newLabel: translate(`outcome_${m.newDecision}`, lang),
  });
  return {
    kind, heading: translate(kind === 'quotes' ? 'bookQuotes' : 'bookPolicies', lang), count: book.count, rated: book.rated,
    stored: formatYuan(book.storedPremiumFen), now: formatYuan(book.newPremiumFen), change: formatYuan(book.changeFen), percent: book.changePercent === null ? '' : `${book.changePercent}%`,
    chart: book.changeHistogram.length ? histogramBars(book.changeHistogram, lang) : undefined,
    flips: book.decisionFlips.map(mover), movers: book.largestMovers.map(mover), notRated: book.inputErrors.count,
  };
}

/** The report as the data of templates/pages/impact-result.hbs. */
function impactView(report: ImpactReport, lang: Lang) {
  return {
    lang, baseline: report.baseline, version: report.version,
    books: [bookView(report.quotes, 'quotes', lang), ...(report.policies ? [bookView(report.policies, 'policies', lang)] : [])],
  };
}

const wantsStream = (accept: string | undefined) => (accept ?? '').includes('application/x-ndjson');

async function streamImpact(res: Response, run: (progress: (done: number, total: number) => void) => Promise<ImpactReport>, lang: Lang, renderFragment: PagePipeline['fragment']): Promise<void> {
  res.status(200).set({ 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  let last = 0;
  try {
    const report = await run((done, total) => {
      const now = Date.now();
      if (now - last < 200 && done < total) return;
      last = now;
      res.write(`${JSON.stringify({ done, total, label: translate('impactProgress', lang, { done, total }) })}\n`);
    });
    res.end(`${JSON.stringify({ html: renderFragment('impact-result', impactView(report, lang)) })}\n`);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    res.end(`${JSON.stringify({ error: err.message, details: err.details })}\n`);
  }
}

/** Mounts POST /products/:code/versions/:version/impact. */
export function mountImpactPages({ page, fragment: renderFragment, services }: PagePipeline): void {
  page('post', '/products/:code/versions/:version/impact', insurerStaff, async ({ req, res, lang, caller, render }) => {
    const code = checkCode(req.params.code);
    const version = checkCode(req.params.version);
    const run = (onProgress?: (done: number, total: number) => void) => services.portfolio.analyseRateChange(caller, code, version, { top: 10, ...(onProgress ? { onProgress } : {}) });
    if (wantsStream(req.get('accept'))) return streamImpact(res, run, lang, renderFragment);
    const report = await run();
    render('impact', { title: `${translate('impact', lang)} · ${code} ${version}`, code, version, result: renderFragment('impact-result', impactView(report, lang)) });
  });
}
