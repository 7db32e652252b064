// Reading the audit trail: who did what to a record, for callers who may see that record. Each
// kind of record keeps its own visibility rule in its service; this module only asks it.
import mongoose from 'mongoose';
import { getOrganisation } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { assertProductVisible } from '../catalogue/catalogue-service.ts';
import { invalidInput } from '../http/app-error.ts';
import type { Lang } from '../http/common-schemas.ts';
import { organisationNameIn } from '../i18n/format.ts';
import { loadVisiblePolicy } from '../policies/policy-service.ts';
import { loadVisibleQuote } from '../quotes/quote-service.ts';
import { listAuditPage, type AuditEntryView } from './audit-log.ts';
import type { auditEntityKinds } from './audit-schemas.ts';

export type AuditEntityKind = (typeof auditEntityKinds)[number];

export interface AuditItem {
  at: string;
  action: string;
  summary: string;
  actor: { userName: string; role: string; organisationName: string };
  changes?: AuditEntryView['changes'];
}

/** 404 (as for the record itself) unless the caller may see the record. */
async function assertVisible(caller: Caller, entity: AuditEntityKind, id: string): Promise<void> {
  switch (entity) {
    case 'product': return assertProductVisible(caller, id);
    case 'productVersion': {
      const at = id.lastIndexOf('@');
      if (at <= 0) throw invalidInput('A product version is named CODE@VERSION.', [{ path: 'query.id', message: 'must be <product code>@<version> (format)' }]);
      return assertProductVisible(caller, id.slice(0, at));
    }
    case 'quote': await loadVisibleQuote(caller, id); return;
    case 'policy': await loadVisiblePolicy(caller, id); return;
  }
}

/** Names of the organisations that acted, in the reader's language (a handful per trail: one read by _id each). */
async function organisationNames(ids: string[], lang: Lang): Promise<Map<string, string>> {
  const valid = [...new Set(ids)].filter((id) => mongoose.isValidObjectId(id));
  const found = await Promise.all(valid.map((id) => getOrganisation(null, id).then((o) => [id, organisationNameIn(o, lang)] as const, () => undefined)));
  return new Map(found.filter((f) => f !== undefined));
}

/** A page of one record's audit trail, newest first, organisations named in `lang`; 404 when the caller may not see the record. */
export async function readAuditTrail(caller: Caller, entity: AuditEntityKind, id: string, page: { limit: number; offset: number }, lang: Lang = 'zh-CN'): Promise<{ entity: AuditEntityKind; id: string; items: AuditItem[]; total: number; limit: number; offset: number }> {
  await assertVisible(caller, entity, id);
  const { items, total } = await listAuditPage(entity, [id], page);
  const names = await organisationNames(items.map((e) => e.actor.organisationId), lang);
  return {
    entity, id, total, ...page,
    items: items.map((e) => ({
      at: e.at, action: e.action, summary: e.summary,
      actor: { userName: e.actor.userName, role: e.actor.role, organisationName: names.get(e.actor.organisationId) ?? (e.actor.role === 'system' ? 'system' : '') },
      ...(e.changes ? { changes: e.changes } : {}),
    })),
  };
}
