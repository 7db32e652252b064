// Reading products and versions, and the scope rule every catalogue operation starts with: insurer
// users see their own organisation's products; platform admins (and the system) see all. Holds
// the version record's one mapper (toVersionView).
import { scopedQuery } from '../auth/scope.ts';
import type { systemActor } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { notFound, type ErrorDetail } from '../http/app-error.ts';
import type { ProductDefinition } from '../rating/index.ts';
import { ProductModel, ProductVersionModel } from './catalogue-model.ts';
import { diffDefinitions, type DefinitionChange } from './definition-diff.ts';
import { compileErrorsOf } from './product-definitions.ts';

export type Actor = Caller | typeof systemActor;
export type VersionStatus = 'draft' | 'published' | 'retired' | 'withdrawn';

/** A version whole: its summary (status and dates) with its product, definition and hash. */
export interface VersionView extends VersionSummary {
  productCode: string;
  createdAt: string;
  definitionHash: string;
  /** Present on drafts: what stands between the draft and publication. */
  compileErrors?: ErrorDetail[];
  definition: ProductDefinition;
}

export type VersionDoc = InstanceType<typeof ProductVersionModel>;

/** A version's status and dates, as every view of a version shows them (the one mapper of its life). */
function lifecycleOf(doc: VersionDoc) {
  return {
    status: doc.status as VersionStatus,
    effectiveFrom: doc.effectiveFrom,
    ...(doc.effectiveTo ? { effectiveTo: doc.effectiveTo } : {}),
    ...(doc.publishedAt ? { publishedAt: doc.publishedAt.toISOString() } : {}),
    ...(doc.retiredAt ? { retiredAt: doc.retiredAt.toISOString() } : {}),
    ...(doc.withdrawnAt ? { withdrawnAt: doc.withdrawnAt.toISOString() } : {}),
    updatedAt: (doc.get('updatedAt') as Date).toISOString(),
  };
}

export function toVersionView(doc: VersionDoc, withCompileErrors = false): VersionView {
  const definition = doc.definition as ProductDefinition;
  return {
    productCode: doc.productCode,
    version: doc.version,
    ...lifecycleOf(doc),
    createdAt: (doc.get('createdAt') as Date).toISOString(),
    definitionHash: doc.definitionHash,
    ...(withCompileErrors && doc.status === 'draft' ? { compileErrors: compileErrorsOf(definition) } : {}),
    definition,
  };
}

export async function loadProductForInsurer(caller: Actor, code: string) {
  const product = await ProductModel.findOne({ code });
  if (!product) throw notFound(`The product ${code}`);
  if (caller.role !== 'platform-admin' && caller.role !== 'system' && product.insurerOrganisationId !== caller.organisationId) {
    throw notFound(`The product ${code}`);
  }
  return product;
}

/** 404 unless the caller's insurer owns the product (platform admins see every product). */
export async function assertProductVisible(caller: Actor, code: string): Promise<void> {
  await loadProductForInsurer(caller, code);
}

export async function loadVersion(caller: Actor, code: string, version: string): Promise<VersionDoc> {
  await loadProductForInsurer(caller, code);
  const doc = await ProductVersionModel.findOne({ productCode: code, version });
  if (!doc) throw notFound(`Version ${version} of ${code}`);
  return doc;
}

export interface VersionSummary {
  version: string;
  status: VersionStatus;
  effectiveFrom: string;
  effectiveTo?: string;
  publishedAt?: string;
  retiredAt?: string;
  withdrawnAt?: string;
  updatedAt: string;
}

/** Versions of a product, newest first. */
export async function listVersions(caller: Actor, code: string): Promise<{ productCode: string; versions: VersionSummary[] }> {
  await loadProductForInsurer(caller, code);
  const docs = await ProductVersionModel.find({ productCode: code }, { definition: 0 }).sort({ createdAt: -1 });
  return {
    productCode: code,
    versions: docs.map((d) => ({
      version: d.version,
      ...lifecycleOf(d),
    })),
  };
}

/** Whether the caller's organisation files any product (one indexed existence check, not the list). */
export async function hasProducts(caller: Actor): Promise<boolean> {
  return (await ProductModel.exists(scopedQuery(caller, 'products'))) !== null;
}

/** Products of the caller's organisation (all for a platform admin). */
export async function listProducts(caller: Actor): Promise<{ code: string; line: string; name: { zh: string; en: string }; insurerCode: string }[]> {
  const docs = await ProductModel.find(scopedQuery(caller, 'products')).sort({ code: 1 }).lean();
  return docs.map((d) => ({ code: d.code, line: d.line, name: { zh: d.name?.zh ?? '', en: d.name?.en ?? '' }, insurerCode: d.insurerCode }));
}

/** One version with its definition (and, for a draft, its compile errors). */
export async function getVersion(caller: Actor, code: string, version: string): Promise<VersionView> {
  return toVersionView(await loadVersion(caller, code, version), true);
}

/** What changed from one version to another. */
export async function diffVersions(caller: Actor, code: string, from: string, to: string): Promise<{ productCode: string; from: string; to: string; changes: DefinitionChange[] }> {
  const [a, b] = await Promise.all([loadVersion(caller, code, from), loadVersion(caller, code, to)]);
  return { productCode: code, from, to, changes: diffDefinitions(a.definition, b.definition) };
}
