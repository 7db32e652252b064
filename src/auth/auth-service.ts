import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import mongoose from 'mongoose';
import { AppError, invalidInput, notFound } from '../http/app-error.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { keptRecords } from '../db/kept-records.ts';
import { announceRevision, CATALOGUE_REVISION } from '../db/revision-cache.ts';
import { ApiKeyModel, CreditCodeModel, OrganisationModel } from './auth-model.ts';
import { scopedQuery } from './scope.ts';
import { rolesByKind, type AuthorityCoverage, type AuthorityLevel, type Caller, type OrganisationKind, type Role } from './caller.ts';
import type { IssuedKey, NewApiKey, NewOrganisation, OrganisationView } from './auth-schemas.ts';

export type { NewOrganisation, OrganisationView } from './auth-schemas.ts';

/** Keys look like `tik_<keyId>_<secret>`: the id finds the record, the secret is checked against a hash. */
const KEY_PREFIX = 'tik_';

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function toOrganisationView(doc: InstanceType<typeof OrganisationModel>): OrganisationView {
  return {
    id: String(doc._id),
    code: doc.code,
    kind: doc.kind as OrganisationKind,
    name: doc.name,
    ...(doc.nameEn ? { nameEn: doc.nameEn } : {}),
    ...(doc.province ? { province: doc.province } : {}),
    ...(doc.city ? { city: doc.city } : {}),
    ...(doc.regionCode ? { regionCode: doc.regionCode } : {}),
    qualifications: [...(doc.qualifications ?? [])],
    ...(doc.unifiedSocialCreditCode ? { unifiedSocialCreditCode: doc.unifiedSocialCreditCode } : {}),
    ...(doc.address ? { address: doc.address } : {}),
    ...(doc.addressEn ? { addressEn: doc.addressEn } : {}),
    ...(doc.servicePhone ? { servicePhone: doc.servicePhone } : {}),
    ...(doc.kind === 'authority' ? { level: doc.level as AuthorityLevel, regionPrefixes: [...doc.regionPrefixes ?? []], programmes: [...doc.programmes ?? []] } : {}),
    createdAt: (doc.get('createdAt') as Date).toISOString(),
  };
}


/** Creates an organisation; a taken code, or a credit code another organisation holds, is a conflict. */
export async function createOrganisation(input: NewOrganisation): Promise<OrganisationView> {
  checkAuthorityFields(input);
  const _id = new mongoose.Types.ObjectId();
  const code = input.unifiedSocialCreditCode;
  if (code) await claimCreditCode(code, String(_id));
  try {
    const doc = await OrganisationModel.create({ _id, ...input });
    // The catalogue shows insurers' names from a cache invalidated by catalogue changes.
    if (doc.kind === 'insurer') await announceRevision(CATALOGUE_REVISION);
    return toOrganisationView(doc);
  } catch (err) {
    if (code) await CreditCodeModel.collection.deleteOne({ _id: code as never }); // the claim was this organisation's: it never came to be
    if (isDuplicateKeyError(err)) throw new AppError('conflict', `An organisation with the code ${input.code} already exists.`, [{ path: 'body.code', message: 'must be unique (unique)' }]);
    throw err;
  }
}

/**
 * A subsidy department's coverage must say what it covers, and only departments carry one: the
 * level and programmes are required; a central department covers every region (it names none),
 * any other level names its regions. An empty list never stands for "all" below the centre.
 */
