// Insurers' product administration: products and versions, drafts edited as JSON, test vectors,
// publishing. The grids, spreadsheets, diff and impact pages are in rate-table-pages.ts.
import { insurerAdmins, insurerStaff } from '../auth/access-rules.ts';
import type { VersionStatus } from '../catalogue/version-reads.ts';
import { approvalPanel } from './approval-view.ts';
import { resolveTimeline, versionInForce } from '../catalogue/version-timeline.ts';
import type { ProductDefinition } from '../rating/index.ts';
import { listRateTables, readTableCells } from '../catalogue/rate-tables.ts';
import { AppError } from '../http/app-error.ts';
import { addDays, chinaDate } from '../rating/index.ts';
import { loadPageNames } from './cover-view.ts';
import { describeChanges } from './change-view.ts';
import { historyPanel, quoteHistoryAndDrafts } from './history-view.ts';
import { checkCode, checkId, type PagePipeline, type PageRequest } from './page-pipeline.ts';
import { failingVectorName, problemText } from './problem-messages.ts';
import { productNames, quotePageData, tableTitle } from './page-helpers.ts';
import { formatYuan } from './web-forms.ts';
import { nameIn, pick, translate, type Lang } from './web-messages.ts';
import type { Services } from '../service.ts';

interface VersionPageExtra {
  /** A refused filing record: the posted values and each field's problem. */
  filing?: { filingReference: string; filedOn: string; errors: Record<string, string> };
  /** A refused publish: its problems at the date field, and the day that was chosen. */
  publishErrors?: string[];
  publishDate?: string;
  /** A refused submission for approval: its problems in the reader's language. */
  submitErrors?: string[];
  text?: string;
  errors?: { path: string; message: string }[];
  vectors?: unknown;
  notice?: string;
}

