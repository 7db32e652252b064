// Pools as a member's staff see them: the pool business their insurer carries with its own share
// (`/pools`, with the statement for a period), the statement downloads, and the named pool table
// and own share that the quote and policy pages show; `/pools/invitations`, where an insurer's
// admin accepts, declines or leaves its shares of other insurers' pools.
import type { Request } from 'express';
import { poolConsenters, poolMembers } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import type { InvitationActions } from '../pools/invitation-actions.ts';
import type { PoolInvitationView } from '../pools/pool-consent.ts';
import { formatChinaTime } from '../i18n/format.ts';
import { STATEMENT_TEMPLATE, statementCsv, statementView, statementXlsx } from '../statements/statement-files.ts';
import { checkId, type PagePipeline } from './page-pipeline.ts';
import { sendReportFile } from './page-helpers.ts';
import { formatYuan } from './web-forms.ts';
import { joinList, nameIn, pick, translate, type Lang } from './web-messages.ts';
import type { Services } from '../service.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dateParam = (value: unknown) => (typeof value === 'string' && DATE.test(value) ? value : undefined);
const period = (req: Request) => ({ from: dateParam(req.query.from), to: dateParam(req.query.to) });

/** Mounts `/pools` (the member's pool business for a period) and `/pools/statement` (CSV, XLSX or PDF). */
export function mountPoolPages({ page, services }: PagePipeline): void {
  page('get', '/pools', poolMembers, async ({ req, lang, caller, render }) => {
    const statement = await services.statements.poolStatement(caller, period(req));
    const query = `from=${statement.from}&to=${statement.to}&lang=${lang}`;
    render('pools', {
      title: translate('poolsTitle', lang),
      statement,
      members: joinList(statement.members.map((m) => nameIn(m, lang)), lang),
      rows: statement.rows.map((r) => ({
        ...r, productName: pick(r.productName, lang), enterpriseName: nameIn({ name: r.enterpriseName, nameEn: r.enterpriseNameEn }, lang), role: translate(`role_${r.share.role}`, lang), gross: formatYuan(r.grossPremiumFen),
        myGross: formatYuan(r.share.grossPremiumFen), myNet: formatYuan(r.share.netPremiumFen), myVat: formatYuan(r.share.vatFen),
      })),
      totals: { gross: formatYuan(statement.totals.grossPremiumFen), myGross: formatYuan(statement.totals.shareGrossFen), myNet: formatYuan(statement.totals.shareNetFen), myVat: formatYuan(statement.totals.shareVatFen) },
      downloads: ['csv', 'xlsx', 'pdf'].map((format) => ({ format, label: format.toUpperCase(), href: `/pools/statement?${query}&format=${format}` })),
    });
  });

  page('get', '/pools/invitations', poolMembers, async ({ lang, caller, render }) => {
    render('pool-invitations', await invitationsPageData(services, caller, lang));
  });

  for (const verb of ['accept', 'decline', 'leave'] as const) {
    page('post', `/pools/invitations/:id/${verb}`, poolConsenters, async ({ req, lang, caller, render }) => {
      const id = checkId(req.params.id);
      const done = verb === 'leave' ? await services.pools.leavePool(caller, id) : await services.pools.decidePoolInvitation(caller, id, verb === 'accept' ? 'accepted' : 'declined');
      const product = pick(done.productName, lang);
      const notice = translate(`invitationDone_${done.status}`, lang, { product, share: done.sharePercent, role: translate(`role_${done.role}`, lang) });
      render('pool-invitations', { ...(await invitationsPageData(services, caller, lang)), notice, langPath: '/pools/invitations' });
    });
  }

  page('get', '/pools/statement', poolMembers, async (request) => {
    const statement = await services.statements.poolStatement(request.caller, period(request.req));
    const dates = `${statement.insurer.insurer}-${statement.from}-${statement.to}`;
    await sendReportFile(request, {
      base: `pool-statement-${dates}`, name: `共保结算清单-${dates}`, fallback: 'csv',
      csv: (lang) => statementCsv(statement, lang), xlsx: (lang) => statementXlsx(statement, lang),
      pdf: { template: STATEMENT_TEMPLATE, view: (lang) => statementView(statement, lang), date: new Date(`${statement.to}T00:00:00+08:00`) },
    });
  });
}

/** The buttons of an invitation's row, by what the pools service says the caller may do (the rule its API refuses by). */
const actionsOf = (actions: InvitationActions) => ({ canDecide: actions.decide, canLeave: actions.leave });

/** The invitations page: what the caller's insurer is invited to (with its buttons) and what it sent, by name. */
async function invitationsPageData(services: Services, caller: Caller, lang: Lang) {
  const { items } = await services.pools.listPoolInvitations(caller, { limit: 200, offset: 0 });
  const row = (i: PoolInvitationView) => ({
    id: i.id, status: i.status, product: pick(i.productName, lang), inviter: nameIn(i.inviter, lang), member: nameIn(i.member, lang),
    role: translate(`role_${i.role}`, lang), share: i.sharePercent, version: i.proposedInVersion, statusLabel: translate(`invitationStatus_${i.status}`, lang),
    decidedAt: i.leftAt ? formatChinaTime(i.leftAt, lang) : i.decidedAt ? formatChinaTime(i.decidedAt, lang) : '',
    ...actionsOf(services.pools.invitationActions(caller, i)),
  });
  return {
    title: translate('poolInvitations', lang),
    received: items.filter((i) => i.direction === 'received').map(row),
    sent: items.filter((i) => i.direction === 'sent').map(row),
  };
}
