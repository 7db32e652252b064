import { quoters, underwriters } from '../auth/access-rules.ts';
import { idempotencyKeyHeader, readIdempotencyKey } from '../http/idempotency.ts';
import { cursorPageQuery, objectIdParams } from '../http/common-schemas.ts';
import type { Services } from '../service.ts';
import { defineRoute, JsonReply } from '../http/route.ts';
import { approveSchema, declineSchema, pricingRequestSchema, quoteComparisonSchema, quoteListSchema, previewResultSchema, quoteRequestSchema, quoteSchema } from './quote-schemas.ts';

const tags = ['Pricing and quotes'];
const quoteIdParams = objectIdParams('Quote');

/** The quote routes over the quotes capability (which announces what they store). */
export const quoteRoutes = ({ quotes }: Pick<Services, 'quotes'>) => [
  defineRoute({
    method: 'post', path: '/v1/pricing/preview', operationId: 'previewPrice', summary: 'Price without storing: the full result with its worksheet', tags,
    access: 'signed-in',
    body: pricingRequestSchema,
    success: { status: 200, description: 'The priced, explained result, and the steps you may pick in.', schema: previewResultSchema },
    handler: ({ caller, body }) => quotes.previewPrice(caller, body),
  }),
  defineRoute({
    method: 'post', path: '/v1/quotes', operationId: 'createQuote', summary: 'Quote for an enterprise (broker); Idempotency-Key makes retries safe', tags,
    access: quoters,
    headers: { 'Idempotency-Key': idempotencyKeyHeader },
    body: quoteRequestSchema,
    success: { status: 201, description: 'The stored quote.', schema: quoteSchema, headers: { Location: '' } },
    responses: { 200: { description: 'An Idempotency-Key replayed an earlier quote: that quote (Idempotent-Replayed: true).', schema: quoteSchema, headers: { Location: '', 'Idempotent-Replayed': 'true on a replay.' } } },
    handler: async ({ caller, body, header }) => {
      const { quote, replayed } = await quotes.createQuote(caller, body, readIdempotencyKey(header));
      return new JsonReply(quote, replayed ? 200 : 201, { Location: `/v1/quotes/${quote.id}`, ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) });
    },
  }),
  defineRoute({
    method: 'get', path: '/v1/quotes', operationId: 'listQuotes', summary: 'Quotes you may see (filter by status for the referral queue)', tags,
    access: 'signed-in',
    query: cursorPageQuery({
      status: { type: 'string', enum: ['quoted', 'referred', 'declined', 'approved', 'bound'], description: 'Only this status (referred: the underwriting queue).' },
      productCode: { type: 'string', maxLength: 64, description: 'Only this product.' },
      enterpriseId: { type: 'string', pattern: '^[0-9a-f]{24}$', description: 'Only this enterprise.' },
    }),
    success: { status: 200, description: 'A page of quote summaries, newest first (`next`: the cursor of the page after; `total` only without filters). Open a quote by id for its inputs and worksheet.', schema: quoteListSchema },
    handler: ({ caller, query }) => quotes.listQuotes(caller, { ...query, limit: query.limit ?? 50, offset: query.offset ?? 0 }),
  }),
  defineRoute({
    method: 'get', path: '/v1/quotes/compare', operationId: 'compareQuotes', summary: 'Several quotes of one enterprise and product side by side', tags,
    access: 'signed-in',
    query: { type: 'object', required: ['ids'], additionalProperties: false, properties: { ids: { type: 'string', pattern: '^[0-9a-f]{24}(,[0-9a-f]{24}){1,9}$', description: '2 to 10 quote ids, comma-separated.' } } } as const,
    success: { status: 200, description: 'The comparison.', schema: quoteComparisonSchema },
    handler: ({ caller, query }) => quotes.compareQuotes(caller, query.ids.split(',')),
  }),
  defineRoute({
    method: 'get', path: '/v1/quotes/{id}', operationId: 'getQuote', summary: 'One quote; ?verify=true re-rates it on its pinned version', tags,
    access: 'signed-in',
    params: quoteIdParams,
    query: { type: 'object', additionalProperties: false, properties: { verify: { type: 'boolean', default: false, description: 'Re-rate and compare every amount to the fen.' } } } as const,
    success: { status: 200, description: 'The quote.', schema: quoteSchema },
    handler: async ({ caller, params, query }) => {
      const quote = await quotes.getQuote(caller, params.id);
      return query.verify ? { ...quote, verification: await quotes.verifyQuote(caller, params.id) } : quote;
    },
  }),
  defineRoute({
    method: 'post', path: '/v1/quotes/{id}/approve', operationId: 'approveQuote', summary: 'Approve a referred quote (underwriter), optionally with new picks', tags,
    access: underwriters,
    params: quoteIdParams,
    body: approveSchema,
    success: { status: 200, description: 'The approved, re-rated quote.', schema: quoteSchema },
    handler: ({ caller, params, body }) => quotes.approveQuote(caller, params.id, body),
  }),
  defineRoute({
    method: 'post', path: '/v1/quotes/{id}/decline', operationId: 'declineQuote', summary: 'Decline a referred quote (underwriter) with a reason', tags,
    access: underwriters,
    params: quoteIdParams,
    body: declineSchema,
    success: { status: 200, description: 'The declined quote.', schema: quoteSchema },
    handler: ({ caller, params, body }) => quotes.declineQuote(caller, params.id, body.reason),
  }),
];
