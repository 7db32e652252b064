import { createInsertBatcher } from '../db/insert-batcher.ts';
import { observeInsertBatch } from '../http/metrics.ts';
import mongoose, { Schema } from 'mongoose';
import type { Caller } from '../auth/caller.ts';
import { auditTrailKey, scopedAuditTrail, type ScopedActor } from '../auth/scope.ts';
import { defineKeyedLog } from '../db/keyed-log.ts';
import { logPage, type LogPage, type LogPageQuery } from '../db/log-pages.ts';

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
// A record's trail is read from its keyed log (auditTrails below), not by a query on the log.
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

/**
 * Each record's trail (#25): per record (scope.ts auditTrailKey: `<entityType>:<entityId>`), the
 * log of its entries as they are written, each carrying the whole entry (entries never change and
 * are small), its id as the ref: a page of a trail is read from the log alone.
 */
const auditTrails = defineKeyedLog<AuditEntryView>('AuditTrailEntry', 'auditTrails');

// Entries of concurrent requests share insert commands (src/db/insert-batcher.ts).
const auditInserts = createInsertBatcher(AuditEntryModel, { onBatch: observeInsertBatch });

export interface AuditEntryView {
  at: string;
  actor: { keyId: string; userName: string; role: string; organisationId: string };
  action: string;
  summary: string;
  changes?: { path: string; from?: unknown; to?: unknown }[];
}

interface StoredAuditEntry extends AuditEvent { _id: unknown; at: Date; actor?: { keyId?: string | null; userName?: string | null; role?: string | null; organisationId?: string | null } | null }

/** Appends a stored entry to its record's trail (again: nothing). */
function appendToTrail(doc: StoredAuditEntry): Promise<void> {
  return auditTrails.append(auditTrailKey(doc.entityType, doc.entityId), String(doc._id), toEntryView(doc));
}

/** Appends one entry to the audit log, then to its record's trail. */
export async function recordAudit(actor: Caller | typeof systemActor, event: AuditEvent, at: Date = new Date()): Promise<void> {
  const stored = await auditInserts.insert({
    at,
    actor: { keyId: actor.keyId, userName: actor.userName, role: actor.role, organisationId: actor.organisationId },
    ...event,
  });
  await appendToTrail(stored.toObject() as StoredAuditEntry);
}

/** The audit trail of one record, newest first (the first `limit` entries `reader` may read). */
export async function listAuditEntries(reader: ScopedActor, entityType: string, entityId: string, limit = 200): Promise<AuditEntryView[]> {
  return (await listAuditPage(reader, entityType, entityId, { limit })).items;
}

/**
 * A page of the audit trail of one record, newest first: the entries `reader` may read (scope.ts
 * drops the actions its role does not read), by cursor or offset, with the total (but for a page
 * asked for by cursor): kept when nothing is dropped, else counted on the record's trail, which
 * is short (tens of entries: one or two chunk reads, never the book).
 */
export async function listAuditPage(reader: ScopedActor, entityType: string, entityId: string, page: LogPageQuery): Promise<LogPage<AuditEntryView>> {
  const { key, filtered, accept } = scopedAuditTrail(reader, entityType, entityId);
  const found = await logPage(auditTrails, key, page, { filtered, ...(filtered ? { accept } : {}), load: async (entries) => entries.map((e) => e.value) });
  if (filtered && page.after === undefined) found.total = await countAuditEntries(reader, entityType, entityId);
  return found;
}

/** How many entries of one record's trail `reader` may read (reads the trail: a record's is short). */
async function countAuditEntries(reader: ScopedActor, entityType: string, entityId: string): Promise<number> {
  const { key, accept } = scopedAuditTrail(reader, entityType, entityId);
  return (await auditTrails.all(key)).filter((e) => accept(e.value)).length;
}

/**
 * The migration of a data folder from before the trails: every stored entry on its record's
 * trail, oldest first. Idempotent (a second run adds nothing); a scan of the log: offline, once.
 */
export async function buildAuditTrails(): Promise<{ entries: number }> {
  const cursor = AuditEntryModel.find({}).sort({ at: 1, _id: 1 }).lean<StoredAuditEntry[]>().cursor({ batchSize: 1000 });
  let entries = 0;
  let batch: Promise<void>[] = [];
  for await (const doc of cursor as AsyncIterable<StoredAuditEntry>) {
    // Asked in order (appends to one key keep it), written a batch at a time.
    batch.push(appendToTrail(doc));
    entries++;
    if (batch.length === 500) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  return { entries };
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
