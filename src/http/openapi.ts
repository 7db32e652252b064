import { errorResponseSchema } from './error-middleware.ts';
import type { HeaderSpec, ResponseSpec, RouteDefinition } from './route.ts';
import { registeredSchemas, SCHEMA_ID_PREFIX, type JsonSchema } from './schema-registry.ts';

const componentName = (id: string) => id.slice(SCHEMA_ID_PREFIX.length).replace(/\.json$/, '').replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * Rewrites a route schema for OpenAPI: named schemas (with a registered `$id`) become
 * `$ref`s to components, and `$ref`s by id point at the components too.
 */
function toOpenApiSchema(schema: unknown, top = true): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toOpenApiSchema(s, false));
  if (!schema || typeof schema !== 'object') return schema;
  const object = schema as JsonSchema;
  if (!top && typeof object.$id === 'string' && object.$id.startsWith(SCHEMA_ID_PREFIX)) {
    return { $ref: `#/components/schemas/${componentName(object.$id)}` };
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === '$id') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_ID_PREFIX)) {
      const [base, fragment] = value.split('#');
      out.$ref = `#/components/schemas/${componentName(base!)}${fragment ?? ''}`;
      continue;
    }
    // Keys of `properties` (and the like) are names, not keywords: rewrite their values only.
    out[key] = key === 'properties' || key === '$defs' ? mapValues(value, (v) => toOpenApiSchema(v, false)) : toOpenApiSchema(value, false);
  }
  return out;
}

function mapValues(value: unknown, f: (v: unknown) => unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, f(v)]));
}

function schemaRef(schema: unknown): unknown {
  const object = schema as JsonSchema | undefined;
  if (object && typeof object.$id === 'string' && object.$id.startsWith(SCHEMA_ID_PREFIX)) {
    return { $ref: `#/components/schemas/${componentName(object.$id)}` };
  }
  return toOpenApiSchema(schema);
}

const headerSpec = (spec: HeaderSpec) => (typeof spec === 'string' ? { description: spec, schema: { type: 'string' }, required: false } : { required: false, ...spec });

function parametersOf(route: RouteDefinition): unknown[] {
  const parameters: unknown[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    const properties = ((schema as JsonSchema | undefined)?.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set(((schema as JsonSchema | undefined)?.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      parameters.push({ name, in: where, required: where === 'path' || required.has(name), description: property.description, schema: toOpenApiSchema(property) });
    }
  }
  for (const [name, spec] of Object.entries(route.headers ?? {})) {
    const { description, schema, required } = headerSpec(spec);
    parameters.push({ name, in: 'header', required, description, schema: toOpenApiSchema(schema) });
  }
  return parameters;
}

const errorDescriptions: Record<number, string> = {
  400: 'Invalid input: the details name each field and rule. An unknown query parameter is invalid too.',
  401: 'No key, or a key that is not valid.',
  403: 'The key\'s role may not do this.',
  404: 'Not found, or not visible to the caller.',
  409: 'Conflicts with the resource\'s state.',
  413: 'The request body is larger than the service accepts.',
  415: 'The request body is not of the media type the route takes.',
  429: 'Too many requests for this key, or too many failed authentications from this client address: wait the Retry-After seconds.',
  500: 'Something went wrong on our side: the request id identifies it in the logs.',
  503: 'The database or a dependency is unavailable, or the request took too long: retry later.',
};

/** The error statuses a route can answer, from its shape (see docs/api.md "Every route declares"). */
function errorStatusesOf(route: RouteDefinition): number[] {
  const statuses = new Set<number>([400, 500, 503, ...(route.errors ?? [])]);
  if (route.access !== 'public') statuses.add(401).add(429);
  if (Array.isArray(route.access)) statuses.add(403);
  // A path id may name nothing the caller can see; a body may name a product or enterprise that does not exist.
  if (route.params || route.body || route.rawBody) statuses.add(404);
  if (route.method !== 'get') statuses.add(409);
  if (route.body || route.rawBody) statuses.add(413).add(415);
  return [...statuses].sort((a, b) => a - b);
}

const header = (description: string, schema: JsonSchema = { type: 'string' }) => ({ description, schema });
const requestIdHeader = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };
const rateLimitHeaders = { 'RateLimit-Limit': { $ref: '#/components/headers/RateLimit-Limit' }, 'RateLimit-Remaining': { $ref: '#/components/headers/RateLimit-Remaining' } };

const components = {
  headers: {
    'X-Request-Id': header('The request id (yours when you sent a valid X-Request-Id, otherwise a new UUID); error bodies repeat it.'),
    'RateLimit-Limit': header('Requests this key may make a minute.', { type: 'integer', minimum: 0 }),
    'RateLimit-Remaining': header('Requests left this minute.', { type: 'integer', minimum: 0 }),
    'Retry-After': header('Seconds to wait before retrying.', { type: 'integer', minimum: 0 }),
    Location: header('The URL of the resource made (or replayed).', { type: 'string', format: 'uri-reference' }),
    ETag: header('The version of the body: send it as If-None-Match to get 304 while it is current.'),
  },
};

function responseHeaders(route: RouteDefinition, extra: Record<string, string> | undefined): Record<string, unknown> {
  const headers: Record<string, unknown> = { ...requestIdHeader, ...(route.access === 'public' ? {} : rateLimitHeaders) };
  for (const [name, description] of Object.entries(extra ?? {})) {
    headers[name] = name in components.headers ? { $ref: `#/components/headers/${name}` } : header(description);
  }
  return headers;
}

function contentOf(spec: ResponseSpec, examples?: unknown): Record<string, unknown> | undefined {
  if (!spec.schema && !spec.contentType) return undefined;
  const content: Record<string, unknown> = {
    [spec.contentType ?? 'application/json']: { schema: spec.schema ? schemaRef(spec.schema) : { type: 'string', format: 'binary' }, ...(examples !== undefined ? { example: examples } : {}) },
  };
  for (const alternative of spec.alternatives ?? []) content[alternative.contentType] = { schema: alternative.schema ? schemaRef(alternative.schema) : { type: 'string', format: 'binary' } };
  return content;
}

function responsesOf(route: RouteDefinition): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  const add = (status: number, spec: ResponseSpec, example?: unknown) => {
    const content = contentOf(spec, example);
    responses[String(status)] = { description: spec.description, headers: responseHeaders(route, spec.headers), ...(content ? { content } : {}) };
  };
  // Every GET answer carries an ETag (Express's for JSON, the document's for PDFs) and honours If-None-Match.
  const isGet = route.method === 'get';
  add(route.success.status, isGet ? { ...route.success, headers: { ETag: '', ...route.success.headers } } : route.success, route.examples?.response);
  if (isGet) add(304, { description: 'Not modified: the If-None-Match ETag is still current (no body).', headers: { ETag: '' } });
  for (const [status, spec] of Object.entries(route.responses ?? {})) add(Number(status), spec);
  for (const status of errorStatusesOf(route)) {
    const extra = status === 429 || status === 503 ? { 'Retry-After': '' } : undefined;
    responses[String(status)] = { description: errorDescriptions[status] ?? 'An error.', headers: responseHeaders(route, extra), content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } };
  }
  return responses;
}

