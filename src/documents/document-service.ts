// Quotation and policy-schedule PDFs: loads a quote or policy the caller may see, builds the view
// in the asked language, renders HTML (templates compiled once) and the PDF (pooled Chromium).
//
// Quotes render on demand behind a per-process cache keyed by sha256(renderer version, PDF date,
// HTML); the HTML is a pure function of the template set and the data, so the key changes
// whenever anything printed changes and doubles as a strong ETag. Policy schedules are rendered
// once (at bind, or on the first download if that failed), stored immutably with their sha256
// and always served from the database. See docs/documents.md.
import { createHash } from 'node:crypto';
import { getOrganisation, findOrganisationByCode } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { findPinnedVersion } from '../catalogue/catalogue-service.ts';
import { AppError, notFound, unavailable } from '../http/app-error.ts';
import { isVisibleTo } from '../auth/visibility.ts';
import { loadVisiblePolicy } from '../policies/policy-service.ts';
import { loadVisibleQuote } from '../quotes/quote-service.ts';
import { chinaDate, type RatingResult } from '../rating/index.ts';
import { PolicyDocumentModel, policyDocumentId } from './document-model.ts';
import type { DocumentTemplates } from './document-templates.ts';
import { DOCUMENT_LANGS, type DocumentLang, type DocumentSource, type OrganisationFacts } from './document-view.ts';
import { PdfRenderError, type PdfRenderer, type RendererLogger } from './pdf-renderer.ts';

export interface PdfFile {
  fileName: string;
  /** ASCII file name for the plain `filename=` of Content-Disposition. */
  asciiFileName: string;
  /** Quoted strong ETag: the sha256 of the stored bytes (policies) or of the render inputs (quotes). */
  etag: string;
  /** Absent when the caller's If-None-Match already names this ETag (answer 304). */
  bytes: Buffer | undefined;
}

export interface DocumentService {
  /** The quotation of a quote the caller may see (404 otherwise), rendered on demand and cached. */
  quotePdf(caller: Caller, quoteId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile>;
  /** The stored schedule of a policy the caller may see (404 otherwise), byte-identical on every download. */
  policyPdf(caller: Caller, policyId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile>;
  /** Renders and stores every language of a policy's schedule; logs and swallows failures. */
  storePolicySchedules(policyId: string): Promise<void>;
  /**
   * Renders another capability's HTML (from its own template) on the same renderer, with the same
   * deadline and error answer (503 on a render failure); `metadataDate` fixes the PDF's dates.
   */
  renderHtmlPdf(html: string, title: string, metadataDate: Date): Promise<Buffer>;
  /** Stops reacting to issued policies (the renderer is closed by its owner). */
  close(): void;
}

export interface DocumentServiceOptions {
  renderer: PdfRenderer;
  templates: DocumentTemplates;
  logger?: RendererLogger & { error?(obj: object, msg?: string): void };
  /** Rendered quotations kept per process (default 256). */
  quoteCacheEntries?: number;
  /** Deadline of one render (default 15 s). */
  renderTimeoutMs?: number;
}

/** The documents capability sees policies as the platform does, for rendering at bind only. */
const SYSTEM_CALLER: Caller = { keyId: 'system:documents', userName: 'documents', role: 'platform-admin', organisationId: '', organisationKind: 'platform', organisationCode: 'PLATFORM' };

interface PolicyParties {
  policyNumber: string;
  brokerOrganisationId: string;
  insurerOrganisationId: string;
  enterpriseOrganisationId: string;
  poolMemberIds?: readonly string[] | null;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** True when an If-None-Match header names the ETag (or is `*`). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^"|"$/g, '');
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return t === '*' || t === bare;
  });
}

/** 报价单-Q….pdf, quotation-Q….pdf, 保单明细表-P….pdf, policy-schedule-P….pdf */
function fileNameOf(kind: 'quote' | 'policy', number: string, labels: Record<string, string>): string {
  return `${kind === 'quote' ? labels.fileQuote : labels.filePolicy}-${number}.pdf`;
}

function asciiFileNameOf(kind: 'quote' | 'policy', number: string, lang: DocumentLang): string {
  return `${kind === 'quote' ? 'quotation' : 'policy-schedule'}-${number}${lang === 'en' ? '' : '-zh'}.pdf`;
}

function toFacts(org: { name: string; nameEn?: string; unifiedSocialCreditCode?: string } | null | undefined): OrganisationFacts | undefined {
  return org ? { name: org.name, nameEn: org.nameEn, unifiedSocialCreditCode: org.unifiedSocialCreditCode } : undefined;
}

async function loadOrganisation(id: string): Promise<OrganisationFacts | undefined> {
  try {
    return toFacts(await getOrganisation(null, id));
  } catch (err) {
    if (err instanceof AppError && err.kind === 'not_found') return undefined;
    throw err;
  }
}

