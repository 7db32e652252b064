import { createHash } from 'node:crypto';
import { scopedQuery } from '../auth/scope.ts';
import { recordAudit, type systemActor } from '../audit/audit-log.ts';
import { findInsurerByCode } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { AppError, conflict, invalidInput, notFound, type ErrorDetail } from '../http/app-error.ts';
import { validateOrThrow } from '../http/schema-registry.ts';
import { chinaDate, compileProduct, upgradeStoredDefinition, ProductCompileError, productDefinitionSchema, runTestVectors, type CompiledProduct, type ProductDefinition, type SubsidyProgramme } from '../rating/index.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { announceCatalogueChange, cachedCatalogueRead } from './catalogue-cache.ts';
import { slot } from '../db/service-scope.ts';
import { ProductModel, ProductVersionModel, PublicationModel } from './catalogue-model.ts';
import { diffDefinitions, type DefinitionChange } from './definition-diff.ts';
import { findTimelineClash, versionInForce } from './version-timeline.ts';
import { subsidyProgrammesFor } from './subsidy-programmes.ts';
import { checkPoolMembers, poolMemberIdsOf } from '../pools/pool-members.ts';
import { proposePoolShares, requirePoolConsent } from '../pools/pool-consent.ts';

type Actor = Caller | typeof systemActor;
export type VersionStatus = 'draft' | 'published' | 'retired' | 'withdrawn';
/** Statuses a quote may stay pinned to: every version that was once published. */
const PINNABLE = ['published', 'retired', 'withdrawn'];

export interface VersionView {
  productCode: string;
  version: string;
  status: VersionStatus;
  effectiveFrom: string;
  effectiveTo?: string;
  publishedAt?: string;
  retiredAt?: string;
  withdrawnAt?: string;
  createdAt: string;
  updatedAt: string;
  definitionHash: string;
  /** Present on drafts: what stands between the draft and publication. */
  compileErrors?: ErrorDetail[];
  definition: ProductDefinition;
}

export interface VectorOutcome {
  name: string;
  passed: boolean;
  message: string;
}

type VersionDoc = InstanceType<typeof ProductVersionModel>;

/** Canonical JSON (sorted keys) so the hash of a definition does not depend on key order. */
export function hashDefinition(definition: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
    }
    return value;
  };
  return createHash('sha256').update(JSON.stringify(canonical(definition))).digest('hex');
}


/**
 * MongoDB (and FerretDB) cannot store keys with "." or a leading "$": refuse them with their path
 * instead of failing at write time or, worse, having them read as operators.
 */
function checkStorableKeys(value: unknown, path: string, details: ErrorDetail[]): void {
  if (Array.isArray(value)) value.forEach((item, i) => checkStorableKeys(item, `${path}[${i}]`, details));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key.includes('.') || key.startsWith('$') || key === '__proto__' || key === 'constructor' || key === 'prototype') {
        details.push({ path: `${path}.${key}`, message: 'keys may not contain "." or start with "$" (storable-key)' });
      } else checkStorableKeys(inner, `${path}.${key}`, details);
    }
  }
}

/** Validates a definition's structure (JSON Schema) and storability; throws 400 with paths. */
export function checkDefinition(definition: unknown, root = 'body.definition'): ProductDefinition {
  const details: ErrorDetail[] = [];
  checkStorableKeys(definition, root, details);
  if (details.length) throw invalidInput('The product definition has keys that cannot be stored.', details);
  return validateOrThrow<ProductDefinition>(productDefinitionSchema, definition, root);
}

/** Compiles a definition, returning its errors (path inside the definition) instead of throwing. */
function compileErrorsOf(definition: ProductDefinition, root = 'definition'): ErrorDetail[] {
  try {
    compileProduct(definition);
    return [];
  } catch (err) {
    if (err instanceof ProductCompileError) return err.details.map((d) => ({ path: `${root}${d.path.startsWith('/') || d.path.startsWith('.') || d.path.startsWith('[') ? '' : '.'}${d.path}`, message: d.message }));
    throw err;
  }
}

