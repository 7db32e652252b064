// The history panel of a product version or quote page: the record's audit trail in words, read
// through the audit service (which applies the record's own visibility).
import type { Caller } from '../auth/caller.ts';
import type { AuditEntityKind } from '../audit/audit-service.ts';
import { chinaDateTime } from '../rating/index.ts';
import type { Services } from '../service.ts';
import { messages, pick, translate, type Lang } from './web-messages.ts';

export interface HistoryPanel {
  items: { who: string; what: string; when: string; at: string; summary: string; changes: string[] }[];
  /** Entries in the whole trail, when the caller reads all of it. */
  total?: number;
}

/** How a record's page spells the changes an entry holds (a product version: cell by cell), in the page language. */
export type ChangeDescriber = (changes: readonly { path: string; from?: unknown; to?: unknown }[]) => string[];

/**
 * The newest 50 entries of a record's trail: who (organisation in the page language · user), what
 * (in the page language), when (Beijing time), and what changed when the page can spell it. The
 * entry's English summary is the tooltip on English pages only.
 */
export async function historyPanel(services: Pick<Services, 'audit'>, caller: Caller, entity: AuditEntityKind, id: string, lang: Lang, describe?: ChangeDescriber): Promise<HistoryPanel> {
  const trail = await services.audit.readAuditTrail(caller, entity, id, { limit: 50 }, lang);
  return {
    ...(trail.total !== undefined ? { total: trail.total } : {}),
    items: trail.items.map((e) => {
      const key = `audit_${e.action.replace(/\./g, '_')}`;
      return {
        who: [e.actor.organisationName, e.actor.userName].filter(Boolean).join(' · '),
        what: key in messages ? translate(key, lang) : e.summary,
        when: chinaDateTime(new Date(e.at)),
        at: e.at,
        summary: pick({ zh: '', en: e.summary }, lang), // the audit log's summaries are English
        changes: describe && e.changes?.length ? describe(e.changes) : [],
      };
    }),
  };
}

/** For a quote page: its history, and the drafts of its product the quotes service says the caller may keep it in as a test vector. */
export async function quoteHistoryAndDrafts(services: Pick<Services, 'audit' | 'quotes'>, caller: Caller, quote: { id: string; productCode: string; insurerOrganisationId: string }, lang: Lang): Promise<Record<string, unknown>> {
  const [history, drafts] = await Promise.all([historyPanel(services, caller, 'quote', quote.id, lang), services.quotes.vectorDraftsFor(caller, quote)]);
  return { history, vectorDrafts: drafts.map((version) => ({ version, label: translate('addAsVector', lang, { version }) })) };
}