async function loadInsurers(result: RatingResult): Promise<Record<string, OrganisationFacts>> {
  const codes = [...new Set([result.insurer, ...(result.coInsurance ?? []).map((s) => s.insurer)])];
  const found = await Promise.all(codes.map(async (code) => [code, toFacts(await findOrganisationByCode(code))] as const));
  return Object.fromEntries(found.filter(([, facts]) => facts !== undefined)) as Record<string, OrganisationFacts>;
}

interface QuoteLike {
  quoteNumber: string;
  productCode: string;
  productVersion: string;
  startDate: string;
  endDate: string;
  inputs: unknown;
  result: unknown;
  enterpriseName: string;
  enterpriseOrganisationId: string;
  brokerOrganisationId: string;
}

async function loadSource(kind: 'quote' | 'policy', doc: QuoteLike, extra: Pick<DocumentSource, 'status' | 'quoteDate' | 'validUntil'> & { policyNumber?: string; issuedOn?: string }): Promise<DocumentSource> {
  const result = doc.result as RatingResult;
  const [version, enterprise, broker, insurers] = await Promise.all([
    findPinnedVersion(doc.productCode, doc.productVersion),
    loadOrganisation(doc.enterpriseOrganisationId),
    loadOrganisation(doc.brokerOrganisationId),
    loadInsurers(result),
  ]);
  return {
    kind,
    quoteNumber: doc.quoteNumber,
    ...extra,
    startDate: doc.startDate,
    endDate: doc.endDate,
    productVersion: doc.productVersion,
    definition: version.definition,
    inputs: (doc.inputs ?? {}) as Record<string, unknown>,
    result,
    enterpriseName: doc.enterpriseName,
    enterprise,
    broker,
    insurers,
  };
}