function checkAuthorityFields(input: NewOrganisation): void {
  const fields = ['level', 'regionPrefixes', 'programmes'] as const;
  if (input.kind !== 'authority') {
    const given = fields.filter((f) => input[f] !== undefined);
    if (given.length) throw invalidInput('Only a subsidy department (kind authority) has a level, regions and programmes.', given.map((f) => ({ path: `body.${f}`, message: 'is only allowed when kind is authority (dependencies)' })));
    return;
  }
  const missing = (['level', 'programmes'] as const).filter((f) => input[f] === undefined);
  if (missing.length) throw invalidInput('A subsidy department needs its level and the programmes it administers.', missing.map((f) => ({ path: `body.${f}`, message: 'is required when kind is authority (required)' })));
  const prefixes = input.regionPrefixes ?? [];
  if (input.level === 'central' && prefixes.length > 0) throw invalidInput('A central department covers every region; it names none.', [{ path: 'body.regionPrefixes', message: 'must be empty when level is central (central covers all)' }]);
  if (input.level !== 'central' && prefixes.length === 0) throw invalidInput('A department below the centre names the regions it covers.', [{ path: 'body.regionPrefixes', message: 'must name at least one region-code prefix unless level is central (minItems)' }]);
}

const creditCodeTaken = (code: string) => new AppError('conflict', `An organisation with the credit code ${code} already exists.`, [{ path: 'body.unifiedSocialCreditCode', message: 'must be unique (unique)' }]);

/**
 * Claims a credit code for a new organisation: an insert by `_id` (the code). Taken by an
 * organisation that exists: 409. Left by a registration that stopped between its claim and its
 * organisation: taken over.
 */
async function claimCreditCode(code: string, organisationId: string): Promise<void> {
  try {
    await CreditCodeModel.collection.insertOne({ _id: code as never, organisationId });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const claim = await CreditCodeModel.collection.findOne({ _id: code as never }) as { organisationId: string } | null;
    if (!claim || await OrganisationModel.exists({ _id: claim.organisationId })) throw creditCodeTaken(code);
    await CreditCodeModel.collection.replaceOne({ _id: code as never }, { organisationId });
  }
}

/**
 * The credit-code claims of organisations stored before claims were kept (a data folder from
 * before #25): a scan of the organisations, offline, once; again: nothing new.
 */
