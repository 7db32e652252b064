// The catalogue capability's front door: products and versions, the public catalogue and rating
// tables, built once by src/service.ts with the PoolMembership port bound. The folder's rooms:
// product-definitions.ts (hash, schema, compile errors, vectors), version-reads.ts (scope and
// reads), product-versions.ts (drafting), version-publishing.ts (publish, withdraw, retire),
// compiled-products.ts (the compiled cache), rating-lookups.ts (what quoting reads), and the
// listing, rate tables, vectors, filing and four-eyes approval around them.
import { getCatalogueEntry, insurerNames, listCatalogue } from './catalogue-listing.ts';
import { warmCompiledCache } from './compiled-products.ts';
import { filingRecordOf, recordFiling } from './filing-record.ts';
import type { PoolMembership } from './pool-membership.ts';
import { createProduct, createVersion, testVersion, updateDraft } from './product-versions.ts';
import { draftView, listVersionTables, saveRateTable, tableOf } from './rate-table-service.ts';
import { findPinnedVersion } from './rating-lookups.ts';
import { importTableSheet, importWorkbook } from './table-spreadsheets.ts';
import { acceptVectorResults, compareVectors } from './vector-baseline.ts';
import { approvalOf, awaitingApproval, publishApproved, submitVersion } from './version-approval.ts';
import { publishVersionFrom, retireVersion, withdrawVersion } from './version-publishing.ts';
import { assertProductVisible, diffVersions, getVersion, hasProducts, listProducts, listVersions } from './version-reads.ts';

/** The catalogue with `pools` (the port src/pools implements) in its closure, so no caller passes it. */
export function createCatalogue(deps: { pools: PoolMembership }) {
  const { pools } = deps;
  const withPools = <A extends unknown[], R>(operation: (port: PoolMembership, ...args: A) => R) => (...args: A): R => operation(pools, ...args);
  return Object.freeze({
    listCatalogue, getCatalogueEntry, insurerNames,
    createProduct: withPools(createProduct), listProducts, hasProducts, createVersion: withPools(createVersion), updateDraft: withPools(updateDraft), testVersion,
    publishVersionFrom: withPools(publishVersionFrom), withdrawVersion, retireVersion,
    listVersions, getVersion, assertProductVisible, findPinnedVersion, diffVersions, warmCompiledCache,
    listVersionTables, tableOf, draftView, saveRateTable: withPools(saveRateTable), importTableSheet: withPools(importTableSheet), importWorkbook: withPools(importWorkbook),
    compareVectors, acceptVectorResults: withPools(acceptVectorResults), filingRecordOf, recordFiling,
    submitVersion: withPools(submitVersion), approvalOf, awaitingApproval, publishApproved: withPools(publishApproved),
  });
}
export type CatalogueService = ReturnType<typeof createCatalogue>;
