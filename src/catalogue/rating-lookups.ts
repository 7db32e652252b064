// What quoting (and the read models after it) needs of the catalogue: the version in force on a
// day, the version a stored quote is pinned to, an insurer's own version for impact analysis, and
// the published versions of a product; each compiled, with its pool's member organisations.
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { conflict, notFound } from '../http/app-error.ts';
import type { CompiledProduct, ProductDefinition } from '../rating/index.ts';
import { cachedCatalogueRead } from './catalogue-cache.ts';
import { ProductModel, ProductVersionModel } from './catalogue-model.ts';
import { compiledFor, PINNABLE } from './compiled-products.ts';
import { versionInForce } from './version-timeline.ts';
import { loadVersion, type Actor, type VersionDoc, type VersionStatus } from './version-reads.ts';

export interface RatableVersion {
  productCode: string;
  version: string;
  insurerOrganisationId: string;
  /** Organisation ids of the co-insurance pool's members (empty without a pool). */
  poolMemberIds: string[];
  definition: ProductDefinition;
  compiled: CompiledProduct;
}

/** The organisation ids of a pool's members (lead first, as declared; the insurer directory's); empty without a pool. */
async function poolMemberIdsOf(definition: ProductDefinition): Promise<string[]> {
  const members = definition.coInsurance?.members;
  if (!members) return [];
  const insurers = await insurerDirectory();
  return members.map((m) => insurers.get(m.insurer)?.id).filter((id): id is string => id !== undefined);
}

async function toRatable(doc: VersionDoc): Promise<RatableVersion> {
  const definition = doc.definition as ProductDefinition;
  return { productCode: doc.productCode, version: doc.version, insurerOrganisationId: doc.insurerOrganisationId, poolMemberIds: await poolMemberIdsOf(definition), definition, compiled: compiledFor(doc) };
}

/** The published version of a product in force on a date (YYYY-MM-DD), or 404/409 naming why. */
export function findEffectiveVersion(code: string, date: string): Promise<RatableVersion> {
  return cachedCatalogueRead(`effective|${code}|${date}`, () => readEffectiveVersion(code, date));
}

async function readEffectiveVersion(code: string, date: string): Promise<RatableVersion> {
  const docs = await ProductVersionModel.find({ productCode: code, status: 'published' });
  const doc = versionInForce(docs, date);
  if (!doc) {
    if (!(await ProductModel.exists({ code }))) throw notFound(`The product ${code}`);
    throw conflict(`No published version of ${code} is in force on ${date}.`, [{ path: 'body.startDate', message: 'must be a date a published version is effective (effective-dates)' }]);
  }
  return toRatable(doc);
}

/** A specific published or retired version (what a stored quote is pinned to). */
export async function findPinnedVersion(code: string, version: string): Promise<RatableVersion> {
  const doc = await ProductVersionModel.findOne({ productCode: code, version, status: { $in: PINNABLE } });
  if (!doc) throw notFound(`Published version ${version} of ${code}`);
  return toRatable(doc);
}

/** Any version (drafts included) of a product the caller's insurer owns; for impact analysis. */
export async function findOwnVersion(caller: Actor, code: string, version: string): Promise<RatableVersion & { status: VersionStatus }> {
  const doc = await loadVersion(caller, code, version);
  return { ...(await toRatable(doc)), status: doc.status as VersionStatus };
}

/** A product's published versions (number and effective dates), the latest effective first. */
export async function listPublishedVersions(productCode: string): Promise<{ version: string; effectiveFrom: string; effectiveTo?: string }[]> {
  const docs = await ProductVersionModel.find({ productCode, status: 'published' }, { version: 1, effectiveFrom: 1, effectiveTo: 1 }).sort({ effectiveFrom: -1 }).lean();
  return docs.map((v) => ({ version: v.version, effectiveFrom: v.effectiveFrom, ...(v.effectiveTo ? { effectiveTo: v.effectiveTo } : {}) }));
}