async function buildCreditCodes(): Promise<{ organisations: number }> {
  const docs = await OrganisationModel.find({ unifiedSocialCreditCode: { $exists: true, $ne: null } }, { unifiedSocialCreditCode: 1 }).lean();
  for (const doc of docs) {
    try {
      await CreditCodeModel.collection.insertOne({ _id: doc.unifiedSocialCreditCode as never, organisationId: String(doc._id) });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  return { organisations: docs.length };
}

/** A page of the organisations the caller may see (by code): all for a platform admin, otherwise its own. */
export async function listOrganisations(caller: Caller, filter: { kind?: OrganisationKind; limit: number; offset: number }): Promise<{ items: OrganisationView[]; total: number; limit: number; offset: number }> {
  const query = scopedQuery(caller, 'organisations', filter.kind ? { kind: filter.kind } : {});
  const [docs, total] = await Promise.all([
    OrganisationModel.find(query).sort({ code: 1 }).skip(filter.offset).limit(filter.limit),
    OrganisationModel.countDocuments(query),
  ]);
  return { items: docs.map(toOrganisationView), total, limit: filter.limit, offset: filter.offset };
}

/** One organisation, if the caller may see it; otherwise not found. */
export async function getOrganisation(caller: Caller | null, id: string): Promise<OrganisationView> {
  if (!mongoose.isValidObjectId(id)) throw notFound('The organisation');
  if (caller && caller.role !== 'platform-admin' && caller.organisationId !== id) throw notFound('The organisation');
  const doc = await OrganisationModel.findById(id);
  if (!doc) throw notFound('The organisation');
  return toOrganisationView(doc);
}

export async function findOrganisationByCode(code: string): Promise<OrganisationView | null> {
  const doc = await OrganisationModel.findOne({ code });
  return doc ? toOrganisationView(doc) : null;
}

/**
 * Issues an API key for a user of an organisation. Platform admins issue any key; an insurer
 * admin issues keys for its own organisation only. The role must fit the organisation's kind.
 */
export async function issueApiKey(
  issuer: Caller | null,
  organisationId: string,
  input: NewApiKey,
): Promise<IssuedKey> {
  const organisation = await getOrganisation(issuer?.role === 'platform-admin' || !issuer ? null : issuer, organisationId);
  if (issuer && issuer.role !== 'platform-admin' && !(issuer.role === 'insurer-admin' && issuer.organisationId === organisationId)) {
    throw new AppError('forbidden', 'Only a platform admin, or an insurer admin for its own organisation, can issue keys.');
  }
  if (!rolesByKind[organisation.kind].includes(input.role)) {
    throw invalidInput(`A ${organisation.kind} organisation cannot hold the role ${input.role}.`, [
      { path: 'body.role', message: `must be one of ${rolesByKind[organisation.kind].join(', ')} for a ${organisation.kind} organisation (role)` },
    ]);
  }
  const keyId = randomBytes(9).toString('base64url');
  const secret = randomBytes(24).toString('base64url');
  await ApiKeyModel.create({
    keyId,
    secretHash: hashSecret(secret),
    userName: input.userName,
    role: input.role,
    organisationId: organisation.id,
    createdBy: issuer?.keyId ?? 'cli',
  });
  return { keyId, apiKey: `${KEY_PREFIX}${keyId}_${secret}`, userName: input.userName, role: input.role, organisationId: organisation.id };
}

/** Revokes a key; later requests with it get 401. */
export async function revokeApiKey(caller: Caller, keyId: string): Promise<void> {
  const key = await ApiKeyModel.findOne({ keyId });
  if (!key || (caller.role !== 'platform-admin' && String(key.organisationId) !== caller.organisationId)) throw notFound('The API key');
  await ApiKeyModel.updateOne({ keyId }, { $set: { revokedAt: new Date() } });
}

const unauthenticated = (message: string) => new AppError('unauthenticated', message, [{ path: 'header.authorization', message: 'must be "Bearer <api key>" with a valid key (authorization)' }]);

/** Resolves `Authorization: Bearer <key>` to a caller, or throws 401. */
export async function authenticateApiKey(authorization: string | undefined): Promise<Caller> {
  if (!authorization) throw unauthenticated('Sign in: send Authorization: Bearer <api key>.');
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <api key>".');
  return resolveApiKey(match[1]!);
}

/** Resolves a raw API key (from a header or a session cookie) to a caller, or throws 401. */
export async function resolveApiKey(apiKey: string): Promise<Caller> {
  const parts = /^tik_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{32})$/.exec(apiKey);
  if (!parts) throw unauthenticated('The API key is not valid.');
  const [, keyId, secret] = parts as unknown as [string, string, string];
  const key = await ApiKeyModel.findOne({ keyId }).lean();
  const expected = Buffer.from(key?.secretHash ?? '0'.repeat(64), 'hex');
  const actual = Buffer.from(hashSecret(secret), 'hex');
  if (!key || !timingSafeEqual(expected, actual) || key.revokedAt) throw unauthenticated('The API key is not valid.');
  const caller = await callerOfKey(key);
  if (!caller) throw unauthenticated('The API key belongs to an organisation that no longer exists.');
  return caller;
}

type ApiKeyRow = { keyId: string; userName: string; role: string; organisationId: unknown; revokedAt?: Date | null };

async function callerOfKey(key: ApiKeyRow): Promise<Caller | null> {
  const organisation = await OrganisationModel.findById(key.organisationId).lean();
  if (!organisation) return null;
  return {
    keyId: key.keyId,
    userName: key.userName,
    role: key.role as Role,
    organisationId: String(organisation._id),
    organisationKind: organisation.kind as OrganisationKind,
    organisationCode: organisation.code,
    ...(organisation.kind === 'authority' ? { authority: coverageOf(organisation) } : {}),
  };
}

// Without a stored level a department is never taken for a central one (which covers every region).
function coverageOf(organisation: { level?: string | null; regionPrefixes?: string[] | null; programmes?: string[] | null }): AuthorityCoverage {
  return Object.freeze({ level: (organisation.level ?? 'county') as AuthorityLevel, regionPrefixes: Object.freeze([...organisation.regionPrefixes ?? []]), programmes: Object.freeze([...organisation.programmes ?? []]) });
}

/** The caller behind a key id (a web session holds the id, never the secret); null if revoked or gone. */
export async function callerForKeyId(keyId: string): Promise<Caller | null> {
  const key = await ApiKeyModel.findOne({ keyId }).lean();
  if (!key || key.revokedAt) return null;
  return callerOfKey(key);
}

// ---------------------------------------------------------------------------------------------
// Look-ups for other capabilities (quotes, catalogue): they read organisations through these,
// never through the model.

// Organisations are created once and never changed (there is no update path): an organisation
// read by its id can be kept for good, in every instance, without asking the others. Adding a way
// to change organisations means announcing it to these caches (as the catalogue's token does).
const organisationsById = keptRecords<OrganisationView>(10_000);

/** Any organisation by id, or null when there is none; kept once read (organisations never change). */
export async function findOrganisationById(id: string): Promise<OrganisationView | null> {
  if (!mongoose.isValidObjectId(id)) return null;
  const cached = organisationsById.get(id);
  if (cached) return cached;
  const doc = await OrganisationModel.findById(id);
  if (!doc) return null; // not cached: nothing to keep
  // Frozen: every caller shares it, and a caller changing it would change it for the others.
  const view = Object.freeze({ ...toOrganisationView(doc), qualifications: Object.freeze([...doc.qualifications ?? []]) as string[] });
  organisationsById.set(id, view);
  return view;
}

/** The enterprise organisation with this id, or null when there is none (or it is another kind). */
export async function findEnterpriseById(id: string): Promise<OrganisationView | null> {
  const organisation = await findOrganisationById(id);
  return organisation?.kind === 'enterprise' ? organisation : null;
}

/** The enterprise with this unified social credit code, or null when there is none. */
export async function findEnterpriseByCreditCode(creditCode: string): Promise<OrganisationView | null> {
  const claim = await CreditCodeModel.collection.findOne({ _id: creditCode as never }) as { organisationId: string } | null;
  const organisation = claim ? await findOrganisationById(claim.organisationId) : null;
  return organisation?.kind === 'enterprise' ? organisation : null;
}

/**
 * The enterprises with these ids (in their order; missing ids and other kinds are left out): each
 * read by `_id` and kept (findOrganisationById), as an `$in` would read every organisation on
 * FerretDB 1.x — a pool statement or an English list page names hundreds.
 */
export async function findEnterprisesByIds(ids: readonly string[]): Promise<OrganisationView[]> {
  const found = await Promise.all([...new Set(ids)].map((id) => findOrganisationById(id)));
  return found.filter((o): o is OrganisationView => o !== null && o.kind === 'enterprise');
}

/** The insurer organisation with this code, or null when there is none. */
export async function findInsurerByCode(code: string): Promise<OrganisationView | null> {
  const doc = await OrganisationModel.findOne({ code, kind: 'insurer' });
  return doc ? toOrganisationView(doc) : null;
}

/** An insurer as pools and views name it. */
export interface InsurerEntry {
  id: string;
  code: string;
  name: string;
  nameEn: string | undefined;
}

/** Every insurer by its code: id and names (pool members are named by code in product files). */
export async function insurersByCode(): Promise<Map<string, InsurerEntry>> {
  const insurers = await OrganisationModel.find({ kind: 'insurer' }, { code: 1, name: 1, nameEn: 1 }).lean();
  return new Map(insurers.map((i) => [i.code, { id: String(i._id), code: i.code, name: i.name, nameEn: i.nameEn ?? undefined }]));
}


/**
 * The auth capability: organisations, API keys and callers (composed once in src/service.ts;
 * routes and pages call these, never the module's functions).
 */
export function createAuth() {
  return Object.freeze({
    createOrganisation, listOrganisations, getOrganisation, findOrganisationByCode, issueApiKey, revokeApiKey,
    authenticateApiKey, resolveApiKey, callerForKeyId, findEnterprisesByIds, findEnterpriseByCreditCode,
    /** The migration of a data folder from before the credit-code claims (idempotent). */
    buildCreditCodes,
  });
}
export type AuthService = ReturnType<typeof createAuth>;
