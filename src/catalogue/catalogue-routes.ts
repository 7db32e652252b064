import { insurerAdmins, insurerStaff } from '../auth/access-rules.ts';
import { quotingRoleOf } from '../auth/caller.ts';
import { langSchema, pageOf, pageQuery } from '../http/common-schemas.ts';
import type { Services } from '../service.ts';
import { defineRoute, JsonReply } from '../http/route.ts';
import { chinaDate, TECH_INSURANCE_LINES } from '../rating/index.ts';
import {
  catalogueEntrySchema, catalogueListSchema, definitionDiffSchema, newProductSchema, newVectorFromQuoteSchema, newVersionSchema, productCodeParams, productListSchema,
  productVersionListSchema, productVersionSchema, publishVersionSchema, vectorFromQuoteSchema, vectorRunSchema, versionApprovalSchema, versionParams,
} from './catalogue-schemas.ts';

const adminTags = ['Products (insurers)'];
const catalogueTags = ['Catalogue'];

const langQuery = { ...langSchema, description: 'Language of the title field.' } as const;
const dateQuery = { type: 'string', format: 'date', description: 'Date the versions must be in force (default today, China time).' } as const;

export const catalogueRoutes = ({ catalogue, quotes }: Pick<Services, 'catalogue' | 'quotes'>) => [
  defineRoute({
    method: 'get', path: '/v1/products', operationId: 'listProducts', summary: 'Your organisation\'s products', tags: adminTags,
    access: insurerStaff,
    query: pageQuery({}),
    success: { status: 200, description: 'A page of products, by code.', schema: productListSchema },
    handler: async ({ caller, query }) => pageOf(await catalogue.listProducts(caller), query),
  }),
  defineRoute({
    method: 'post', path: '/v1/products', operationId: 'createProduct', summary: 'Create a product with its first draft version', tags: adminTags,
    access: insurerAdmins,
    body: newProductSchema,
    success: { status: 201, description: 'The draft version.', schema: productVersionSchema },
    handler: ({ caller, body }) => catalogue.createProduct(caller, body.definition),
  }),
  defineRoute({
    method: 'get', path: '/v1/products/{code}/versions', operationId: 'listProductVersions', summary: 'Versions of a product', tags: adminTags,
    access: insurerStaff,
    params: productCodeParams,
    query: pageQuery({}),
    success: { status: 200, description: 'A page of versions, newest first.', schema: productVersionListSchema },
    handler: async ({ caller, params, query }) => pageOf((await catalogue.listVersions(caller, params.code)).versions, query),
  }),
  defineRoute({
    method: 'post', path: '/v1/products/{code}/versions', operationId: 'createProductVersion', summary: 'New draft: from a full definition or by cloning a version', tags: adminTags,
    access: insurerAdmins,
    params: productCodeParams,
    body: newVersionSchema,
    success: { status: 201, description: 'The draft version.', schema: productVersionSchema },
    handler: ({ caller, params, body }) => catalogue.createVersion(caller, params.code, body),
  }),
  defineRoute({
    method: 'get', path: '/v1/products/{code}/versions/{version}', operationId: 'getProductVersion', summary: 'One version with its definition', tags: adminTags,
    access: insurerStaff,
    params: versionParams,
    success: { status: 200, description: 'The version.', schema: productVersionSchema },
    handler: ({ caller, params }) => catalogue.getVersion(caller, params.code, params.version),
  }),
  defineRoute({
    method: 'put', path: '/v1/products/{code}/versions/{version}', operationId: 'updateProductDraft', summary: 'Edit a draft (published versions never change: 409)', tags: adminTags,
    access: insurerAdmins,
    params: versionParams,
    body: newProductSchema,
    success: { status: 200, description: 'The edited draft.', schema: productVersionSchema },
    handler: ({ caller, params, body }) => catalogue.updateDraft(caller, params.code, params.version, body.definition),
  }),
  defineRoute({
    method: 'post', path: '/v1/products/{code}/versions/{version}/test', operationId: 'testProductVersion', summary: 'Run the version\'s test vectors', tags: adminTags,
    access: insurerStaff,
    params: versionParams,
    success: { status: 200, description: 'Vector results.', schema: vectorRunSchema },
    handler: ({ caller, params }) => catalogue.testVersion(caller, params.code, params.version),
  }),
  defineRoute({
    method: 'post', path: '/v1/products/{code}/versions/{version}/vectors-from-quote', operationId: 'addVectorFromQuote', summary: 'Keep a stored quote as a test vector of a draft (expected = what the draft gives)', tags: adminTags,
    access: insurerAdmins,
    params: versionParams,
    body: newVectorFromQuoteSchema,
    success: { status: 201, description: 'The vector, stored in the draft, beside what the quote got on its own version.', schema: vectorFromQuoteSchema },
    handler: async ({ caller, params, body }) => new JsonReply(await quotes.addVectorFromQuote(caller, params.code, params.version, body), 201),
  }),
  defineRoute({
    method: 'post', path: '/v1/products/{code}/versions/{version}/submit', operationId: 'submitProductVersion', summary: 'Submit a draft for approval (four-eyes publishing): another admin of the insurer publishes it; refused if it does not compile or a vector fails (400)', tags: adminTags,
    access: insurerAdmins,
    params: versionParams,
    success: { status: 200, description: 'The draft\'s approval state, submitted.', schema: versionApprovalSchema },
    handler: ({ caller, params }) => catalogue.submitVersion(caller, params.code, params.version),
  }),
  defineRoute({
    method: 'get', path: '/v1/products/{code}/versions/{version}/approval', operationId: 'getProductVersionApproval', summary: 'Where a version stands under four-eyes publishing: submitted by whom, and whether you may publish it', tags: adminTags,
    access: insurerStaff,
    params: versionParams,
    success: { status: 200, description: 'The approval state.', schema: versionApprovalSchema },
    handler: ({ caller, params }) => catalogue.approvalOf(caller, params.code, params.version),
  }),
  defineRoute({
    method: 'post', path: '/v1/products/{code}/versions/{version}/publish', operationId: 'publishProductVersion', summary: 'Publish a draft (optionally from a chosen effectiveFrom): in force from its effectiveFrom, or scheduled when that is later than the version in force as its second admin (four-eyes: 409 unless submitted by another admin of the insurer and unchanged since; refused if it does not compile, a vector fails or the dates clash)', tags: adminTags,
    access: insurerAdmins,
    params: versionParams,
    body: publishVersionSchema,
    bodyOptional: true,
    success: { status: 200, description: 'The published version.', schema: productVersionSchema },
    handler: ({ caller, params, body }) => catalogue.publishApproved(caller, params.code, params.version, body.effectiveFrom),
  }),
  defineRoute({
    method: 'post', path: '/v1/products/{code}/versions/{version}/retire', operationId: 'retireProductVersion', summary: 'Retire a published version', tags: adminTags,
    access: insurerAdmins,
    params: versionParams,
    success: { status: 200, description: 'The retired version.', schema: productVersionSchema },
    handler: ({ caller, params }) => catalogue.retireVersion(caller, params.code, params.version),
  }),
  defineRoute({
    method: 'post', path: '/v1/products/{code}/versions/{version}/withdraw', operationId: 'withdrawProductVersion', summary: 'Withdraw a scheduled version before its effective date (it becomes withdrawn)', tags: adminTags,
    access: insurerAdmins,
    params: versionParams,
    success: { status: 200, description: 'The withdrawn version.', schema: productVersionSchema },
    handler: ({ caller, params }) => catalogue.withdrawVersion(caller, params.code, params.version),
  }),
  defineRoute({
    method: 'get', path: '/v1/products/{code}/diff', operationId: 'diffProductVersions', summary: 'What changed between two versions', tags: adminTags,
    access: insurerStaff,
    params: productCodeParams,
    query: { type: 'object', required: ['from', 'to'], additionalProperties: false, properties: { from: { type: 'string', maxLength: 40, description: 'Older version.' }, to: { type: 'string', maxLength: 40, description: 'Newer version.' } } } as const,
    success: { status: 200, description: 'Changes.', schema: definitionDiffSchema },
    handler: ({ caller, params, query }) => catalogue.diffVersions(caller, params.code, query.from, query.to),
  }),
  defineRoute({
    method: 'get', path: '/v1/catalogue', operationId: 'listCatalogue', summary: 'Products on sale: the version of each in force today, and the one scheduled after it', tags: catalogueTags,
    access: 'signed-in',
    query: pageQuery({ line: { type: 'string', enum: TECH_INSURANCE_LINES, description: 'Only this line.' }, insurer: { type: 'string', maxLength: 32, description: 'Only this insurer code.' }, lang: langQuery, date: dateQuery }),
    success: { status: 200, description: 'A page of the catalogue, by product code.', schema: catalogueListSchema },
    handler: async ({ query }) => pageOf(await catalogue.listCatalogue({ ...(query.line ? { line: query.line } : {}), ...(query.insurer ? { insurer: query.insurer } : {}), date: query.date ?? chinaDate(new Date()), lang: query.lang ?? 'zh-CN' }), query),
  }),
  defineRoute({
    method: 'get', path: '/v1/catalogue/{code}', operationId: 'getCatalogueEntry', summary: 'A product on sale: cover, form, limits, deductibles, subsidies, and the version scheduled after it', tags: catalogueTags,
    access: 'signed-in',
    params: productCodeParams,
    query: { type: 'object', additionalProperties: false, properties: { lang: langQuery, date: dateQuery } } as const,
    success: { status: 200, description: 'The entry.', schema: catalogueEntrySchema },
    handler: ({ caller, params, query }) => catalogue.getCatalogueEntry(params.code, query.date ?? chinaDate(new Date()), query.lang ?? 'zh-CN', quotingRoleOf(caller)),
  }),
];