/** Mounts `/products`, a product's versions, the version editor with its actions, and the diff. */
export function mountProductPages({ page, services }: PagePipeline): void {
  page('get', '/products', insurerStaff, async ({ lang, caller, render }) => {
    const products = await services.catalogue.listProducts(caller);
    render('products', { title: translate('products', lang), products: products.map((p) => ({ ...p, title: pick(p.name, lang) })) });
  });

  page('get', '/products/:code', insurerStaff, async ({ req, lang, caller, render }) => {
    const code = checkCode(req.params.code);
    const { versions } = await services.catalogue.listVersions(caller, code);
    const timeline = versionTimeline(versions, lang);
    const awaiting = await services.catalogue.awaitingApproval(caller, code);
    const diffTo = versions.find((v) => v.status === 'draft') ?? versions.find((v) => v !== inForceOf(versions)) ?? versions[0];
    render('product-versions', {
      title: `${translate('products', lang)} · ${(await productNames(services, lang)).get(code) ?? code}`, code, canEdit: insurerAdmins.includes(caller.role),
      versions: versions.map((v) => ({ ...v, ...timelineActions(v), ...timeline.get(v.version), statusLabel: statusLabel(v, lang, awaiting.has(v.version)), diffFrom: v.version === inForceOf(versions)?.version, diffTo: v === diffTo })),
    });
  });

  for (const action of ['retire', 'withdraw'] as const) {
    page('get', `/products/:code/versions/:version/${action}`, insurerAdmins, async ({ req, lang, caller, render }) => {
      const code = checkCode(req.params.code);
      const version = checkCode(req.params.version);
      const view = await services.catalogue.getVersion(caller, code, version);
      const key = action === 'retire' ? 'Retire' : 'Withdraw';
      render('version-confirm', {
        title: translate(`confirm${key}Title`, lang, { code, version }), text: translate(`confirm${key}Text`, lang, { date: view.effectiveFrom }),
        code, version, action, buttonLabel: translate(action, lang), langPath: `/products/${code}/versions/${version}/${action}`,
      });
    });
    page('post', `/products/:code/versions/:version/${action}`, insurerAdmins, async (request) => {
      const code = checkCode(request.req.params.code);
      const version = checkCode(request.req.params.version);
      await (action === 'retire' ? services.catalogue.retireVersion : services.catalogue.withdrawVersion)(request.caller, code, version);
      await versionPage(request, code, version, { notice: translate(action === 'retire' ? 'retired' : 'withdrawn', request.lang) });
    });
  }

  page('post', '/products/:code/versions/:version/vectors-from-quote', insurerAdmins, async ({ req, lang, caller, body, render }) => {
    const code = checkCode(req.params.code);
    const version = checkCode(req.params.version);
    const quoteId = checkId(body.quoteId);
    const added = await services.quotes.addVectorFromQuote(caller, code, version, { quoteId });
    const quote = await services.quotes.getQuote(caller, quoteId);
    const expected = added.vector.expected as { decision: string; grossPremiumFen?: number };
    render('quote', {
      ...quotePageData(quote, await loadPageNames(services, quote, lang), caller, lang), ...(await quoteHistoryAndDrafts(services, caller, quote, lang)),
      notice: translate('vectorAdded', lang, { version, name: added.vector.name, decision: translate(`status_${expected.decision}`, lang), draft: formatYuan(expected.grossPremiumFen ?? 0), quoted: formatYuan(added.quote.grossPremiumFen) }),
    });
  });

  page('post', '/products/:code/versions', insurerAdmins, async ({ req, res, caller, body }) => {
    const code = checkCode(req.params.code);
    const view = await services.catalogue.createVersion(caller, code, { cloneFrom: String(body.cloneFrom ?? '') });
    res.redirect(303, `/products/${code}/versions/${encodeURIComponent(view.version)}`);
  });

  page('get', '/products/:code/versions/:version', insurerStaff, async (request) => {
    await versionPage(request, checkCode(request.req.params.code), checkCode(request.req.params.version));
  });

  page('post', '/products/:code/versions/:version', insurerAdmins, saveDraft);

  page('post', '/products/:code/versions/:version/test', insurerStaff, async (request) => {
    const code = checkCode(request.req.params.code);
    const version = checkCode(request.req.params.version);
    await vectorsStep(request, code, version);
  });

  page('post', '/products/:code/versions/:version/accept-vectors', insurerAdmins, async (request) => {
    const code = checkCode(request.req.params.code);
    const version = checkCode(request.req.params.version);
    const { accepted } = await services.catalogue.acceptVectorResults(request.caller, code, version, typeof request.body.seen === 'string' ? request.body.seen : '');
    await vectorsStep(request, code, version, translate('vectorsAccepted', request.lang, { n: accepted }));
  });

  page('post', '/products/:code/versions/:version/filing-record', insurerAdmins, async (request) => {
    const code = checkCode(request.req.params.code);
    const version = checkCode(request.req.params.version);
    const text = (name: string) => (typeof request.body[name] === 'string' ? request.body[name] : '');
    const posted = { filingReference: text('filingReference'), filedOn: text('filedOn') };
    try {
      await services.catalogue.recordFiling(request.caller, code, version, posted);
    } catch (err) {
      if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
      const fieldErrors = Object.fromEntries(err.details.map((d) => [d.path.replace(/^body\./, ''), problemText(d.message, request.lang).message]));
      await versionPage(request, code, version, { filing: { ...posted, errors: fieldErrors } }, 400);
      return;
    }
    await versionPage(request, code, version, { notice: translate('filingRecorded', request.lang) });
  });

  page('post', '/products/:code/versions/:version/invite-pool', insurerAdmins, async (request) => {
    const code = checkCode(request.req.params.code);
    const version = checkCode(request.req.params.version);
    await services.pools.invitePoolMembers(request.caller, code, version);
    await versionPage(request, code, version, { notice: translate('invitationsSentNotice', request.lang) });
  });

  page('post', '/products/:code/versions/:version/submit', insurerAdmins, async (request) => {
    const code = checkCode(request.req.params.code);
    const version = checkCode(request.req.params.version);
    try {
      await request.services.catalogue.submitVersion(request.caller, code, version);
    } catch (err) {
      if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
      await versionPage(request, code, version, { submitErrors: submitProblems(err.details, request.lang) }, 400);
      return;
    }
    await versionPage(request, code, version, { notice: translate('fe_submittedNotice', request.lang) });
  });

  page('post', '/products/:code/versions/:version/publish', insurerAdmins, async (request) => {
    const { req, lang, caller, body } = request;
    const code = checkCode(req.params.code);
    const version = checkCode(req.params.version);
    try {
      // The form is prefilled with the draft's own day; only a changed day edits the draft.
      const chosen = typeof body.effectiveFrom === 'string' && body.effectiveFrom !== '' ? body.effectiveFrom : undefined;
      const draft = chosen === undefined ? undefined : await services.catalogue.getVersion(caller, code, version);
      await services.catalogue.publishApproved(caller, code, version, chosen === draft?.effectiveFrom ? undefined : chosen);
    } catch (err) {
      if (!(err instanceof AppError) || (err.kind !== 'invalid_input' && err.kind !== 'conflict')) throw err;
      const details = err.details.length ? err.details : [{ path: 'definition', message: err.message }];
      const publishErrors = publishProblems(details, lang);
      const chosen = typeof body.effectiveFrom === 'string' ? body.effectiveFrom : undefined;
      await versionPage(request, code, version, publishErrors.length === details.length ? { publishErrors, publishDate: chosen } : { errors: details }, 400);
      return;
    }
    await versionPage(request, code, version, { notice: translate('published', lang) });
  });
}