function requestBodyOf(route: RouteDefinition): unknown {
  if (route.rawBody) return { required: true, description: route.rawBody.description, content: { [route.rawBody.contentType]: { schema: { type: 'string' } } } };
  if (!route.body) return undefined;
  const example = route.examples?.request;
  return { required: !route.bodyOptional, content: { 'application/json': { schema: schemaRef(route.body), ...(example !== undefined ? { example } : {}) } } };
}

/** The document's top-level tags: every tag a route uses must be here, with a description. */
export const apiTags = [
  { name: 'Organisations and keys', description: 'Who is calling (/v1/me), organisations, and API keys.' },
  { name: 'Clients (brokers)', description: 'The enterprises a broker firm acts for: link them by credit code, find their ids.' },
  { name: 'Products (insurers)', description: 'Insurers\' products and versions: drafts, test vectors, publish, retire, diff, rate-change impact.' },
  { name: 'Catalogue', description: 'Products on sale: what a quote needs (form, cover, subsidies) and what each role may pick.' },
  { name: 'Pricing and quotes', description: 'Previews, quotes, the referral queue (approve, decline), comparisons and bulk pricing.' },
  { name: 'Policies', description: 'Binding quotes into policies, exactly once, and reading them.' },
  { name: 'Documents', description: 'Quotation and policy schedule PDFs, in Chinese or English.' },
  { name: 'Subsidy applications', description: 'Premium subsidy applications of a bound policy (PDF per programme, ZIP), their submission and withdrawal, and the enterprise\'s subsidy year.' },
  { name: 'Subsidy departments', description: 'The departments that run subsidy programmes (#27): the applications of their programmes from their regions, and their decision on each, made once.' },
  { name: 'Pools', description: 'Co-insurance pools: the business each member carries a share of, and its statement (共保结算清单) as JSON, CSV, XLSX or PDF.' },
  { name: 'Reports', description: 'Insurers\' half-yearly and yearly tech-insurance report (科技保险业务统计): per line and province, as JSON, XLSX or PDF.' },
  { name: 'Audit', description: 'Who did what: the audit trail of a product, version, quote or policy, with the visibility of the record.' },
];

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
}

/** The OpenAPI 3.1 document, built from the same route definitions that validate requests. */
export function buildOpenApiDocument(routes: readonly RouteDefinition[], info: ApiInfo): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const roles = route.access === 'public' ? 'anyone' : route.access === 'signed-in' ? 'any signed-in role' : route.access.join(', ');
    const requestBody = requestBodyOf(route);
    (paths[route.path] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      description: `Who may call: ${roles}.`,
      tags: route.tags,
      ...(route.access === 'public' ? { security: [] } : {}),
      parameters: parametersOf(route),
      ...(requestBody ? { requestBody } : {}),
      responses: responsesOf(route),
    };
  }
  const schemas: Record<string, unknown> = { ErrorResponse: toOpenApiSchema(errorResponseSchema) };
  for (const [id, schema] of registeredSchemas()) schemas[componentName(id)] = toOpenApiSchema(schema);
  const usedTags = new Set(routes.flatMap((r) => r.tags));
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      contact: { name: 'Tech insurance service maintainers', url: 'https://tech-insurance.example/support', email: 'api@tech-insurance.example' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/', description: 'This service.' }],
    security: [{ apiKey: [] }],
    tags: [...apiTags.filter((t) => usedTags.has(t.name)), ...[...usedTags].filter((name) => !apiTags.some((t) => t.name === name)).map((name) => ({ name, description: name }))],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer tik_…' } }, headers: components.headers, schemas },
    paths,
  };
}
