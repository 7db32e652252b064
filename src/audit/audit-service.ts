// Reading the audit trail: who did what to a record, for callers who may see that record. Each
// kind of record keeps its own visibility rule in its service; this module only asks it, through
// the AuditSubjects port src/service.ts fills from the catalogue, quotes and policies services
// (they stand on higher floors: audit imports none of them).
import mongoose from 'mongoose';
import { findOrganisationById } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { invalidInput } from '../http/app-error.ts';
import type { Lang } from '../http/common-schemas.ts';
import { nameIn } from '../i18n/pick.ts';
import { buildAuditTrails, listAuditPage, type AuditEntryView } from './audit-log.ts';
import { cursorOf, type LogPage, type LogPageQuery } from '../db/log-pages.ts';
import type { auditEntityKinds } from './audit-schemas.ts';

export type AuditEntityKind = (typeof auditEntityKinds)[number];

/** "May this caller see record X": each answers 404 (as for the record itself) when it may not. */
export interface AuditSubjects {
  assertProductVisible(caller: Caller, code: string): Promise<void>;
  /** Also the entry the quote carries itself (its creation), older than every entry in the log. */
  visibleQuoteEntry(caller: Caller, id: string): Promise<AuditEntryView | undefined>;
  assertPolicyVisible(caller: Caller, id: string): Promise<void>;
}

export interface AuditItem {
  at: string;
  action: string;
  summary: string;
  actor: { userName: string; role: string; organisationName: string };
  changes?: AuditEntryView['changes'];
}

/**
 * 404 (as for the record itself) unless the caller may see the record; the entry the record
 * carries itself, if any (a quote's creation), which is older than every entry in the audit log.
 */
async function visibleRecordEntry(subjects: AuditSubjects, caller: Caller, entity: AuditEntityKind, id: string): Promise<AuditEntryView | undefined> {
  switch (entity) {
    case 'product': await subjects.assertProductVisible(caller, id); return undefined;
    case 'productVersion': {
      const at = id.lastIndexOf('@');
      if (at <= 0) throw invalidInput('A product version is named CODE@VERSION.', [{ path: 'query.id', message: 'must be <product code>@<version> (format)' }]);
      await subjects.assertProductVisible(caller, id.slice(0, at));
      return undefined;
    }
    case 'quote': return subjects.visibleQuoteEntry(caller, id);
    case 'policy': await subjects.assertPolicyVisible(caller, id); return undefined;
  }
}

/** The cursor of the page below every logged entry (below position 0): the record's own entry alone. */
const PAST_THE_LOG = cursorOf(0);

/**
 * A page of the record's trail, newest first: its logged entries, then the record's own (oldest)
 * entry, if any, which follows the log's last entry — on the page that reaches the end of the log
 * with room for it, else on a page of its own after it.
 */
async function trailPage(caller: Caller, entity: AuditEntityKind, id: string, own: AuditEntryView | undefined, page: LogPageQuery): Promise<LogPage<AuditEntryView>> {
  const logged = await listAuditPage(caller, entity, id, page);
  if (!own) return logged;
  const withOwn = { ...logged, ...(logged.total !== undefined ? { total: logged.total + 1 } : {}) };
  if (logged.next !== undefined) return withOwn;
  if (logged.items.length === page.limit) return { ...withOwn, next: PAST_THE_LOG };
  const offset = page.offset ?? 0;
  // An offset at or past the log's end: the own entry is on this page only if it sits at the offset.
  if (logged.items.length === 0 && offset > 0 && offset !== logged.total) return withOwn;
  return { ...withOwn, items: [...logged.items, own] };
}

/** Names of the organisations that acted, in the reader's language (kept once read: organisations never change). */
async function organisationNames(ids: string[], lang: Lang): Promise<Map<string, string>> {
  const valid = [...new Set(ids)].filter((id) => mongoose.isValidObjectId(id));
  const found = await Promise.all(valid.map(async (id) => [id, await findOrganisationById(id)] as const));
  return new Map(found.flatMap(([id, o]) => (o ? [[id, nameIn(o, lang)] as const] : [])));
}

/** A page of one record's audit trail, newest first, organisations named in `lang`; 404 when the caller may not see the record. */
async function readAuditTrail(subjects: AuditSubjects, caller: Caller, entity: AuditEntityKind, id: string, page: LogPageQuery, lang: Lang = 'zh-CN'): Promise<{ entity: AuditEntityKind; id: string; items: AuditItem[]; total?: number; limit: number; offset: number; next?: string }> {
  const own = await visibleRecordEntry(subjects, caller, entity, id);
  const { items, ...rest } = await trailPage(caller, entity, id, own, page);
  const names = await organisationNames(items.map((e) => e.actor.organisationId), lang);
  return {
    entity, id, ...rest,
    items: items.map((e) => ({
      at: e.at, action: e.action, summary: e.summary,
      actor: { userName: e.actor.userName, role: e.actor.role, organisationName: names.get(e.actor.organisationId) ?? (e.actor.role === 'system' ? 'system' : '') },
      ...(e.changes ? { changes: e.changes } : {}),
    })),
  };
}

/** The audit capability as routes and pages read it, with its visibility look-ups (composed in src/service.ts). */
export function createAudit(deps: { subjects: AuditSubjects }) {
  const { subjects } = deps;
  return Object.freeze({
    readAuditTrail: (caller: Caller, entity: AuditEntityKind, id: string, page: LogPageQuery, lang?: Lang) => readAuditTrail(subjects, caller, entity, id, page, lang),
    /** The migration of a data folder from before the trails (idempotent): every stored entry on its record's trail. */
    buildLists: buildAuditTrails,
  });
}
export type AuditService = ReturnType<typeof createAudit>;
