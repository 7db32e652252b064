import { errorResponseSchema } from './error-middleware.ts';
import type { RouteDefinition } from './route.ts';
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
      out.$ref = `#/components/schemas/${componentName(base!)}${fragment ? fragment.replace(/^\/\$defs\//, '/$defs/') : ''}`;
      continue;
    }
    out[key] = toOpenApiSchema(value, false);
  }
  return out;
}

function schemaRef(schema: unknown): unknown {
  const object = schema as JsonSchema | undefined;
  if (object && typeof object.$id === 'string' && object.$id.startsWith(SCHEMA_ID_PREFIX)) {
    return { $ref: `#/components/schemas/${componentName(object.$id)}` };
  }
  return toOpenApiSchema(schema);
}

function parametersOf(route: RouteDefinition): unknown[] {
  const parameters: unknown[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    const properties = ((schema as JsonSchema | undefined)?.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set(((schema as JsonSchema | undefined)?.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      parameters.push({ name, in: where, required: where === 'path' || required.has(name), description: property.description, schema: toOpenApiSchema(property) });
    }
  }
  for (const [name, description] of Object.entries(route.headers ?? {})) {
    parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
  }
  return parameters;
}

const errorStatuses: Record<string, string> = {
  '400': 'Invalid input: the details name each field and rule.',
  '401': 'No key, or a key that is not valid.',
  '403': 'The key\'s role may not do this.',
  '404': 'Not found, or not visible to the caller.',
  '409': 'Conflicts with the resource\'s state.',
  '429': 'Too many requests for this key.',
  '503': 'The database or a dependency is unavailable.',
};

/** The OpenAPI 3.1 document, built from the same route definitions that validate requests. */
export function buildOpenApiDocument(routes: readonly RouteDefinition[], info: { title: string; version: string; description: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {
      [String(route.success.status)]: {
        description: route.success.description,
        ...(route.success.schema || route.success.contentType
          ? { content: { [route.success.contentType ?? 'application/json']: { schema: route.success.schema ? schemaRef(route.success.schema) : { type: 'string', format: 'binary' } } } }
          : {}),
      },
    };
    for (const [status, description] of Object.entries(errorStatuses)) {
      if (route.access === 'public' && (status === '401' || status === '403')) continue;
      responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } };
    }
    const roles = route.access === 'public' ? 'anyone' : route.access === 'signed-in' ? 'any signed-in role' : route.access.join(', ');
    (paths[route.path] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      description: `Who may call: ${roles}.`,
      tags: route.tags,
      ...(route.access === 'public' ? { security: [] } : {}),
      parameters: parametersOf(route),
      ...(route.body ? { requestBody: { required: !route.bodyOptional, content: { 'application/json': { schema: schemaRef(route.body) } } } } : {}),
      responses,
    };
  }
  const schemas: Record<string, unknown> = { ErrorResponse: toOpenApiSchema(errorResponseSchema) };
  for (const [id, schema] of registeredSchemas()) schemas[componentName(id)] = toOpenApiSchema(schema);
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer tik_…' } }, schemas },
    paths,
  };
}
