// A broker's clients: the enterprises its firm acts for. A firm sees an enterprise here only once
// it has linked it (by credit code, registering the enterprise when it is new).
import mongoose from 'mongoose';
import { createOrganisation, findEnterpriseByCreditCode, findEnterprisesByIds } from '../auth/auth-service.ts';
import type { OrganisationView } from '../auth/auth-schemas.ts';
import type { Caller } from '../auth/caller.ts';
import { scopedQuery } from '../auth/scope.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { AppError } from '../http/app-error.ts';
import { pageOf } from '../http/common-schemas.ts';
import { ClientLinkModel } from './client-model.ts';
import type { ClientView, NewClient } from './client-schemas.ts';
import { derivedObjectId } from '../db/derived-id.ts';
import { keptRecords } from '../db/kept-records.ts';

/** The link's id: derived from the pair, so a pair is linked once even under concurrency. */
function linkIdOf(brokerOrganisationId: string, enterpriseId: string): mongoose.Types.ObjectId {
  return derivedObjectId(`client-link:${brokerOrganisationId}:${enterpriseId}`);
}

/**
 * Links the enterprise with the request's credit code to the caller's firm, registering the
 * enterprise first when none has that code (then `name` is required). `created` is false when the
 * firm had already linked it.
 */
export async function addClient(caller: Caller, input: NewClient, now: Date = new Date()): Promise<{ client: ClientView; created: boolean }> {
  let enterprise = await findEnterpriseByCreditCode(input.unifiedSocialCreditCode);
  if (!enterprise) {
    if (!input.name) {
      throw new AppError('not_found', `No enterprise has the credit code ${input.unifiedSocialCreditCode}; send its name to register it.`, [{ path: 'body.name', message: 'is required to register a new enterprise (required)' }]);
    }
    const { unifiedSocialCreditCode, ...facts } = input;
    // The credit code is unique and fits the code pattern: it is the new enterprise's code.
    enterprise = await createOrganisation({ ...facts, name: input.name, code: unifiedSocialCreditCode, kind: 'enterprise', unifiedSocialCreditCode });
  }
  const _id = linkIdOf(caller.organisationId, enterprise.id);
  try {
    const link = await ClientLinkModel.create({ _id, brokerOrganisationId: caller.organisationId, enterpriseId: enterprise.id, linkedBy: { keyId: caller.keyId, userName: caller.userName } });
    await recordAudit(caller, { action: 'client.link', entityType: 'organisation', entityId: enterprise.id, organisationId: caller.organisationId, summary: `Linked enterprise ${enterprise.name} (${input.unifiedSocialCreditCode}) as a client.` }, now);
    return { client: { enterprise, linkedAt: (link.get('createdAt') as Date).toISOString() }, created: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const link = await ClientLinkModel.findById(_id).lean();
    return { client: { enterprise, linkedAt: (link?.createdAt ?? now).toISOString() }, created: false };
  }
}

/** Links found, kept per process: a link is never removed, so "yes" stays true (a "no" is asked again). */
const keptLinks = keptRecords<true>(10_000);

/**
 * Whether the broker firm acts for the enterprise: one read by the link's derived _id (none once a
 * link was seen). Rating (previews, quotes, bulk rows, the web form) asks this before it uses
 * anything of the enterprise.
 */
export async function isClientOf(brokerOrganisationId: string, enterpriseId: string): Promise<boolean> {
  const _id = linkIdOf(brokerOrganisationId, enterpriseId);
  if (keptLinks.get(_id.toHexString())) return true;
  const linked = (await ClientLinkModel.exists({ _id })) !== null;
  if (linked) keptLinks.set(_id.toHexString(), true);
  return linked;
}

/** Links an enterprise to a broker firm without a caller (the demo seed); a second call changes nothing. */
export async function linkClient(brokerOrganisationId: string, enterpriseId: string, linkedBy: { userName: string }): Promise<void> {
  try {
    await ClientLinkModel.create({ _id: linkIdOf(brokerOrganisationId, enterpriseId), brokerOrganisationId, enterpriseId, linkedBy });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

/** One client of the caller's firm by the enterprise's id (one read by the link's derived _id), or null when the firm has not linked it. */
export async function findClient(caller: Caller, enterpriseId: string): Promise<ClientView | null> {
  if (!mongoose.isValidObjectId(enterpriseId)) return null;
  const link = await ClientLinkModel.findById(linkIdOf(caller.organisationId, enterpriseId), { createdAt: 1 }).lean();
  if (!link) return null;
  const [enterprise] = await findEnterprisesByIds([enterpriseId]);
  return enterprise ? { enterprise, linkedAt: link.createdAt.toISOString() } : null;
}

function matches(enterprise: OrganisationView, q: string): boolean {
  const needle = q.toLowerCase();
  return [enterprise.name, enterprise.nameEn, enterprise.code, enterprise.unifiedSocialCreditCode].some((field) => field?.toLowerCase().includes(needle));
}

/** A page of the caller's firm's clients, by name; `q` matches part of a name, the code or the credit code. */
export async function listClients(caller: Caller, query: { q?: string; limit?: number; offset?: number }) {
  // A firm's clients are hundreds at most: read the links, then their enterprises, and filter here.
  const links = await ClientLinkModel.find(scopedQuery(caller, 'clients'), { enterpriseId: 1, createdAt: 1 }).lean();
  const linkedAt = new Map(links.map((l) => [l.enterpriseId, l.createdAt]));
  const enterprises = await findEnterprisesByIds([...linkedAt.keys()]);
  const clients = enterprises
    .filter((e) => !query.q || matches(e, query.q))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.code.localeCompare(b.code))
    .map((enterprise) => ({ enterprise, linkedAt: linkedAt.get(enterprise.id)!.toISOString() }));
  return pageOf(clients, query);
}

/** The clients capability: a broker firm's links to the enterprises it acts for (composed in src/service.ts). */
export function createClients() {
  return Object.freeze({ addClient, findClient, listClients });
}
export type ClientsService = ReturnType<typeof createClients>;
