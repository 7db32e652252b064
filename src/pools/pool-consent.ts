// Pool membership by consent: a version that names another insurer as a pool member is published
// only once that insurer's admin has accepted its share (role and percent) for that product.
//
// An invitation is keyed by (product, member, role, share): terms, not versions. Versions with the
// same terms share one acceptance; a version that changes the member's share or role proposes new
// terms, which need their own. Invitations are proposed when a draft with a complete pool is
// created, edited or published; a declined or left invitation comes back only when the product's
// insurer invites again (POST /v1/pool-invitations), never by itself.
//
// Exactly once without transactions (FerretDB 1.x): each transition inserts an event whose `_id`
// is `<invitation id>:<next seq>` before the invitation is updated from that seq. Of concurrent
// accepts only one insert succeeds (E11000 for the others: 409); an event whose update never
// landed (a crash between the two writes) is applied by the next reader.
import { scopedQuery } from '../auth/scope.ts';
import mongoose from 'mongoose';
import { recordAudit, type systemActor } from '../audit/audit-log.ts';
import { insurersByCode, type InsurerEntry } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { conflict, invalidInput, notFound } from '../http/app-error.ts';
import type { ProductDefinition } from '../rating/index.ts';
import { productNamesByCode } from '../catalogue/product-names.ts';
import { PoolInvitationEventModel, PoolInvitationModel } from './pool-consent-model.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { canonicalShare, poolAddsUp, shareMillionths } from './pool-members.ts';
import { invitationRefusal, type InvitationAction, type InvitationStatus } from './invitation-actions.ts';

export type { InvitationStatus } from './invitation-actions.ts';
type Actor = Caller | typeof systemActor;
export const invitationStatuses: readonly InvitationStatus[] = ['pending', 'accepted', 'declined', 'left'];
type InvitationDoc = InstanceType<typeof PoolInvitationModel>;
type Party = { code: string; name: string; nameEn?: string };

export interface PoolInvitationView {
  id: string;
  productCode: string;
  productName: { zh: string; en: string };
  inviter: Party;
  member: Party;
  role: 'lead' | 'follower';
  sharePercent: string;
  status: InvitationStatus;
  /** received: the caller's insurer is the invited member; sent: the caller's insurer files the product. */
  direction?: 'received' | 'sent';
  proposedInVersion: string;
  createdAt: string;
  updatedAt: string;
  decidedAt?: string;
  decidedBy?: string;
  leftAt?: string;
}

/** Each member of a pool other than the product's own insurer, with its index in the pool. */
function foreignMembers(definition: ProductDefinition) {
  const members = definition.coInsurance?.members ?? [];
  return members.map((m, index) => ({ ...m, index, millionths: shareMillionths(m.sharePercent) })).filter((m) => m.insurer !== definition.insurer);
}

/**
 * Proposes the foreign members' shares of a complete pool (adding up to 100%, members that are
 * insurers): creates the invitations these terms do not have yet; with `reopen`, also invites
 * again where the member declined or left. Safe under concurrency (the unique terms index).
 */
export async function proposePoolShares(actor: Actor, definition: ProductDefinition, inviterOrganisationId: string, options: { reopen?: boolean } = {}): Promise<void> {
  const members = foreignMembers(definition);
  if (!members.length || !poolAddsUp(definition.coInsurance!.members)) return;
  const insurers = await insurersByCode();
  for (const member of members) {
    const insurer = insurers.get(member.insurer);
    if (!insurer) continue; // publication refuses it (pool-member); nobody could accept it
    const terms = { productCode: definition.code, memberOrganisationId: insurer.id, role: member.role, shareMillionths: member.millionths };
    const existing = await PoolInvitationModel.findOne(terms);
    if (!existing) await createInvitation(actor, definition, inviterOrganisationId, insurer, member);
    else if (options.reopen && (existing.status === 'declined' || existing.status === 'left')) {
      if (await transition(actor, existing, 'pending', { proposedInVersion: definition.version })) {
        await audit(actor, existing, 'reinvite', `${definition.insurer} invited ${insurer.code} again to a ${describeTerms(existing)} of ${definition.code} (version ${definition.version}).`);
      }
    }
  }
}