/** The vectors step: each vector's expected and actual figure in 元 with the difference, and (on a draft with failures) the one-step accept. */
async function vectorsStep(request: PageRequest, code: string, version: string, notice?: string): Promise<void> {
  const { lang, caller, services } = request;
  const comparison = await services.catalogue.compareVectors(caller, code, version);
  const outcome = comparison.compiles ? undefined : await services.catalogue.testVersion(caller, code, version);
  const decision = (d: string | undefined) => (d ? translate(`status_${d}`, lang) : '—');
  const yuan = (fen: number | undefined) => (fen === undefined ? '—' : formatYuan(fen));
  const items = comparison.results.map((r) => {
    const before = r.expected.grossPremiumFen;
    const after = r.actual?.grossPremiumFen;
    const difference = before !== undefined && after !== undefined ? after - before : undefined;
    return {
      name: r.name, passed: r.passed, label: translate(r.passed ? 'passed' : 'failed', lang),
      expected: yuan(before), actual: r.actual ? yuan(after) : translate('vectorNotRated', lang),
      difference: difference === undefined ? '' : `${difference > 0 ? '+' : ''}${formatYuan(difference)}`, differenceSign: difference === undefined ? '' : Math.sign(difference),
      decisionChange: r.actual && r.actual.decision !== r.expected.decision ? `${decision(r.expected.decision)} → ${decision(r.actual.decision)}` : '',
    };
  });
  const failing = comparison.results.filter((r) => !r.passed && r.actual).length;
  const view = await services.catalogue.getVersion(caller, code, version);
  await versionPage(request, code, version, {
    notice,
    vectors: {
      passed: items.every((i) => i.passed), items, seen: comparison.definitionHash,
      canAccept: failing > 0 && view.status === 'draft' && insurerAdmins.includes(caller.role), acceptLabel: translate('acceptVectors', lang, { n: failing }),
    },
    ...(outcome?.compileErrors.length ? { errors: outcome.compileErrors } : {}),
  });
}

/** Saves a draft from the posted JSON; parse, schema and compile errors are shown with their path. */
async function saveDraft(request: PageRequest): Promise<void> {
  const { req, lang, caller, body, services } = request;
  const code = checkCode(req.params.code);
  const version = checkCode(req.params.version);
  const text = typeof body.definition === 'string' ? body.definition : '';
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (err) {
    await versionPage(request, code, version, { text, errors: [{ path: 'definition', message: jsonSyntaxMessage(text, err as Error, lang) }] }, 400);
    return;
  }
  try {
    await services.catalogue.updateDraft(caller, code, version, definition);
  } catch (err) {
    if (!(err instanceof AppError) || (err.kind !== 'invalid_input' && err.kind !== 'conflict')) throw err;
    const errors = (err.details.length ? err.details : [{ path: 'definition', message: err.message }]).map((d) => ({ path: d.path.replace(/^body\./, ''), message: d.message }));
    await versionPage(request, code, version, { text, errors }, 400);
    return;
  }
  await versionPage(request, code, version, { notice: translate('saved', lang) });
}

