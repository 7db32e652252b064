import { insurerStaff } from '../auth/access-rules.ts';
import { versionParams } from '../catalogue/catalogue-schemas.ts';
import { contentDisposition } from '../http/content-disposition.ts';
import { defineRoute, RawReply, type RouteDefinition } from '../http/route.ts';
import type { Services } from '../service.ts';
import type { PdfFile } from './document-service.ts';
import { documentIdParams, documentQuerySchema, endorsementParams, pdfHeaders } from './document-schemas.ts';

const tags = ['Documents'];
const pdfResponseHeaders = { ETag: '', 'Content-Disposition': 'attachment, with the document number as the file name (RFC 5987 UTF-8 name beside an ASCII one).', 'Cache-Control': 'private, no-cache.' };


function reply(file: PdfFile): RawReply {
  const headers = { ETag: file.etag, 'Cache-Control': 'private, no-cache', Vary: 'Authorization' };
  if (!file.bytes) return new RawReply('', 'application/pdf', headers, 304);
  return new RawReply(file.bytes, 'application/pdf', { ...headers, 'Content-Disposition': contentDisposition(file.fileName, file.asciiFileName) });
}

/** GET /v1/quotes/{id}/pdf and /v1/policies/{id}/pdf, answered by the documents service. */
export function documentRoutes({ documents }: Pick<Services, 'documents'>): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get', path: '/v1/quotes/{id}/pdf', operationId: 'getQuotePdf', summary: 'The quotation (报价单) as PDF, in Chinese or English', tags,
      access: 'signed-in',
      params: documentIdParams('Quote'),
      query: documentQuerySchema,
      headers: pdfHeaders,
      success: { status: 200, description: 'The quotation PDF (ETag, Content-Disposition with the quote number).', contentType: 'application/pdf', headers: pdfResponseHeaders },
      handler: async ({ caller, params, query, header }) => {
        const file = await documents.quotePdf(caller, params.id, query.lang ?? 'zh-CN', header('if-none-match'));
        return reply(file);
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/policies/{id}/pdf', operationId: 'getPolicyPdf', summary: 'The policy schedule (保单明细表) as PDF, stored at issue and served byte-identically; after an endorsement, reprinted on the current terms with the endorsement list', tags,
      access: 'signed-in',
      params: documentIdParams('Policy'),
      query: documentQuerySchema,
      headers: pdfHeaders,
      success: { status: 200, description: 'The stored policy schedule PDF (ETag = its sha256).', contentType: 'application/pdf', headers: pdfResponseHeaders },
      handler: async ({ caller, params, query, header }) => {
        const file = await documents.policyPdf(caller, params.id, query.lang ?? 'zh-CN', header('if-none-match'));
        return reply(file);
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/policies/{id}/endorsements/{n}/pdf', operationId: 'getEndorsementPdf', summary: 'An endorsement (批单) of a policy as PDF, in Chinese or English', tags,
      access: 'signed-in',
      params: endorsementParams,
      query: documentQuerySchema,
      headers: pdfHeaders,
      success: { status: 200, description: 'The 批单 PDF: what changed, the premium before and after, the difference (gross, net, VAT), members\' parts, subsidy layers before and after (ETag = its sha256).', contentType: 'application/pdf', headers: pdfResponseHeaders },
      handler: async ({ caller, params, query, header }) => reply(await documents.endorsementPdf(caller, params.id, Number(params.n), query.lang ?? 'zh-CN', header('if-none-match'))),
    }),
    defineRoute({
      method: 'get', path: '/v1/policies/{id}/cancellation/pdf', operationId: 'getCancellationPdf', summary: 'The cancellation endorsement (退保批单) of a policy as PDF, in Chinese or English', tags,
      access: 'signed-in',
      params: documentIdParams('Policy'),
      query: documentQuerySchema,
      headers: pdfHeaders,
      success: { status: 200, description: 'The 退保批单 PDF: the status before and after, how the premium kept was worked, the premium due, kept and received, the refund (gross, net, VAT), members\' parts, subsidy layers before and after and the subsidy to repay (ETag = its sha256). 404 when the policy is not cancelled.', contentType: 'application/pdf', headers: pdfResponseHeaders },
      handler: async ({ caller, params, query, header }) => reply(await documents.cancellationPdf(caller, params.id, query.lang ?? 'zh-CN', header('if-none-match'))),
    }),
    defineRoute({
      method: 'get', path: '/v1/products/{code}/versions/{version}/filing.pdf', operationId: 'getFilingPdf', summary: 'The filing document (费率表) of a version as PDF, in Chinese: base rates, every rating table with its bands and filed ranges, the short-period scale, the underwriting rules', tags,
      access: insurerStaff,
      params: versionParams,
      success: { status: 200, description: 'The filing PDF (Content-Disposition with the product code and version).', contentType: 'application/pdf' },
      handler: async ({ caller, params }) => reply(await documents.filingPdf(caller, params.code, params.version)),
    }),
  ];
}