async function createInvitation(actor: Actor, definition: ProductDefinition, inviterOrganisationId: string, insurer: InsurerEntry, member: { role: string; millionths: number }): Promise<void> {
  try {
    const created = await PoolInvitationModel.create({
      productCode: definition.code, inviterOrganisationId, inviterCode: definition.insurer, memberOrganisationId: insurer.id, memberCode: insurer.code,
      role: member.role, sharePercent: canonicalShare(member.millionths), shareMillionths: member.millionths, status: 'pending', seq: 0, proposedInVersion: definition.version,
    });
    await audit(actor, created, 'create', `${definition.insurer} invited ${insurer.code} to a ${describeTerms(created)} of ${definition.code} (version ${definition.version}).`);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err; // proposed meanwhile by a concurrent request
  }
}

const describeTerms = (doc: { sharePercent: string; role: string }) => `${doc.sharePercent}% ${doc.role} share`;

function audit(actor: Actor, doc: InvitationDoc, verb: string, summary: string): Promise<void> {
  return recordAudit(actor, { action: `poolInvitation.${verb}`, entityType: 'poolInvitation', entityId: String(doc._id), organisationId: doc.memberOrganisationId, summary });
}

/**
 * Claims the transition from the invitation's current seq by inserting its event, then applies
 * it. False when another request claimed it first.
 */
