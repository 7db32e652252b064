import { createInsertBatcher } from '../db/insert-batcher.ts';
import { observeInsertBatch } from '../http/metrics.ts';
import mongoose, { Schema } from 'mongoose';
import type { Caller } from '../auth/caller.ts';
import { scopedQuery, type ScopedActor } from '../auth/scope.ts';

/** Who did what to which record, when, with a short human summary. Written by services, never edited. */
const auditEntrySchema = new Schema(
  {
    at: { type: Date, required: true },
    actor: {
      keyId: String,
      userName: String,
      role: String,
      organisationId: String,
    },
    action: { type: String, required: true },
    entityType: { type: String, required: true },
    entityId: { type: String, required: true },
    organisationId: { type: String },
    summary: { type: String, required: true },
    changes: { type: [{ path: String, from: Schema.Types.Mixed, to: Schema.Types.Mixed, _id: false }], default: undefined },
  },
  { collection: 'auditLog', versionKey: false },
);
auditEntrySchema.index({ entityType: 1, entityId: 1, at: -1, _id: -1 });
auditEntrySchema.index({ organisationId: 1, at: -1 });

export const AuditEntryModel = mongoose.model('AuditEntry', auditEntrySchema);

export interface AuditEvent {
  action: string;
  entityType: string;
  entityId: string;
  organisationId?: string;
  summary: string;
  changes?: { path: string; from?: unknown; to?: unknown }[];
}

/** The actor recorded for work done by the system itself (sync at start, CLI). */
export const systemActor = { keyId: 'system', userName: 'system', role: 'system', organisationId: '' };

/** Appends one entry to the audit log. */
// Entries of concurrent requests share insert commands (src/db/insert-batcher.ts).
const auditInserts = createInsertBatcher(AuditEntryModel, { onBatch: observeInsertBatch });

export async function recordAudit(actor: Caller | typeof systemActor, event: AuditEvent, at: Date = new Date()): Promise<void> {
  await auditInserts.insert({
    at,
    actor: { keyId: actor.keyId, userName: actor.userName, role: actor.role, organisationId: actor.organisationId },
    ...event,
  });
}

export interface AuditEntryView {
  at: string;
  actor: { keyId: string; userName: string; role: string; organisationId: string };
  action: string;
  summary: string;
  changes?: { path: string; from?: unknown; to?: unknown }[];
}

/** The audit trail of one record, newest first. */
export async function listAuditEntries(reader: ScopedActor, entityType: string, entityIds: string[], limit = 200): Promise<AuditEntryView[]> {
  return (await listAuditPage(reader, entityType, entityIds, { limit, offset: 0 })).items;
}

/**
 * A page of the audit trail of one record (or several ids of one kind), newest first, with the
 * total: the entries `reader` may read (scope.ts drops the actions its role does not read).
 */
export async function listAuditPage(reader: ScopedActor, entityType: string, entityIds: string[], page: { limit: number; offset: number }): Promise<{ items: AuditEntryView[]; total: number }> {
  const filter = scopedQuery(reader, 'auditEntries', { entityType, entityId: { $in: entityIds } });
  const [docs, total] = await Promise.all([
    AuditEntryModel.find(filter).sort({ at: -1, _id: -1 }).skip(page.offset).limit(page.limit).lean(),
    AuditEntryModel.countDocuments(filter),
  ]);
  return { items: docs.map(toEntryView), total };
}

function toEntryView(doc: { at: Date; actor?: { keyId?: string | null; userName?: string | null; role?: string | null; organisationId?: string | null } | null; action: string; summary: string; changes?: { path?: string | null; from?: unknown; to?: unknown }[] | null }): AuditEntryView {
  return {
    at: doc.at.toISOString(),
    actor: { keyId: doc.actor?.keyId ?? '', userName: doc.actor?.userName ?? '', role: doc.actor?.role ?? '', organisationId: doc.actor?.organisationId ?? '' },
    action: doc.action,
    summary: doc.summary,
    ...(doc.changes ? { changes: doc.changes.map((c) => ({ path: c.path ?? '', from: c.from, to: c.to })) } : {}),
  };
}