function toVersionView(doc: VersionDoc, withCompileErrors = false): VersionView {
  const definition = doc.definition as ProductDefinition;
  return {
    productCode: doc.productCode,
    version: doc.version,
    status: doc.status as VersionStatus,
    effectiveFrom: doc.effectiveFrom,
    ...(doc.effectiveTo ? { effectiveTo: doc.effectiveTo } : {}),
    ...(doc.publishedAt ? { publishedAt: doc.publishedAt.toISOString() } : {}),
    ...(doc.retiredAt ? { retiredAt: doc.retiredAt.toISOString() } : {}),
    ...(doc.withdrawnAt ? { withdrawnAt: doc.withdrawnAt.toISOString() } : {}),
    createdAt: (doc.get('createdAt') as Date).toISOString(),
    updatedAt: (doc.get('updatedAt') as Date).toISOString(),
    definitionHash: doc.definitionHash,
    ...(withCompileErrors && doc.status === 'draft' ? { compileErrors: compileErrorsOf(definition) } : {}),
    definition,
  };
}

// ---------------------------------------------------------------------------------------------
// Compiled versions: published versions are immutable, so a compiled copy keyed by the version's
// id is valid for the life of the service on every instance (kept in the composed service's scope).

const compiledByVersionId = slot('compiled versions', () => new Map<string, CompiledProduct>());

function compiledFor(doc: VersionDoc): CompiledProduct {
  const id = `${doc.productCode}@${doc.version}#${doc.definitionHash}`;
  const compiledById = compiledByVersionId();
  let compiled = compiledById.get(id);
  if (!compiled) {
    // A version published before outside-band rules were required is read as the engine read it then, never priced off-tariff.
    compiled = compileProduct(upgradeStoredDefinition(doc.definition));
    compiledById.set(id, compiled);
  }
  return compiled;
}

/** Compiles every published and retired version at start, so no request pays for compiling. */
export async function warmCompiledCache(): Promise<number> {
  const docs = await ProductVersionModel.find({ status: { $in: PINNABLE } });
  for (const doc of docs) compiledFor(doc);
  return docs.length;
}

// ---------------------------------------------------------------------------------------------
// Scope: insurer users see their own organisation's products; platform admins see all.