/** Wires the documents capability: a renderer pool, compiled templates, the bind hook. */
export function createDocumentService(options: DocumentServiceOptions): DocumentService {
  const { renderer, templates, logger } = options;
  const maxEntries = options.quoteCacheEntries ?? 256;
  const timeoutMs = options.renderTimeoutMs ?? 15_000;
  const quoteCache = new Map<string, Buffer>();
  const inFlight = new Map<string, Promise<Buffer>>();
  let closed = false;

  async function render(html: string, title: string, metadataDate: Date): Promise<Buffer> {
    try {
      return await renderer.renderPdf(html, { title, metadataDate, timeoutMs });
    } catch (err) {
      if (err instanceof PdfRenderError) {
        logger?.warn({ code: err.code, err: err.message }, 'documents: PDF render failed');
        throw unavailable(`The PDF could not be rendered just now (${err.code}); please try again.`);
      }
      throw err;
    }
  }

  async function rendererVersion(): Promise<string> {
    try {
      return await renderer.browserVersion();
    } catch (err) {
      if (err instanceof PdfRenderError) throw unavailable(`The PDF renderer is not available (${err.code}); please try again.`);
      throw err;
    }
  }

  async function quotePdf(caller: Caller, quoteId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile> {
    const doc = await loadVisibleQuote(caller, quoteId);
    const source = await loadSource('quote', doc, { status: doc.status, quoteDate: doc.quoteDate, validUntil: doc.validUntil });
    const view = templates.view(source, lang);
    const html = templates.renderHtml(view);
    const metadataDate = doc.get('createdAt') as Date;
    const key = sha256(`${await rendererVersion()}\0${metadataDate.toISOString()}\0${view.pdfTitle}\0${html}`);
    const etag = `"${key}"`;
    const fileName = fileNameOf('quote', doc.quoteNumber, view.t);
    const asciiFileName = asciiFileNameOf('quote', doc.quoteNumber, lang);
    if (matchesEtag(ifNoneMatch, etag)) return { fileName, asciiFileName, etag, bytes: undefined };

    let bytes = quoteCache.get(key);
    if (bytes) {
      quoteCache.delete(key); // refresh its place in the LRU order
      quoteCache.set(key, bytes);
    } else {
      let pending = inFlight.get(key);
      if (!pending) {
        pending = render(html, view.pdfTitle, metadataDate).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      bytes = await pending;
      quoteCache.set(key, bytes);
      while (quoteCache.size > maxEntries) quoteCache.delete(quoteCache.keys().next().value!);
    }
    return { fileName, asciiFileName, etag, bytes };
  }

  type StoredSchedule = { fileName: string; sha256: string; bytes: Buffer };

  /** Renders one language of a policy schedule and stores it unless another writer was first. */
  async function renderAndStore(policyId: string, lang: DocumentLang): Promise<StoredSchedule> {
    const policy = await loadVisiblePolicy(SYSTEM_CALLER, policyId);
    const source = await loadSource('policy', policy, {
      status: 'bound',
      quoteDate: '',
      validUntil: '',
      policyNumber: policy.policyNumber,
      issuedOn: chinaDate(policy.issuedAt),
    });
    const view = templates.view(source, lang);
    const html = templates.renderHtml(view);
    const [bytes, rendererVer] = await Promise.all([render(html, view.pdfTitle, policy.issuedAt), rendererVersion()]);
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
      rendererVersion: rendererVer,
    };
    try {
      await PolicyDocumentModel.create(record);
      return record;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      // Someone stored it first: what is stored is what is served.
      const stored = await PolicyDocumentModel.findById(policyDocumentId(policyId, lang)).lean();
      if (!stored) throw err;
      return { fileName: stored.fileName, sha256: stored.sha256, bytes: toBuffer(stored.bytes) };
    }
  }

  // Stored schedules never change, so their bytes can be kept by content hash on any instance.
  const storedBytesBySha = new Map<string, Buffer>();
  function rememberStoredBytes(sha: string, bytes: Buffer): void {
    if (storedBytesBySha.size >= 64) storedBytesBySha.delete(storedBytesBySha.keys().next().value!);
    storedBytesBySha.set(sha, bytes);
  }

  // A policy's parties and number never change, nor does a stored schedule (its _id is
  // `<policyId>:<lang>`, written once): both are remembered per process by id, so a repeated
  // download reads nothing from the database (FerretDB 1.x reads a whole stored PDF even for a
  // projection of its hash). Bounded: the oldest entries go first.
  const policyPartiesById = new Map<string, PolicyParties>();
  const storedHeadById = new Map<string, { fileName: string; sha256: string }>();
  function remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= 10_000) map.delete(map.keys().next().value!);
    map.set(key, value);
  }

  /** A stored schedule by _id, remembered (head by id, bytes by sha256); undefined when none is stored. */
  async function readStoredSchedule(id: string): Promise<StoredSchedule | undefined> {
    const full = await PolicyDocumentModel.findById(id, { bytes: 1, sha256: 1, fileName: 1 }).lean();
    if (!full) return undefined;
    const stored = { fileName: full.fileName, sha256: full.sha256, bytes: toBuffer(full.bytes) };
    rememberStoredBytes(stored.sha256, stored.bytes);
    remember(storedHeadById, id, { fileName: stored.fileName, sha256: stored.sha256 });
    return stored;
  }

  async function policyPdf(caller: Caller, policyId: string, lang: DocumentLang, ifNoneMatch?: string): Promise<PdfFile> {
    let parties = policyPartiesById.get(policyId);
    if (!parties) {
      const policy = await loadVisiblePolicy(caller, policyId); // 404 for others
      parties = { policyNumber: policy.policyNumber, brokerOrganisationId: policy.brokerOrganisationId, insurerOrganisationId: policy.insurerOrganisationId, enterpriseOrganisationId: policy.enterpriseOrganisationId, poolMemberIds: policy.poolMemberIds ?? null };
      remember(policyPartiesById, policyId, parties);
    } else if (!isVisibleTo(caller, parties)) {
      throw notFound('The policy'); // visibility first, the same rule and answer as loadVisiblePolicy
    }
    const asciiFileName = asciiFileNameOf('policy', parties.policyNumber, lang);
    const id = policyDocumentId(policyId, lang);
    const head = storedHeadById.get(id);
    if (head && matchesEtag(ifNoneMatch, `"${head.sha256}"`)) return { fileName: head.fileName, asciiFileName, etag: `"${head.sha256}"`, bytes: undefined };
    const cachedBytes = head && storedBytesBySha.get(head.sha256);
    const stored = (head && cachedBytes ? { ...head, bytes: cachedBytes } : await readStoredSchedule(id)) ?? (await renderAndStore(policyId, lang));
    const etag = `"${stored.sha256}"`;
    return { fileName: stored.fileName, asciiFileName, etag, bytes: matchesEtag(ifNoneMatch, etag) ? undefined : stored.bytes };
  }

  async function storePolicySchedules(policyId: string): Promise<void> {
    if (closed) return;
    await Promise.all(
      DOCUMENT_LANGS.map(async (lang) => {
        try {
          await renderAndStore(policyId, lang);
        } catch (err) {
          // The policy is issued regardless; the first download renders and stores it instead.
          logger?.warn({ policyId, lang, err: (err as Error).message }, 'documents: policy schedule not stored at bind');
        }
      }),
    );
  }

  const service: DocumentService = {
    quotePdf,
    policyPdf,
    storePolicySchedules,
    renderHtmlPdf: render,
    close() {
      closed = true;
    },
  };
  return service;
}

function toBuffer(bytes: unknown): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  // lean() gives BSON Binary for Buffer paths
  const b = bytes as { buffer: Uint8Array; length?: number; position?: number };
  if (b && b.buffer instanceof Uint8Array) return Buffer.from(b.buffer.buffer, b.buffer.byteOffset, b.position ?? b.buffer.byteLength);
  throw new Error('stored PDF bytes have an unexpected type');
}

/** Stands in when an app is composed without a renderer (e.g. tools that only need the route list). */
export const documentsUnavailable: DocumentService = {
  quotePdf: () => Promise.reject(unavailable('PDF rendering is not configured in this process.')),
  policyPdf: () => Promise.reject(unavailable('PDF rendering is not configured in this process.')),
  storePolicySchedules: () => Promise.resolve(),
  renderHtmlPdf: () => Promise.reject(unavailable('PDF rendering is not configured in this process.')),
  close: () => undefined,
};