/**
 * A refused publish's problems about its dates (a clash with a published version) and its test
 * vectors, in the reader's language, shown at the date field; none when another problem is among them.
 */
function publishProblems(details: readonly { path: string; message: string }[], lang: Lang): string[] {
  const shown = details.flatMap((d) => {
    const vector = failingVectorName(d.path);
    if (vector !== undefined) return [translate('wb_vectorFails', lang, { name: vector })];
    return /^(definition|body)\.effective(From|To)$/.test(d.path) || d.path === 'version' ? [problemText(d.message, lang).message] : [];
  });
  return shown.length === details.length ? shown : [];
}

/** A refused submission's problems in the reader's language: failing vectors by name, other problems by their wording. */
function submitProblems(details: readonly { path: string; message: string }[], lang: Lang): string[] {
  return details.map((d) => {
    const vector = failingVectorName(d.path);
    return vector !== undefined ? translate('wb_vectorFails', lang, { name: vector }) : problemText(d.message, lang).message;
  });
}

/** The day the publish form offers: the draft's own day when still ahead, else tomorrow (a past day would only clash). */
function offeredPublishDate(effectiveFrom: string, today = chinaDate(new Date())): string {
  return effectiveFrom > today ? effectiveFrom : addDays(today, 1);
}

type Dated = { version: string; status: VersionStatus; effectiveFrom: string; effectiveTo?: string };

/** The published version in force today, if any. */
function inForceOf<T extends Dated>(versions: readonly T[], today = chinaDate(new Date())): T | undefined {
  return versionInForce(versions.filter((v) => v.status === 'published'), today);
}

/**
 * Each version's place on the timeline: the first and last day it is (or was filed to be) in
 * force — a published version ends the day before the next takes over — and whether it is the
 * one in force today or scheduled to take over.
 */
function versionTimeline(versions: readonly Dated[], lang: Lang, today = chinaDate(new Date())): Map<string, { until: string; inForce: boolean; scheduled: boolean; marker: string }> {
  const spans = new Map(resolveTimeline(versions.filter((v) => v.status === 'published')).map((s) => [s.version, s]));
  const current = inForceOf(versions, today);
  return new Map(versions.map((v) => {
    const span = spans.get(v.version);
    const last = span?.lastDay ?? v.effectiveTo;
    const inForce = v === current;
    const scheduled = v.status === 'published' && v.effectiveFrom > today;
    const marker = inForce ? translate('tl_inForce', lang) : scheduled ? translate('tl_scheduled', lang, { date: v.effectiveFrom }) : span?.supersededBy && span.lastDay! < today ? translate('tl_supersededBy', lang, { version: span.supersededBy }) : '';
    const until = v.status === 'published' ? last ?? translate('tl_open', lang) : v.effectiveTo ?? translate('tl_notInForce', lang);
    return [v.version, { until, inForce, scheduled, marker }];
  }));
}

/** A published version not yet in force can be withdrawn; one in force, retired. */
function timelineActions(v: { status: VersionStatus; effectiveFrom: string }, today = chinaDate(new Date())): { canWithdraw: boolean; canRetire: boolean } {
  const published = v.status === 'published';
  return { canWithdraw: published && v.effectiveFrom > today, canRetire: published && v.effectiveFrom <= today };
}

function statusLabel(v: { status: VersionStatus; effectiveFrom: string }, lang: Lang, awaitingApproval = false): string {
  const label = translate(`status_${v.status}`, lang);
  if (awaitingApproval) return `${label} · ${translate('fe_awaiting', lang)}`;
  return timelineActions(v).canWithdraw ? `${label} · ${translate('scheduled', lang)}` : label;
}