async function loadProductForInsurer(caller: Actor, code: string) {
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

async function loadVersion(caller: Actor, code: string, version: string): Promise<VersionDoc> {
  await loadProductForInsurer(caller, code);
  const doc = await ProductVersionModel.findOne({ productCode: code, version });
  if (!doc) throw notFound(`Version ${version} of ${code}`);
  return doc;
}

function requireOwnInsurer(caller: Actor, definition: ProductDefinition, insurerOrganisationCode: string): void {
  if (caller.role === 'system' || caller.role === 'platform-admin') return;
  if (definition.insurer !== insurerOrganisationCode) {
    throw invalidInput(`The definition names the insurer ${definition.insurer}, but your organisation is ${insurerOrganisationCode}.`, [
      { path: 'body.definition.insurer', message: `must be your organisation's code ${insurerOrganisationCode} (insurer)` },
    ]);
  }
}

async function insertVersion(actor: Actor, insurerOrganisationId: string, definition: ProductDefinition): Promise<VersionDoc> {
  try {
    return await ProductVersionModel.create({
      productCode: definition.code,
      version: definition.version,
      status: 'draft',
      insurerOrganisationId,
      line: definition.line,
      definition,
      definitionHash: hashDefinition(definition),
      effectiveFrom: definition.effectiveFrom,
      ...(definition.effectiveTo ? { effectiveTo: definition.effectiveTo } : {}),
      createdBy: actor.keyId,
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw conflict(`Version ${definition.version} of ${definition.code} already exists; give the new draft another version.`, [{ path: 'body.definition.version', message: 'must be a version the product does not have yet (unique)' }]);
    throw err;
  }
}

/** Creates a product and its first draft version from a full definition (insurer admin). */
export async function createProduct(caller: Actor, rawDefinition: unknown): Promise<VersionView> {
  const definition = checkDefinition(rawDefinition);
  let insurerOrganisationId = caller.organisationId;
  if (caller.role === 'platform-admin' || caller.role === 'system') {
    // The platform files products on an insurer's behalf: the definition names the insurer.
    const insurer = await findInsurerByCode(definition.insurer);
    if (!insurer) throw invalidInput(`No insurer organisation has the code ${definition.insurer}; create it first (POST /v1/organisations with kind insurer and that code).`, [{ path: 'body.definition.insurer', message: 'must be the code of an insurer organisation (insurer)' }]);
    insurerOrganisationId = insurer.id;
  }
  requireOwnInsurer(caller, definition, 'organisationCode' in caller ? caller.organisationCode : '');
  try {
    await ProductModel.create({ code: definition.code, insurerOrganisationId, insurerCode: definition.insurer, line: definition.line, name: definition.name });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw conflict(`A product with the code ${definition.code} already exists; add a version to it instead.`, [{ path: 'body.definition.code', message: 'must be unique across the catalogue (unique)' }]);
    throw err;
  }
  const doc = await insertVersion(caller, insurerOrganisationId, definition);
  await proposePoolShares(caller, definition, insurerOrganisationId);
  await recordAudit(caller, { action: 'product.create', entityType: 'product', entityId: definition.code, organisationId: insurerOrganisationId, summary: `Created product ${definition.code} with draft ${definition.version}.` });
  await recordAudit(caller, { action: 'version.create', entityType: 'productVersion', entityId: `${definition.code}@${definition.version}`, organisationId: insurerOrganisationId, summary: `Created draft ${definition.version} of ${definition.code} with the product.` });
  return toVersionView(doc, true);
}

/** Adds a draft to a product: from a full definition, or by cloning a version under a new version. */
export async function createVersion(caller: Actor, code: string, input: { definition?: unknown; cloneFrom?: string; version?: string }): Promise<VersionView> {
  const product = await loadProductForInsurer(caller, code);
  let definition: ProductDefinition;
  if (input.definition !== undefined) {
    definition = checkDefinition(input.definition);
  } else if (input.cloneFrom !== undefined) {
    const source = await loadVersion(caller, code, input.cloneFrom);
    const cloned = structuredClone(source.definition) as ProductDefinition & { version: string };
    cloned.version = input.version ?? (await nextVersionLabel(code, source.version));
    definition = checkDefinition(cloned, 'body.cloneFrom');
  } else {
    throw invalidInput('Send a definition, or cloneFrom with the version to copy.', [{ path: 'body', message: 'must have definition or cloneFrom (oneOf)' }]);
  }
  if (definition.code !== code) {
    throw invalidInput(`The definition's code ${definition.code} is not the product ${code}.`, [{ path: 'body.definition.code', message: `must be ${code} (const)` }]);
  }
  requireOwnInsurer(caller, definition, product.insurerCode);
  const doc = await insertVersion(caller, product.insurerOrganisationId, definition);
  await proposePoolShares(caller, definition, product.insurerOrganisationId);
  await recordAudit(caller, { action: 'version.create', entityType: 'productVersion', entityId: `${code}@${definition.version}`, organisationId: product.insurerOrganisationId, summary: input.cloneFrom ? `Cloned ${code} ${input.cloneFrom} as draft ${definition.version}.` : `Created draft ${definition.version} of ${code}.` });
  return toVersionView(doc, true);
}

async function nextVersionLabel(code: string, from: string): Promise<string> {
  const taken = new Set((await ProductVersionModel.find({ productCode: code }, { version: 1 }).lean()).map((v) => v.version));
  const parts = from.split('.').map(Number);
  for (;;) {
    parts[parts.length - 1] = parts[parts.length - 1]! + 1;
    const label = parts.join('.');
    if (!taken.has(label)) return label;
  }
}

/** Replaces a draft's definition. Published and retired versions are filed contracts: 409. */
export async function updateDraft(caller: Actor, code: string, version: string, rawDefinition: unknown): Promise<VersionView> {
  const doc = await loadVersion(caller, code, version);
  if (doc.status !== 'draft') throw conflict(`Version ${version} of ${code} is ${doc.status} and can no longer change; create a new version.`);
  const definition = checkDefinition(rawDefinition);
  if (definition.code !== code || definition.version !== version) {
    throw invalidInput('The definition must keep the product code and version of the draft it edits.', [
      ...(definition.code !== code ? [{ path: 'body.definition.code', message: `must be ${code} (const)` }] : []),
      ...(definition.version !== version ? [{ path: 'body.definition.version', message: `must be ${version} (const)` }] : []),
    ]);
  }
  const product = await ProductModel.findOne({ code });
  requireOwnInsurer(caller, definition, product!.insurerCode);
  const changes = diffDefinitions(doc.definition, definition);
  // The status condition makes the write miss if a publish landed since we read the draft.
  const result = await ProductVersionModel.updateOne(
    { _id: doc._id, status: 'draft' },
    { $set: { definition, definitionHash: hashDefinition(definition), line: definition.line, effectiveFrom: definition.effectiveFrom, effectiveTo: definition.effectiveTo ?? null } },
  );
  if (result.matchedCount === 0) throw conflict(`Version ${version} of ${code} was published meanwhile and can no longer change.`);
  await proposePoolShares(caller, definition, doc.insurerOrganisationId);
  await recordAudit(caller, {
    action: 'version.update', entityType: 'productVersion', entityId: `${code}@${version}`, organisationId: doc.insurerOrganisationId,
    summary: `Edited draft ${version} of ${code}: ${changes.length} change(s).`,
    changes: changes.slice(0, 100).map((c) => ({ path: c.path, from: c.from, to: c.to })),
  });
  return toVersionView((await ProductVersionModel.findById(doc._id))!, true);
}

/** Runs a version's test vectors against the engine. */
export async function testVersion(caller: Actor, code: string, version: string): Promise<{ passed: boolean; compileErrors: ErrorDetail[]; vectors: VectorOutcome[] }> {
  const doc = await loadVersion(caller, code, version);
  return testDefinition(doc.definition as ProductDefinition, await subsidyProgrammesFor((doc.definition as ProductDefinition).line));
}

function testDefinition(definition: ProductDefinition, programmes: readonly SubsidyProgramme[]): { passed: boolean; compileErrors: ErrorDetail[]; vectors: VectorOutcome[] } {
  let compiled: CompiledProduct;
  try {
    compiled = compileProduct(definition);
  } catch (err) {
    if (err instanceof ProductCompileError) return { passed: false, compileErrors: compileErrorsOf(definition), vectors: [] };
    throw err;
  }
  const vectors = runTestVectors(compiled, programmes).map((v) => ({ name: v.name, passed: v.passed, message: v.message }));
  return { passed: vectors.every((v) => v.passed), compileErrors: [], vectors };
}

/**
 * Versions that hold a place on the timeline: published, or with a publication recorded but the
 * status not yet written (a publish in flight on another instance counts as published).
 */
async function timelineVersions(code: string): Promise<{ version: string; effectiveFrom: string; effectiveTo?: string | null }[]> {
  const publications = await PublicationModel.find({ productCode: code }, { version: 1 }).lean();
  const docs = await ProductVersionModel.find({ productCode: code, version: { $in: publications.map((p) => p.version) } }, { version: 1, status: 1, effectiveFrom: 1, effectiveTo: 1 }).lean();
  return docs.filter((d) => d.status === 'published' || d.status === 'draft');
}

/**
 * Publishes a draft: refused when it does not compile, a vector fails, or its dates clash with a
 * published version in a way the timeline cannot resolve (see version-timeline.ts). A version
 * effective from a later day than the one in force is scheduled: it takes over on that day.
 * Exactly once under concurrency, across instances: the unique (productCode, sequence) insert
 * orders publishes of a product; the clash check reads the publications after the sequence it
 * will claim, so of two clashing publishes the second either sees the first or loses the insert.
 */
export async function publishVersion(caller: Actor, code: string, version: string, now: Date = new Date()): Promise<VersionView> {
  let doc = await loadVersion(caller, code, version);
  if (doc.status !== 'draft') throw conflict(`Version ${version} of ${code} is already ${doc.status}.`);
  const definition = doc.definition as ProductDefinition;
  await checkPoolMembers(definition);
  const outcome = testDefinition(definition, await subsidyProgrammesFor(definition.line));
  if (outcome.compileErrors.length) throw invalidInput(`Version ${version} of ${code} does not compile.`, outcome.compileErrors);
  const failing = outcome.vectors.filter((v) => !v.passed);
  if (failing.length) {
    throw invalidInput(`Version ${version} of ${code} fails ${failing.length} test vector(s): ${failing.map((v) => `"${v.name}"`).join(', ')}.`,
      failing.map((v) => ({ path: `definition.testVectors[name=${v.name}]`, message: `${v.message} (testVector)` })));
  }
  // Every other insurer in the pool must have accepted its share of this product (pool-consent.ts).
  await proposePoolShares(caller, definition, doc.insurerOrganisationId);
  await requirePoolConsent(definition);

  for (let attempt = 0; attempt < 20; attempt++) {
    const last = await PublicationModel.findOne({ productCode: code }).sort({ sequence: -1 }).lean();
    const clash = findTimelineClash(doc, await timelineVersions(code));
    if (clash) {
      throw conflict(`Version ${version} (${doc.effectiveFrom} to ${doc.effectiveTo ?? 'open'}) cannot be published: ${clash.message}.`, [
        { path: `definition.${clash.field}`, message: `clashes with published version ${clash.version} (effective-dates)` },
      ]);
    }
    try {
      await PublicationModel.create({ productCode: code, sequence: (last?.sequence ?? 0) + 1, version, at: now });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const already = await PublicationModel.findOne({ productCode: code, version }).lean();
      if (already) {
        // Repairs a publish that stopped between its two writes, then reports the conflict.
        await ProductVersionModel.updateOne({ _id: doc._id, status: 'draft' }, { $set: { status: 'published', publishedAt: already.at } });
        await announceCatalogueChange();
        throw conflict(`Version ${version} of ${code} was published by a concurrent request.`);
      }
      continue; // another version of this product was published meanwhile: check the dates again
    }
    await ProductVersionModel.updateOne({ _id: doc._id }, { $set: { status: 'published', publishedAt: now } });
    await announceCatalogueChange();
    doc = (await ProductVersionModel.findById(doc._id))!;
    compiledFor(doc);
    const when = doc.effectiveFrom > chinaDate(now) ? `scheduled to take effect on ${doc.effectiveFrom}` : `effective ${doc.effectiveFrom}`;
    await recordAudit(caller, { action: 'version.publish', entityType: 'productVersion', entityId: `${code}@${version}`, organisationId: doc.insurerOrganisationId, summary: `Published ${code} ${version}, ${when} to ${doc.effectiveTo ?? 'open'}.` }, now);
    return toVersionView(doc);
  }
  throw new AppError('unavailable', `Too many concurrent publishes of ${code}; try again.`);
}

/**
 * Invites the other insurers of a version's pool to their shares (the product's insurer, or a
 * platform admin): creates the missing invitations and invites again where a member declined or
 * left. Returns the version's pool with each member's consent.
 */
export async function invitePoolMembers(caller: Actor, code: string, version: string): Promise<ProductDefinition> {
  const doc = await loadVersion(caller, code, version);
  const definition = doc.definition as ProductDefinition;
  if (!definition.coInsurance?.members.some((m) => m.insurer !== definition.insurer)) {
    throw invalidInput(`Version ${version} of ${code} names no other insurer in a pool; there is nobody to invite.`, [{ path: 'body.version', message: 'must be a version whose pool names another insurer (pool-members)' }]);
  }
  await checkPoolMembers(definition);
  await proposePoolShares(caller, definition, doc.insurerOrganisationId, { reopen: true });
  return definition;
}

/**
 * Publishes a draft from a chosen first day. A day other than the draft's effectiveFrom is first
 * written into the draft through updateDraft (checked, audited, compiled like any edit); a day
 * already past (China time) is refused, since a version cannot take over retroactively.
 */
export async function publishVersionFrom(caller: Actor, code: string, version: string, effectiveFrom?: string, now?: Date): Promise<VersionView> {
  if (effectiveFrom !== undefined) {
    const today = chinaDate(now ?? new Date());
    if (effectiveFrom < today) {
      throw invalidInput(`Version ${version} of ${code} cannot take effect on ${effectiveFrom}, a day already past; choose today (${today}) or a later day.`, [
        { path: 'body.effectiveFrom', message: `must be today (${today}) or later (not-in-past)` },
      ]);
    }
    const doc = await loadVersion(caller, code, version);
    if (doc.status === 'draft' && doc.effectiveFrom !== effectiveFrom) {
      await updateDraft(caller, code, version, { ...(doc.definition as ProductDefinition), effectiveFrom });
    }
  }
  // Read the clock after the edit, so the publication is recorded after it.
  return publishVersion(caller, code, version, now ?? new Date());
}

/**
 * Withdraws a scheduled version (published, not yet in force) before its first day. It becomes
 * `withdrawn`, not a draft again: its publication record is what makes publishing exactly-once
 * and is never undone, and quotes for cover starting on or after its date may already be pinned
 * to it (they keep it, as quotes on retired versions do). To change it, clone it into a new draft.
 */
export async function withdrawVersion(caller: Actor, code: string, version: string, now: Date = new Date()): Promise<VersionView> {
  const doc = await loadVersion(caller, code, version);
  const today = chinaDate(now);
  if (doc.status !== 'published') throw conflict(`Only a scheduled (published, not yet in force) version can be withdrawn; ${code} ${version} is ${doc.status}.`);
  if (doc.effectiveFrom <= today) throw conflict(`${code} ${version} has been in force since ${doc.effectiveFrom}; retire it instead of withdrawing it.`);
  const result = await ProductVersionModel.updateOne({ _id: doc._id, status: 'published' }, { $set: { status: 'withdrawn', withdrawnAt: now } });
  if (result.matchedCount === 0) throw conflict(`${code} ${version} changed meanwhile; reload it.`);
  await announceCatalogueChange();
  await recordAudit(caller, { action: 'version.withdraw', entityType: 'productVersion', entityId: `${code}@${version}`, organisationId: doc.insurerOrganisationId, summary: `Withdrew ${code} ${version} before its effective date ${doc.effectiveFrom}.` }, now);
  return toVersionView((await ProductVersionModel.findById(doc._id))!);
}

/** Retires a published version: no new quotes use it; quotes and policies already on it keep it. */
export async function retireVersion(caller: Actor, code: string, version: string, now: Date = new Date()): Promise<VersionView> {
  const doc = await loadVersion(caller, code, version);
  if (doc.status !== 'published') throw conflict(`Only a published version can be retired; ${code} ${version} is ${doc.status}.`);
  await ProductVersionModel.updateOne({ _id: doc._id, status: 'published' }, { $set: { status: 'retired', retiredAt: now } });
  await announceCatalogueChange();
  await recordAudit(caller, { action: 'version.retire', entityType: 'productVersion', entityId: `${code}@${version}`, organisationId: doc.insurerOrganisationId, summary: `Retired ${code} ${version}.` }, now);
  return toVersionView((await ProductVersionModel.findById(doc._id))!);
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
      status: d.status as VersionStatus,
      effectiveFrom: d.effectiveFrom,
      ...(d.effectiveTo ? { effectiveTo: d.effectiveTo } : {}),
      ...(d.publishedAt ? { publishedAt: d.publishedAt.toISOString() } : {}),
      ...(d.retiredAt ? { retiredAt: d.retiredAt.toISOString() } : {}),
      ...(d.withdrawnAt ? { withdrawnAt: d.withdrawnAt.toISOString() } : {}),
      updatedAt: (d.get('updatedAt') as Date).toISOString(),
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

// ---------------------------------------------------------------------------------------------
// What quoting needs.

export interface RatableVersion {
  productCode: string;
  version: string;
  insurerOrganisationId: string;
  /** Organisation ids of the co-insurance pool's members (empty without a pool). */
  poolMemberIds: string[];
  definition: ProductDefinition;
  compiled: CompiledProduct;
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
