// Publishing: a draft becomes a published (or scheduled) version exactly once, after its pool's
// members exist, add up and consent (the PoolMembership port); a scheduled version may be
// withdrawn before its first day, a published one retired. Also inviting a pool's members again.
import { recordAudit } from '../audit/audit-log.ts';
import { AppError, conflict, invalidInput } from '../http/app-error.ts';
import { chinaDate, type ProductDefinition } from '../rating/index.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { announceCatalogueChange } from './catalogue-cache.ts';
import { subsidyProgrammesFor } from './subsidy-programmes.ts';
import { ProductVersionModel, PublicationModel } from './catalogue-model.ts';
import { compiledFor } from './compiled-products.ts';
import type { PoolMembership } from './pool-membership.ts';
import { testDefinition } from './product-definitions.ts';
import { updateDraft } from './product-versions.ts';
import { findTimelineClash } from './version-timeline.ts';
import { loadVersion, toVersionView, type Actor, type VersionView } from './version-reads.ts';

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
export async function publishVersion(pools: PoolMembership, caller: Actor, code: string, version: string, now: Date = new Date()): Promise<VersionView> {
  let doc = await loadVersion(caller, code, version);
  if (doc.status !== 'draft') throw conflict(`Version ${version} of ${code} is already ${doc.status}.`);
  const definition = doc.definition as ProductDefinition;
  await pools.checkMembers(definition);
  const outcome = testDefinition(definition, await subsidyProgrammesFor(definition.line));
  if (outcome.compileErrors.length) throw invalidInput(`Version ${version} of ${code} does not compile.`, outcome.compileErrors);
  const failing = outcome.vectors.filter((v) => !v.passed);
  if (failing.length) {
    throw invalidInput(`Version ${version} of ${code} fails ${failing.length} test vector(s): ${failing.map((v) => `"${v.name}"`).join(', ')}.`,
      failing.map((v) => ({ path: `definition.testVectors[name=${v.name}]`, message: `${v.message} (testVector)` })));
  }
  // Every other insurer in the pool must have accepted its share of this product (the PoolMembership port).
  await pools.proposeShares(caller, definition, doc.insurerOrganisationId);
  await pools.requireConsent(definition);

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
export async function invitePoolMembers(pools: PoolMembership, caller: Actor, code: string, version: string): Promise<ProductDefinition> {
  const doc = await loadVersion(caller, code, version);
  const definition = doc.definition as ProductDefinition;
  if (!definition.coInsurance?.members.some((m) => m.insurer !== definition.insurer)) {
    throw invalidInput(`Version ${version} of ${code} names no other insurer in a pool; there is nobody to invite.`, [{ path: 'body.version', message: 'must be a version whose pool names another insurer (pool-members)' }]);
  }
  await pools.checkMembers(definition);
  await pools.proposeShares(caller, definition, doc.insurerOrganisationId, { reopen: true });
  return definition;
}

/**
 * Publishes a draft from a chosen first day. A day other than the draft's effectiveFrom is first
 * written into the draft through updateDraft (checked, audited, compiled like any edit); a day
 * already past (China time) is refused, since a version cannot take over retroactively.
 */
export async function publishVersionFrom(pools: PoolMembership, caller: Actor, code: string, version: string, effectiveFrom?: string, now?: Date): Promise<VersionView> {
  if (effectiveFrom !== undefined) {
    const today = chinaDate(now ?? new Date());
    if (effectiveFrom < today) {
      throw invalidInput(`Version ${version} of ${code} cannot take effect on ${effectiveFrom}, a day already past; choose today (${today}) or a later day.`, [
        { path: 'body.effectiveFrom', message: `must be today (${today}) or later (not-in-past)` },
      ]);
    }
    const doc = await loadVersion(caller, code, version);
    if (doc.status === 'draft' && doc.effectiveFrom !== effectiveFrom) {
      await updateDraft(pools, caller, code, version, { ...(doc.definition as ProductDefinition), effectiveFrom });
    }
  }
  // Read the clock after the edit, so the publication is recorded after it.
  return publishVersion(pools, caller, code, version, now ?? new Date());
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
