// The schema meta-test: every schema the service registers, and every schema a route declares,
// follows the house rules. A named schema (a component) has an `$id` and a description; request
// bodies and JSON answers are components; every property, parameter included, is described; and
// every `$ref` of the OpenAPI document finds its component.
import { expect } from 'chai';
import { allRoutes, registerAllSchemas } from '../../src/app.ts';
import { buildOpenApiDocument } from '../../src/http/openapi.ts';
import { registeredSchemas, SCHEMA_ID_PREFIX, type JsonSchema } from '../../src/http/schema-registry.ts';

/** Paths of the properties (anywhere inside `schema`) that have neither a description nor a `$ref`. */
function propertiesWithoutDescription(schema: unknown, path: string, out: string[] = []): string[] {
  if (Array.isArray(schema)) schema.forEach((s, i) => propertiesWithoutDescription(s, `${path}/${i}`, out));
  else if (schema && typeof schema === 'object') {
    const record = schema as JsonSchema;
    const props = record.properties as Record<string, JsonSchema> | undefined;
    if (props) for (const [k, v] of Object.entries(props)) if (typeof v.description !== 'string' && v.$ref === undefined) out.push(`${path}/properties/${k}`);
    for (const [k, v] of Object.entries(record)) propertiesWithoutDescription(v, `${path}/${k}`, out);
  }
  return out;
}

/** Every named schema inside `schema`, itself included. */
function namedInside(schema: unknown, out: JsonSchema[] = []): JsonSchema[] {
  if (Array.isArray(schema)) schema.forEach((s) => namedInside(s, out));
  else if (schema && typeof schema === 'object') {
    const record = schema as JsonSchema;
    if (typeof record.$id === 'string') out.push(record);
    for (const value of Object.values(record)) namedInside(value, out);
  }
  return out;
}

function refsInside(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsInside(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsInside(v, out);
    }
  }
  return out;
}

describe('schema rules (every registered and every route schema)', () => {
  registerAllSchemas();
  const routes = allRoutes();
  const registered = new Map(registeredSchemas());

  it('registers the named schemas of every capability', () => {
    expect(registered.size).to.be.greaterThan(20);
  });

  for (const [id, schema] of registered) {
    it(`${id.replace(SCHEMA_ID_PREFIX, '')}: an $id, a description, and a description on every property`, () => {
      expect(schema.$id).to.equal(id);
      expect(id.startsWith(SCHEMA_ID_PREFIX), `${id} starts with ${SCHEMA_ID_PREFIX}`).to.equal(true);
      expect(schema.description, `${id} description`).to.be.a('string').and.not.empty;
      expect(propertiesWithoutDescription(schema, id)).to.deep.equal([]);
    });
  }

  for (const route of routes) {
    it(`${route.operationId}: named body and answer, described parameters and properties`, () => {
      const schemas: [string, unknown][] = [['params', route.params], ['query', route.query], ['body', route.body], ['success', route.success.schema]];
      for (const [where, schema] of schemas) {
        if (schema === undefined) continue;
        expect(propertiesWithoutDescription(schema, `${route.operationId}.${where}`)).to.deep.equal([]);
        // Every named schema a route uses is registered up front (the same object), so /openapi.json lists it.
        for (const named of namedInside(schema)) expect(registered.get(named.$id as string) === named, `${route.operationId}.${where} uses ${String(named.$id)}, registered`).to.equal(true);
      }
      if (route.body !== undefined) expect((route.body as JsonSchema).$id, `${route.operationId} body is a component`).to.be.a('string');
      if (route.success.schema !== undefined) expect((route.success.schema as JsonSchema).$id, `${route.operationId} answer is a component`).to.be.a('string');
    });
  }

  it('every $ref of the OpenAPI document names a component', () => {
    const document = buildOpenApiDocument(routes, { title: 't', version: '0', description: 'd' });
    const missing = refsInside(document).filter((ref) => {
      if (!/^#\/components\/(schemas|headers)\//.test(ref)) return true;
      let target: unknown = document;
      for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown> | undefined)?.[part];
      return target === undefined;
    });
    expect(missing).to.deep.equal([]);
  });
});
