// Drafting: creating a product with its first draft, adding drafts (new or cloned), editing a
// draft and running its test vectors. Each draft with a pool proposes the members' shares through
// the PoolMembership port (pool-membership.ts) the composed catalogue was given.
import { recordAudit } from '../audit/audit-log.ts';
import { findInsurerByCode } from '../auth/auth-service.ts';
import { conflict, invalidInput, type ErrorDetail } from '../http/app-error.ts';
import type { ProductDefinition } from '../rating/index.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { subsidyProgrammesFor } from './subsidy-programmes.ts';
import { ProductModel, ProductVersionModel } from './catalogue-model.ts';
import { diffDefinitions } from './definition-diff.ts';
import type { PoolMembership } from './pool-membership.ts';
import { checkDefinition, hashDefinition, testDefinition, type VectorOutcome } from './product-definitions.ts';
import { loadProductForInsurer, loadVersion, toVersionView, type Actor, type VersionDoc, type VersionView } from './version-reads.ts';

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
export async function createProduct(pools: PoolMembership, caller: Actor, rawDefinition: unknown): Promise<VersionView> {
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
  await pools.proposeShares(caller, definition, insurerOrganisationId);
  await recordAudit(caller, { action: 'product.create', entityType: 'product', entityId: definition.code, organisationId: insurerOrganisationId, summary: `Created product ${definition.code} with draft ${definition.version}.` });
  await recordAudit(caller, { action: 'version.create', entityType: 'productVersion', entityId: `${definition.code}@${definition.version}`, organisationId: insurerOrganisationId, summary: `Created draft ${definition.version} of ${definition.code} with the product.` });
  return toVersionView(doc, true);
}

/** Adds a draft to a product: from a full definition, or by cloning a version under a new version. */
export async function createVersion(pools: PoolMembership, caller: Actor, code: string, input: { definition?: unknown; cloneFrom?: string; version?: string }): Promise<VersionView> {
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
  await pools.proposeShares(caller, definition, product.insurerOrganisationId);
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
export async function updateDraft(pools: PoolMembership, caller: Actor, code: string, version: string, rawDefinition: unknown): Promise<VersionView> {
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
  await pools.proposeShares(caller, definition, doc.insurerOrganisationId);
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