async function transition(actor: Actor, doc: InvitationDoc, to: InvitationStatus, extra: Record<string, unknown> = {}, at = new Date()): Promise<boolean> {
  const seq = doc.seq + 1;
  const decided = to === 'accepted' || to === 'declined' ? { decidedAt: at, decidedBy: actor.userName } : {};
  const set = { status: to, seq, ...decided, ...(to === 'left' ? { leftAt: at } : {}), ...extra };
  try {
    await PoolInvitationEventModel.create({ _id: `${String(doc._id)}:${seq}`, invitationId: String(doc._id), to, set, by: { keyId: actor.keyId, userName: actor.userName, role: actor.role, organisationId: actor.organisationId }, at });
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
  await PoolInvitationModel.updateOne({ _id: doc._id, seq: doc.seq }, { $set: set });
  doc.set(set);
  return true;
}

/** An invitation by id with any claimed-but-unapplied transition applied (see the header). */
async function loadInvitation(id: string): Promise<InvitationDoc | null> {
  if (!mongoose.isValidObjectId(id)) return null;
  for (let i = 0; i < 5; i++) {
    const doc = await PoolInvitationModel.findById(id);
    if (!doc) return null;
    const pending = await PoolInvitationEventModel.findById(`${id}:${doc.seq + 1}`).lean();
    if (!pending) return doc;
    await PoolInvitationModel.updateOne({ _id: doc._id, seq: doc.seq }, { $set: { ...(pending as { set?: object }).set, status: pending.to, seq: doc.seq + 1 } });
  }
  return PoolInvitationModel.findById(id);
}

/** Which way an invitation points for the caller: received when its insurer is the invited member. */
function directionOf(caller: Caller, doc: { memberOrganisationId: string }): 'received' | 'sent' {
  return doc.memberOrganisationId === caller.organisationId ? 'received' : 'sent';
}

/**
 * The invitation addressed to the caller's insurer (404 otherwise: another insurer's look the
 * same as none), refused (409) when its state does not allow `action`: the rule the invitations
 * page shows its buttons by (invitationActions).
 */
async function ownInvitation(caller: Caller, id: string, action: InvitationAction): Promise<InvitationDoc> {
  const doc = await loadInvitation(id);
  if (!doc || directionOf(caller, doc) !== 'received') throw notFound('The pool invitation');
  refuseUnless(doc, action);
  return doc;
}

function refuseUnless(invitation: { status: string }, action: InvitationAction): void {
  const refusal = invitationRefusal({ status: invitation.status as InvitationStatus }, action);
  if (refusal) throw conflict(refusal.message, refusal.details);
}

/** Accepts or declines a pending invitation to the caller's insurer: exactly once (409 after). */
export async function decidePoolInvitation(caller: Caller, id: string, decision: 'accepted' | 'declined'): Promise<PoolInvitationView> {
  const action = decision === 'accepted' ? 'accept' : 'decline';
  const doc = await ownInvitation(caller, id, action);
  if (!(await transition(caller, doc, decision))) {
    // Decided meanwhile by a concurrent request: refused as its state now is.
    refuseUnless((await loadInvitation(id)) ?? doc, action);
    throw conflict('This invitation changed meanwhile; reload it.');
  }
  await audit(caller, doc, action, `${doc.memberCode} ${decision} its ${describeTerms(doc)} of ${doc.productCode}.`);
  return (await invitationViews([doc], caller))[0]!;
}

/**
 * Leaves a product's pool: every accepted share of the caller's insurer in that product becomes
 * `left`. Versions already published keep running (policies keep their shares); a new version
 * naming the insurer needs a new acceptance.
 */
export async function leavePool(caller: Caller, id: string): Promise<PoolInvitationView> {
  const doc = await ownInvitation(caller, id, 'leave');
  if (!(await transition(caller, doc, 'left'))) throw conflict('This invitation changed meanwhile; reload it.');
  await audit(caller, doc, 'leave', `${doc.memberCode} left the pool of ${doc.productCode} (its ${describeTerms(doc)}) for future versions.`);
  const others = await PoolInvitationModel.find({ productCode: doc.productCode, memberOrganisationId: doc.memberOrganisationId, status: 'accepted' });
  for (const other of others) {
    if (await transition(caller, other, 'left')) await audit(caller, other, 'leave', `${other.memberCode} left the pool of ${other.productCode} (its ${describeTerms(other)}) for future versions.`);
  }
  return (await invitationViews([doc], caller))[0]!;
}

/**
 * Accepts the foreign members' shares of a pool on their behalf, as the system: for the shipped
 * catalogue published at start (demo seed) and the test fixtures. A member's own decline or leave
 * stands.
 */
export async function acceptPoolOnMembersBehalf(actor: typeof systemActor, definition: ProductDefinition, inviterOrganisationId: string): Promise<void> {
  await proposePoolShares(actor, definition, inviterOrganisationId);
  for (const invitation of await invitationsFor(definition)) {
    if (invitation.status === 'pending' && (await transition(actor, invitation, 'accepted'))) {
      await audit(actor, invitation, 'accept', `${invitation.memberCode}'s ${describeTerms(invitation)} of ${invitation.productCode} accepted on its behalf with the shipped catalogue (demo seed).`);
    }
  }
}

/** The invitations matching the terms of a pool's foreign members (by member index; undefined where none). */
async function invitationsFor(definition: ProductDefinition): Promise<InvitationDoc[]> {
  return (await termsOf(definition)).flatMap((t) => (t.invitation ? [t.invitation] : []));
}

async function termsOf(definition: ProductDefinition) {
  const members = foreignMembers(definition);
  if (!members.length) return [];
  const invitations = await PoolInvitationModel.find({ productCode: definition.code });
  return members.map((m) => ({ member: m, invitation: invitations.find((i) => i.memberCode === m.insurer && i.role === m.role && i.shareMillionths === m.millionths) }));
}

/**
 * Refuses (409) a pool whose foreign members have not all accepted their shares of this product,
 * naming each on its path: `definition/coInsurance/members/1/insurer`.
 */
export async function requirePoolConsent(definition: ProductDefinition, root = 'definition'): Promise<void> {
  const missing = (await termsOf(definition)).filter((t) => t.invitation?.status !== 'accepted');
  if (!missing.length) return;
  const said = (status: string | undefined) => (status === 'declined' ? ' (declined)' : status === 'left' ? ' (left the pool; invite it again)' : '');
  throw conflict(`${missing.map((t) => t.member.insurer).join(', ')} must accept ${missing.length === 1 ? 'its share' : 'their shares'} of ${definition.code} before this version is published (GET /v1/pool-invitations as the member's admin).`,
    missing.map(({ member, invitation }) => ({
      path: `${root}/coInsurance/members/${member.index}/insurer`,
      message: `${member.insurer} has not accepted its ${canonicalShare(member.millionths)}% ${member.role} share${said(invitation?.status)} (pool-consent)`,
    })));
}

/** Each member of a draft's pool with its consent: own (the product's insurer), none, or the invitation's status. */
export async function poolConsentOf(definition: ProductDefinition): Promise<{ index: number; insurer: string; role: string; sharePercent: string; status: InvitationStatus | 'own' | 'none'; invitationId?: string }[]> {
  const members = definition.coInsurance?.members ?? [];
  const foreign = await termsOf(definition);
  return members.map((m, index) => {
    const terms = foreign.find((t) => t.member.index === index);
    if (!terms) return { index, insurer: m.insurer, role: m.role, sharePercent: m.sharePercent, status: 'own' as const };
    return { index, insurer: m.insurer, role: m.role, sharePercent: m.sharePercent, status: terms.invitation?.status ?? 'none', ...(terms.invitation ? { invitationId: String(terms.invitation._id) } : {}) };
  });
}

/**
 * A page of the invitations the caller's insurer is invited to and the ones it sent (platform
 * admins: all), newest first; `status` and `productCode` narrow them, never widen the scope.
 */
export async function listPoolInvitations(caller: Caller, query: { status?: InvitationStatus; productCode?: string; limit: number; offset: number }): Promise<{ items: PoolInvitationView[]; total: number; limit: number; offset: number }> {
  if (query.status !== undefined && !invitationStatuses.includes(query.status)) {
    throw invalidInput(`Unknown status ${String(query.status)}.`, [{ path: 'query.status', message: `must be one of ${invitationStatuses.join(', ')} (enum)` }]);
  }
  const filter = scopedQuery(caller, 'poolInvitations', { ...(query.status ? { status: query.status } : {}), ...(query.productCode ? { productCode: query.productCode } : {}) });
  const [docs, total] = await Promise.all([
    PoolInvitationModel.find(filter).sort({ createdAt: -1, _id: -1 }).skip(query.offset).limit(query.limit),
    PoolInvitationModel.countDocuments(filter),
  ]);
  return { items: await invitationViews(docs, caller), total, limit: query.limit, offset: query.offset };
}

async function invitationViews(docs: InvitationDoc[], caller: Caller): Promise<PoolInvitationView[]> {
  const [directory, names] = await Promise.all([insurerDirectory(), productNamesByCode(docs.map((d) => d.productCode))]);
  const party = (code: string): Party => {
    const entry = directory.get(code);
    return { code, name: entry?.name ?? code, ...(entry?.nameEn ? { nameEn: entry.nameEn } : {}) };
  };
  return docs.map((d) => ({
    id: String(d._id), productCode: d.productCode, productName: names.get(d.productCode) ?? { zh: d.productCode, en: d.productCode },
    inviter: party(d.inviterCode), member: party(d.memberCode), role: d.role as 'lead' | 'follower', sharePercent: d.sharePercent, status: d.status as InvitationStatus,
    ...(caller.role === 'platform-admin' ? {} : { direction: directionOf(caller, d) }),
    proposedInVersion: d.proposedInVersion, createdAt: d.createdAt.toISOString(), updatedAt: d.updatedAt.toISOString(),
    ...(d.decidedAt ? { decidedAt: d.decidedAt.toISOString() } : {}), ...(d.decidedBy ? { decidedBy: d.decidedBy } : {}), ...(d.leftAt ? { leftAt: d.leftAt.toISOString() } : {}),
  }));
}
