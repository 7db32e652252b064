// The catalogue capability's front door: products and versions, the public catalogue and rating
// tables, built once by src/service.ts. Apart from catalogue-service.ts because it gathers the
// listing and the table services, which import catalogue-service.ts (gathering them there would
// be an import circle).
import { getCatalogueEntry, insurerNames, listCatalogue } from './catalogue-listing.ts';
import {
  createProduct, createVersion, diffVersions, findPinnedVersion, getVersion, hasProducts, listProducts, listVersions, publishVersionFrom, retireVersion, testVersion,
  updateDraft, warmCompiledCache, withdrawVersion,
} from './catalogue-service.ts';
import { filingRecordOf, recordFiling } from './filing-record.ts';
import { draftView, listVersionTables, saveRateTable, tableOf } from './rate-table-service.ts';
import { importTableSheet, importWorkbook } from './table-spreadsheets.ts';
import { acceptVectorResults, compareVectors } from './vector-baseline.ts';
import { approvalOf, awaitingApproval, publishApproved, submitVersion } from './version-approval.ts';

export function createCatalogue() {
  return Object.freeze({
    listCatalogue, getCatalogueEntry, insurerNames,
    createProduct, listProducts, hasProducts, createVersion, updateDraft, testVersion, publishVersionFrom, withdrawVersion, retireVersion,
    listVersions, getVersion, findPinnedVersion, diffVersions, warmCompiledCache,
    listVersionTables, tableOf, draftView, saveRateTable, importTableSheet, importWorkbook,
    compareVectors, acceptVectorResults, filingRecordOf, recordFiling,
    submitVersion, approvalOf, awaitingApproval, publishApproved,
  });
}
export type CatalogueService = ReturnType<typeof createCatalogue>;
