// The policy lists (#25): a summary per policy, kept by `_id` in `policySummaries` as the policy is
// issued, and the keyed log `policyLists` holding, for every list that may show the policy
// (scope.ts listKeysOf: all, the broker firm's, the enterprise's, each insurer's), a small
// immutable entry with its parties and product. A page reads the caller's list newest first and
// loads the summaries of that page alone: what it costs follows the page, not the book.
import mongoose, { Schema } from 'mongoose';
import type { Caller } from '../auth/caller.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { BUSINESS_SHORT_NAMES, listKeysOf, scopedList, type BusinessEntry } from '../auth/scope.ts';
import { findByIds } from '../db/by-ids.ts';
import { upsertById } from '../db/duplicate-key.ts';
import { fromJsonText, toDictionaryPackedJson } from '../db/json-text.ts';
import { defineKeyedLog, shortFieldNames } from '../db/keyed-log.ts';
import { logPage, type LogPageQuery } from '../db/log-pages.ts';
import type { PolicyRecord } from './policy-schemas.ts';
import type { PolicyList, PolicySummary } from './policy-schemas.ts';

// A policy's summary by `_id` (= the policy's), as one value: a page of 50 decodes 50 documents of
// two fields on FerretDB (each field costs a decode; docs/database.md), read by _id only. JSON
// packed with the product's dictionary since session 10 (src/db/json-text.ts), JSON text before.
const summarySchema = new Schema(
  { _id: { type: String, required: true }, v: { type: Schema.Types.Mixed, required: true } },
  { collection: 'policySummaries', versionKey: false },
);
const PolicySummaryModel = mongoose.model('PolicySummary', summarySchema);

/** Each list a policy is on: its parties and product (immutable), and the policy's id as the ref. */
const policyLists = defineKeyedLog<BusinessEntry>('PolicyListEntry', 'policyLists', { codec: shortFieldNames(BUSINESS_SHORT_NAMES) });

/** The summary of an issued policy, named with its insurer's name as the lists show it. */
async function summaryOf(policy: PolicyRecord): Promise<PolicySummary> {
  const insurerName = (await insurerDirectory()).get(policy.result.insurer)?.name;
  return {
    id: policy.id, policyNumber: policy.policyNumber, quoteId: policy.quoteId, quoteNumber: policy.quoteNumber, status: policy.status === 'cancelled' ? 'cancelled' : 'issued',
    productCode: policy.productCode, productVersion: policy.productVersion, line: policy.line,
    enterpriseId: policy.enterpriseOrganisationId, enterpriseName: policy.enterpriseName,
    brokerOrganisationId: policy.brokerOrganisationId, insurerOrganisationId: policy.insurerOrganisationId,
    ...(insurerName ? { insurerName } : {}),
    ...(policy.poolMemberIds?.length ? { poolMemberIds: [...policy.poolMemberIds] } : {}),
    startDate: policy.startDate, endDate: policy.endDate, issuedAt: policy.issuedAt.toISOString(),
    grossPremiumFen: policy.grossPremiumFen, netPremiumFen: policy.netPremiumFen, vatFen: policy.vatFen, expectedSubsidyFen: policy.expectedSubsidyFen,
  };
}

/** Stores the policy's summary by _id, written whole: the same summary again changes nothing (a cancellation writes it again with its status). */
export async function storeSummary(policy: PolicyRecord): Promise<void> {
  const { id, ...fields } = await summaryOf(policy);
  const doc = { v: toDictionaryPackedJson(fields, policy.productCode) };
  // Concurrent replays of one bind both find no summary: the loser writes it over (upsertById).
  await upsertById(PolicySummaryModel.collection, id, { replace: doc });
}

/** Appends the policy to every list that may show it (asked synchronously: appends to a key keep the order they were asked in). */
function appendToLists(policy: PolicyRecord): Promise<void[]> {
  const entry: BusinessEntry = {
    brokerOrganisationId: policy.brokerOrganisationId, insurerOrganisationId: policy.insurerOrganisationId, enterpriseOrganisationId: policy.enterpriseOrganisationId,
    ...(policy.poolMemberIds?.length ? { poolMemberIds: [...policy.poolMemberIds] } : {}), productCode: policy.productCode,
  };
  return Promise.all(listKeysOf(entry).map((key) => policyLists.append(key, policy.id, entry)));
}

/**
 * Stores the policy's summary and appends it to every list that may show it, once: a replayed
 * bind (or the migration) calls it again and adds nothing. After the policy itself is stored.
 */
export async function listIssuedPolicy(policy: PolicyRecord): Promise<void> {
  await storeSummary(policy);
  await appendToLists(policy);
}

/** The summaries of a page's entries (one `$in` read: src/db/by-ids.ts), null where there is none. */
export async function loadSummaries(entries: readonly { ref: string }[]): Promise<(PolicySummary | null)[]> {
  const docs = await findByIds<{ _id: string; v: unknown }>(PolicySummaryModel.collection, entries.map((e) => e.ref));
  return docs.map((doc) => (doc ? { id: doc._id, ...fromJsonText<Omit<PolicySummary, 'id'>>(doc.v) } : null));
}

export interface PolicyListQuery extends LogPageQuery { productCode?: string | undefined; enterpriseId?: string | undefined }

/**
 * A page of the policies the caller may see, newest first, as summaries: the caller's list
 * (scope.ts scopedList, which also re-checks every entry), narrowed by product or enterprise.
 */
export async function listPolicies(caller: Caller, query: PolicyListQuery): Promise<PolicyList> {
  const { key, filtered, accept } = scopedList(caller, { ...(query.productCode ? { productCode: query.productCode } : {}), ...(query.enterpriseId ? { enterpriseId: query.enterpriseId } : {}) });
  const page = { limit: query.limit, offset: query.offset, after: query.after };
  return logPage(policyLists, key, page, { filtered, accept, load: loadSummaries });
}

/**
 * The migration of a data folder from before the lists: every stored policy's summary and list
 * entries, oldest issued first (so the lists read newest first). Idempotent: a second run adds
 * nothing. A scan of the policies: offline, once (`npm run book:migrate`, or at start).
 */
export async function buildPolicyLists(records: AsyncIterable<PolicyRecord>): Promise<{ policies: number }> {
  let policies = 0;
  let batch: PolicyRecord[] = [];
  const flush = async () => {
    await Promise.all(batch.map(storeSummary));
    // Asked in the records' order, so each list holds them oldest first.
    await Promise.all(batch.map(appendToLists));
    policies += batch.length;
    batch = [];
  };
  for await (const record of records) {
    batch.push(record);
    if (batch.length === 200) await flush();
  }
  await flush();
  return { policies };
}
