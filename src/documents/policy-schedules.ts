// Policy schedules are contracts: each language is rendered once (behind the bind's answer, see
// schedule-backlog.ts, or on the first download if that did not happen), stored immutably with its sha256 and always served as stored, so
// later template, label, organisation or Chromium changes never alter an issued schedule. The
// unique _id `<policyId>:<lang>` makes the write happen once however many writers race.
// See docs/documents.md ("Caching and storage").
import type { Caller } from '../auth/caller.ts';
import { notFound } from '../http/app-error.ts';
import { loadVisiblePolicy, type PolicyRecord } from '../policies/policy-service.ts';
import { loadVisibleQuote } from '../quotes/quote-service.ts';
import { endorsementsOf } from '../policies/endorsement-service.ts';
import { createScheduleReprints } from './schedule-reprint.ts';
import { isVisibleTo } from '../auth/visibility.ts';
import { chinaDate } from '../rating/index.ts';
import { PolicyDocumentModel, policyDocumentId } from './document-model.ts';
import type { DocumentPrinter } from './document-printer.ts';
import { loadDocumentSource, underwritingFactsOf } from './document-source.ts';
import type { DocumentTemplates } from './document-templates.ts';
import { DOCUMENT_LANGS, type DocumentLang } from './document-view.ts';
import { asciiFileNameOf, fileNameOf, matchesEtag, sha256, type PdfFile } from './pdf-file.ts';
import type { RendererLogger } from './pdf-renderer.ts';

