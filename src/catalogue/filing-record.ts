// The regulator's filing of a product version: its filing reference (备案号) and filing date,
// recorded by the insurer's admin when the filing is made (before or after publishing: the
// reference does not change what the version rates, so it is kept beside the definition, not in
// it) and printed on the version's documents. Each recording is audited.
import { recordAudit } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { invalidInput, notFound, type ErrorDetail } from '../http/app-error.ts';
import { DATE_RE as DATE } from '../http/common-schemas.ts';
import { assertProductVisible } from './version-reads.ts';
import { ProductVersionModel } from './catalogue-model.ts';

export interface FilingRecordInput {
  filingReference?: string;
  filedOn?: string;
}

const MAX_REFERENCE = 64;

/** The filing recorded on a version (empty when none), for a caller who may read the version. */
export async function filingRecordOf(caller: Caller, code: string, version: string): Promise<FilingRecordInput> {
  await assertProductVisible(caller, code);
  const doc = await ProductVersionModel.findOne({ productCode: code, version }, { filingReference: 1, filedOn: 1 }).lean();
  if (!doc) throw notFound(`Version ${version} of ${code}`);
  return { ...(doc.filingReference ? { filingReference: doc.filingReference } : {}), ...(doc.filedOn ? { filedOn: doc.filedOn } : {}) };
}

/**
 * The filing recorded on a version, for printing on its quotes and policies: the regulator's
 * reference is public, so whoever may read the quote or policy reads it (the caller was checked there).
 */
export async function versionFiling(code: string, version: string): Promise<FilingRecordInput> {
  const doc = await ProductVersionModel.findOne({ productCode: code, version }, { filingReference: 1, filedOn: 1 }).lean();
  return { ...(doc?.filingReference ? { filingReference: doc.filingReference } : {}), ...(doc?.filedOn ? { filedOn: doc.filedOn } : {}) };
}

/** Records (or clears, with empty values) a version's filing reference and date; audited with both values. */
export async function recordFiling(caller: Caller, code: string, version: string, input: FilingRecordInput): Promise<FilingRecordInput> {
  const filingReference = (input.filingReference ?? '').trim();
  const filedOn = (input.filedOn ?? '').trim();
  const errors: ErrorDetail[] = [];
  if (filingReference.length > MAX_REFERENCE) errors.push({ path: 'body.filingReference', message: `must be at most ${MAX_REFERENCE} characters (maxLength)` });
  if (filedOn !== '' && !DATE.test(filedOn)) errors.push({ path: 'body.filedOn', message: 'must be a date YYYY-MM-DD (format)' });
  if (errors.length) throw invalidInput('The filing record is not valid.', errors);
  const before = await filingRecordOf(caller, code, version);
  const doc = await ProductVersionModel.findOneAndUpdate({ productCode: code, version }, filingReference || filedOn
    ? { $set: { filingReference: filingReference || null, filedOn: filedOn || null } }
    : { $unset: { filingReference: 1, filedOn: 1 } }, { new: true });
  if (!doc) throw notFound(`Version ${version} of ${code}`);
  await recordAudit(caller, {
    action: 'version.recordFiling', entityType: 'productVersion', entityId: `${code}@${version}`, organisationId: doc.insurerOrganisationId,
    summary: `Recorded the filing of ${code} ${version}: reference ${filingReference || '(none)'}, filed on ${filedOn || '(none)'}.`,
    changes: [{ path: 'filingReference', from: before.filingReference ?? null, to: filingReference || null }, { path: 'filedOn', from: before.filedOn ?? null, to: filedOn || null }],
  });
  return filingRecordOf(caller, code, version);
}
