// A broker's clients: the enterprises its firm acts for. A firm sees an enterprise here only once
// it has linked it (by credit code, registering the enterprise when it is new).
import mongoose from 'mongoose';
import { createOrganisation, findEnterpriseByCreditCode, findEnterprisesByIds, findOrganisationById } from '../auth/auth-service.ts';
import type { OrganisationView } from '../auth/auth-schemas.ts';
import type { Caller } from '../auth/caller.ts';
import { clientListKey, scopedClientList } from '../auth/scope.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { AppError } from '../http/app-error.ts';
import { ClientLinkModel } from './client-model.ts';
import type { ClientList, ClientView, NewClient } from './client-schemas.ts';
import { derivedObjectId } from '../db/derived-id.ts';
import { keptRecords } from '../db/kept-records.ts';
import { defineKeyedLog } from '../db/keyed-log.ts';
import { logPage, type LogPageQuery } from '../db/log-pages.ts';

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
    const linkedAt = link.get('createdAt') as Date;
    await appendClient(caller.organisationId, enterprise, linkedAt);
    await recordAudit(caller, { action: 'client.link', entityType: 'organisation', entityId: enterprise.id, organisationId: caller.organisationId, summary: `Linked enterprise ${enterprise.name} (${input.unifiedSocialCreditCode}) as a client.` }, now);
    return { client: { enterprise, linkedAt: linkedAt.toISOString() }, created: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const link = await ClientLinkModel.findById(_id).lean();
    const linkedAt = link?.createdAt ?? now;
    // Linked before: on the list already, unless that request stopped early (appending again adds nothing).
    await appendClient(caller.organisationId, enterprise, linkedAt);
    return { client: { enterprise, linkedAt: linkedAt.toISOString() }, created: false };
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
  const _id = linkIdOf(brokerOrganisationId, enterpriseId);
  try {
    await ClientLinkModel.create({ _id, brokerOrganisationId, enterpriseId, linkedBy });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const [link, enterprise] = await Promise.all([ClientLinkModel.findById(_id, { createdAt: 1 }).lean(), findOrganisationById(enterpriseId)]);
  if (link && enterprise) await appendClient(brokerOrganisationId, enterprise, link.createdAt);
}

/** One client of the caller's firm by the enterprise's id (one read by the link's derived _id), or null when the firm has not linked it. */
export async function findClient(caller: Caller, enterpriseId: string): Promise<ClientView | null> {
  if (!mongoose.isValidObjectId(enterpriseId)) return null;
  const link = await ClientLinkModel.findById(linkIdOf(caller.organisationId, enterpriseId), { createdAt: 1 }).lean();
  if (!link) return null;
  const [enterprise] = await findEnterprisesByIds([enterpriseId]);
  return enterprise ? { enterprise, linkedAt: link.createdAt.toISOString() } : null;
}

/**
 * A broker firm's client list (#25): per firm (scope.ts clientListKey), one entry per enterprise
 * it links, in the order linked, carrying what the list and its search need (organisations never
 * change): the page loads the enterprises it shows, by id, and nothing else.
 */
interface ClientEntry { enterpriseId: string; name: string; nameEn?: string; code: string; creditCode?: string; linkedAt: string }

const clientLists = defineKeyedLog<ClientEntry>('ClientListEntry', 'clientLists');

/** Appends the link to its firm's list (again: nothing), after the link is stored. */
function appendClient(brokerOrganisationId: string, enterprise: OrganisationView, linkedAt: Date): Promise<void> {
  return clientLists.append(clientListKey(brokerOrganisationId), enterprise.id, {
    enterpriseId: enterprise.id, name: enterprise.name, ...(enterprise.nameEn ? { nameEn: enterprise.nameEn } : {}), code: enterprise.code,
    ...(enterprise.unifiedSocialCreditCode ? { creditCode: enterprise.unifiedSocialCreditCode } : {}), linkedAt: linkedAt.toISOString(),
  });
}

function matches(entry: ClientEntry, q: string): boolean {
  const needle = q.toLowerCase();
  return [entry.name, entry.nameEn, entry.code, entry.creditCode].some((field) => field?.toLowerCase().includes(needle));
}

/**
 * Entries a search reads before it answers what it found (with a cursor): a firm has a few
 * thousand clients at most, so one search reads the whole list, from its kept chunks.
 */
const SEARCH_SCAN = 10_000;

/** A page of the caller's firm's clients, newest linked first; `q` matches part of a name, the code or the credit code. */
export async function listClients(caller: Caller, query: { q?: string | undefined } & Partial<LogPageQuery>): Promise<ClientList> {
  const { key } = scopedClientList(caller);
  const q = query.q;
  const page = { limit: query.limit ?? 50, offset: query.offset, after: query.after };
  return logPage(clientLists, key, page, {
    ...(q ? { accept: (entry: ClientEntry) => matches(entry, q), maxScan: SEARCH_SCAN } : {}),
    load: (entries) => Promise.all(entries.map(async (e) => {
      const enterprise = await findOrganisationById(e.value.enterpriseId);
      return enterprise ? { enterprise, linkedAt: e.value.linkedAt } : null;
    })),
  });
}

/**
 * The migration of a data folder from before the lists: every stored link on its firm's list,
 * oldest first. Idempotent (a second run adds nothing); a scan of the links: offline, once.
 */
export async function buildClientLists(): Promise<{ links: number }> {
  const links = await ClientLinkModel.find({}, { brokerOrganisationId: 1, enterpriseId: 1, createdAt: 1 }).sort({ createdAt: 1, _id: 1 }).lean();
  const enterprises = new Map((await findEnterprisesByIds([...new Set(links.map((l) => l.enterpriseId))])).map((e) => [e.id, e]));
  // Asked in order (appends to one key keep it), written together.
  await Promise.all(links.flatMap((l) => {
    const enterprise = enterprises.get(l.enterpriseId);
    return enterprise ? [appendClient(l.brokerOrganisationId, enterprise, l.createdAt)] : [];
  }));
  return { links: links.length };
}

/** The clients capability: a broker firm's links to the enterprises it acts for (composed in src/service.ts). */
export function createClients() {
  return Object.freeze({
    addClient, findClient, listClients,
    /** The migration of a data folder from before the lists (idempotent): every link on its firm's list. */
    buildLists: buildClientLists,
  });
}
export type ClientsService = ReturnType<typeof createClients>;