/** A JSON syntax error at its line and column (the parser only says "at position 12294"). */
function jsonSyntaxMessage(text: string, err: Error, lang: Lang): string {
  const position = Number(/at position (\d+)/.exec(err.message)?.[1] ?? text.length);
  const before = text.slice(0, position).split('\n');
  const message = err.message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  return translate('jsonSyntax', lang, { line: before.length, column: before[before.length - 1]!.length + 1, message });
}

/** A draft's pool, member by member (names, not codes), with where each stands on its share. */
async function poolConsentPanel(services: Services, definition: ProductDefinition, canEdit: boolean, lang: Lang) {
  if (!definition.coInsurance?.members.some((m) => m.insurer !== definition.insurer)) return undefined;
  const [consent, directory] = await Promise.all([services.pools.poolConsentOf(definition), services.pools.insurerDirectory()]);
  const name = (code: string) => { const entry = directory.get(code); return entry ? nameIn(entry, lang) : code; };
  return {
    members: consent.map((m) => ({ insurer: name(m.insurer), role: translate(`role_${m.role}`, lang), share: m.sharePercent, status: m.status, statusLabel: translate(`invitationStatus_${m.status}`, lang) })),
    canInvite: canEdit && consent.some((m) => m.status === 'none' || m.status === 'declined' || m.status === 'left'),
  };
}

/** The version page: its rating tables, spreadsheets, actions, and the raw JSON (or the text just posted) with its errors. */
async function versionPage({ services, req, lang, caller, render }: PageRequest, code: string, version: string, extra: VersionPageExtra = {}, status = 200): Promise<void> {
  const view = await services.catalogue.getVersion(caller, code, version);
  const { versions } = await services.catalogue.listVersions(caller, code);
  const base = `/products/${code}/versions/${encodeURIComponent(version)}`;
  const others = versions.filter((v) => v.version !== version);
  const canEdit = insurerAdmins.includes(caller.role);
  const approval = await services.catalogue.approvalOf(caller, code, version);
  const tables = listRateTables(view.definition).map((table) => ({ id: table.id, title: tableTitle(table, lang), rows: readTableCells(view.definition, table).length, href: `${base}/tables/${table.id}` }));
  render('version-edit', {
    ...(canEdit ? timelineActions(view) : {}),
    history: await historyPanel(services, caller, 'productVersion', `${code}@${version}`, lang, (changes) => describeChanges(view.definition, changes, lang)),
    base, tables, others: others.map((v) => ({ version: v.version, selected: v === (inForceOf(others) ?? others.find((o) => o.status === 'published')) })),
    notice: extra.notice ?? (req.query.imported ? translate('imported', lang) : undefined),
    title: `${pick(view.definition.name, lang)} · ${translate('version', lang)} ${version}`, langPath: `/products/${code}/versions/${encodeURIComponent(version)}`,
    code, version, status: view.status, statusLabel: statusLabel(view, lang, approval.state === 'submitted'), effectiveFrom: view.effectiveFrom,
    publishDate: extra.publishDate ?? offeredPublishDate(view.effectiveFrom), publishErrors: extra.publishErrors, publishProblem: extra.publishErrors ? translate('wb_publishNotDone', lang) : undefined,
    approval: approvalPanel(approval, caller, canEdit, lang), submitErrors: extra.submitErrors,
    canAdmin: canEdit, isDraft: view.status === 'draft', canEdit: view.status === 'draft' && insurerAdmins.includes(caller.role),
    poolConsent: view.status === 'draft' ? await poolConsentPanel(services, view.definition, insurerAdmins.includes(caller.role), lang) : undefined,
    text: extra.text ?? JSON.stringify(view.definition, null, 2),
    errors: extra.errors ?? view.compileErrors ?? [],
    vectors: extra.vectors,
    filing: extra.filing ?? { filingReference: '', filedOn: '', ...(await services.catalogue.filingRecordOf(caller, code, version)), errors: {} },
  }, status);
}