export interface PolicySchedules {
  /** The stored schedule of a policy the caller may see (404 otherwise), rendered and stored first if missing. */
  policyPdf(caller: Caller, policyId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile>;
  /** Renders and stores every language of a policy's schedule; logs and swallows failures. */
  storeAll(policyId: string): Promise<void>;
}

/** The documents capability sees policies as the platform does, for rendering a schedule (after a bind, or for a download). */
const SYSTEM_CALLER: Caller = { keyId: 'system:documents', userName: 'documents', role: 'platform-admin', organisationId: '', organisationKind: 'platform', organisationCode: 'PLATFORM' };

/** What a download checks and names before reading a stored schedule: the policy's number and parties. */
type PolicyParties = Pick<PolicyRecord, 'policyNumber' | 'brokerOrganisationId' | 'insurerOrganisationId' | 'enterpriseOrganisationId' | 'poolMemberIds'>;

type StoredSchedule = { fileName: string; sha256: string; bytes: Buffer };

export function createPolicySchedules(printer: DocumentPrinter, templates: DocumentTemplates, logger?: RendererLogger): PolicySchedules {
  // A policy's parties and number never change, nor does a stored schedule (written once): both
  // are remembered per process by id, so a repeated download reads nothing from the database
  // (FerretDB 1.x reads a whole stored PDF even for a projection of its hash). Stored bytes are
  // kept by content hash. Bounded: the oldest entries go first.
  const partiesById = new Map<string, PolicyParties>();
  const headById = new Map<string, { fileName: string; sha256: string }>();
  const bytesBySha = new Map<string, Buffer>();
  const reprint = createScheduleReprints(printer, templates);

  async function visibleParties(caller: Caller, policyId: string): Promise<PolicyParties> {
    let parties = partiesById.get(policyId);
    if (!parties) {
      const policy = await loadVisiblePolicy(caller, policyId); // 404 for others
      const { policyNumber, brokerOrganisationId, insurerOrganisationId, enterpriseOrganisationId, poolMemberIds } = policy;
      parties = { policyNumber, brokerOrganisationId, insurerOrganisationId, enterpriseOrganisationId, poolMemberIds };
      remember(partiesById, policyId, parties, 10_000);
    } else if (!isVisibleTo(caller, parties)) {
      throw notFound('The policy'); // visibility first, the same rule and answer as loadVisiblePolicy
    }
    return parties;
  }

  /** A stored schedule by _id, remembered (head by id, bytes by sha256); undefined when none is stored. */
  async function readStoredSchedule(id: string): Promise<StoredSchedule | undefined> {
    const full = await PolicyDocumentModel.findById(id, { bytes: 1, sha256: 1, fileName: 1 }).lean();
    if (!full) return undefined;
    const stored = { fileName: full.fileName, sha256: full.sha256, bytes: toBuffer(full.bytes) };
    remember(bytesBySha, stored.sha256, stored.bytes, 64);
    remember(headById, id, { fileName: stored.fileName, sha256: stored.sha256 }, 10_000);
    return stored;
  }

  async function policyPdf(caller: Caller, policyId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile> {
    const parties = await visibleParties(caller, policyId);
    // Endorsed: the schedule of the current terms with the endorsement list (schedule-reprint.ts);
    // the schedule stored at issue stays as issued.
    const history = await endorsementsOf(policyId);
    if (history.length > 0) return reprint(caller, await loadVisiblePolicy(caller, policyId), history, lang, ifNoneMatch);
    const asciiFileName = asciiFileNameOf('policy', parties.policyNumber, lang);
    const id = policyDocumentId(policyId, lang);
    const head = headById.get(id);
    if (head && matchesEtag(ifNoneMatch, `"${head.sha256}"`)) return { fileName: head.fileName, asciiFileName, etag: `"${head.sha256}"`, bytes: undefined };
    const cachedBytes = head && bytesBySha.get(head.sha256);
    const stored = (head && cachedBytes ? { ...head, bytes: cachedBytes } : await readStoredSchedule(id)) ?? (await renderAndStore(printer, templates, policyId, lang));
    const etag = `"${stored.sha256}"`;
    return { fileName: stored.fileName, asciiFileName, etag, bytes: matchesEtag(ifNoneMatch, etag) ? undefined : stored.bytes };
  }

  async function storeAll(policyId: string): Promise<void> {
    await Promise.all(
      DOCUMENT_LANGS.map(async (lang) => {
        try {
          await renderAndStore(printer, templates, policyId, lang);
        } catch (err) {
          // The policy is issued regardless; the first download renders and stores it instead.
          logger?.warn({ policyId, lang, err: (err as Error).message }, 'documents: policy schedule not stored after bind');
        }
      }),
    );
  }

  return { policyPdf, storeAll };
}

function remember<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  if (map.size >= limit) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** Renders one language of a policy schedule and stores it unless another writer was first. */
async function renderAndStore(printer: DocumentPrinter, templates: DocumentTemplates, policyId: string, lang: DocumentLang): Promise<StoredSchedule> {
  const policy = await loadVisiblePolicy(SYSTEM_CALLER, policyId);
  // The quote it was bound from carries the underwriter's decision (核保意见, 特别约定).
  const quote = await loadVisibleQuote(SYSTEM_CALLER, policy.quoteId);
  const source = await loadDocumentSource('policy', policy, {
    status: 'bound',
    quoteDate: '',
    validUntil: '',
    policyNumber: policy.policyNumber,
    issuedOn: chinaDate(policy.issuedAt),
    issued: { at: policy.issuedAt, by: policy.boundBy?.userName },
    underwriting: underwritingFactsOf(quote.underwriting, policy.result),
  });
  const view = templates.view(source, lang);
  const html = templates.renderHtml(view);
  const [bytes, rendererVersion] = await Promise.all([printer.print(html, view.pdfTitle, policy.issuedAt), printer.rendererVersion()]);
  const record = {
    _id: policyDocumentId(policyId, lang),
    policyId,
    lang,
    fileName: fileNameOf('policy', policy.policyNumber, view.t),
    sha256: sha256(bytes),
    size: bytes.length,
    bytes,
    renderedAt: new Date(),
    templateVersion: templates.version,
    rendererVersion,
  };
  try {
    await PolicyDocumentModel.create(record);
    return record;
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    // Someone stored it first: what is stored is what is served.
    const stored = await PolicyDocumentModel.findById(record._id).lean();
    if (!stored) throw err;
    return { fileName: stored.fileName, sha256: stored.sha256, bytes: toBuffer(stored.bytes) };
  }
}

function toBuffer(bytes: unknown): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  // lean() gives BSON Binary for Buffer paths
  const b = bytes as { buffer: Uint8Array; length?: number; position?: number };
  if (b && b.buffer instanceof Uint8Array) return Buffer.from(b.buffer.buffer, b.buffer.byteOffset, b.position ?? b.buffer.byteLength);
  throw new Error('stored PDF bytes have an unexpected type');
}
