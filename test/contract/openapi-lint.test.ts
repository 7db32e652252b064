import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { allRoutes, buildApiDocument } from '../../src/app.ts';
import { apiTags } from '../../src/http/openapi.ts';
import { checkAgainstSchema, type JsonSchema } from '../../src/http/schema-registry.ts';
import { openObjectSchemas } from './openapi-checks.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

/** The main operations: each has an example of its request body (if any) and of its answer. */
const MAIN_OPERATIONS = ['listCatalogue', 'getCatalogueEntry', 'previewPrice', 'createQuote', 'approveQuote', 'declineQuote', 'bindQuote', 'getPolicy', 'compareQuotes', 'recordPolicyPayment', 'listPolicyPayments', 'getTechInsuranceReport', 'previewCancellation', 'cancelPolicy'];

describe('The OpenAPI document', function () {
  this.timeout(180_000);
  const document = buildApiDocument();
  let dir: string;
  let file: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openapi-lint-'));
    file = path.join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(document, null, 2));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('passes Redocly\'s recommended rules with 0 errors (redocly.yaml)', async () => {
    const out = await run(bin('redocly'), ['lint', file, '--config', path.join(ROOT, 'redocly.yaml'), '--format', 'json'], { cwd: ROOT, maxBuffer: 64 << 20 })
      .catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? String(err) }));
    const report = JSON.parse(out.stdout.slice(out.stdout.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
    expect(errors).to.deep.equal([]);
    expect(report.totals.errors).to.equal(0);
  });

  it('passes Spectral\'s spectral:oas rules with 0 errors (.spectral.yaml)', async () => {
    const out = await run(bin('spectral'), ['lint', file, '--ruleset', path.join(ROOT, '.spectral.yaml'), '--format', 'json', '--quiet'], { cwd: ROOT, maxBuffer: 64 << 20 })
      .catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '[]' }));
    const problems = JSON.parse(out.stdout.trim() || '[]') as { code: string; severity: number; message: string; path: string[] }[];
    const errors = problems.filter((p) => p.severity === 0).map((p) => `${p.code} ${p.path.join('.')}: ${p.message}`);
    expect(errors).to.deep.equal([]);
  });

  it('closes every object schema, or opens it with a value schema', () => {
    expect(openObjectSchemas(document)).to.deep.equal([]);
  });

  it('describes every tag its operations use, and states the licence and a contact', () => {
    const used = new Set(allRoutes().flatMap((r) => r.tags));
    expect([...used].filter((name) => !apiTags.some((t) => t.name === name)), 'add the tag with a description to apiTags in src/http/openapi.ts').to.deep.equal([]);
    expect(document.info).to.deep.include({ license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } });
    expect((document.info as { contact?: unknown }).contact).to.be.an('object');
  });

  it('gives the main operations examples that match their schemas', () => {
    const routes = new Map(allRoutes().map((r) => [r.operationId, r]));
    const paths = document.paths as Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { example?: unknown }> }; responses: Record<string, { content?: Record<string, { example?: unknown }> }> }>>;
    const operations = new Map(Object.values(paths).flatMap((byMethod) => Object.values(byMethod)).map((o) => [o.operationId, o]));
    for (const operationId of MAIN_OPERATIONS) {
      const route = routes.get(operationId)!;
      const operation = operations.get(operationId)!;
      const response = operation.responses[String(route.success.status)]!.content!['application/json']!.example;
      expect(response, `${operationId} response example`).to.not.equal(undefined);
      expect(checkAgainstSchema(route.success.schema as JsonSchema, response, 'response'), `${operationId} response example`).to.deep.equal([]);
      if (route.body) {
        const request = operation.requestBody!.content['application/json']!.example;
        expect(request, `${operationId} request example`).to.not.equal(undefined);
        expect(checkAgainstSchema(route.body as JsonSchema, structuredClone(request), 'body'), `${operationId} request example`).to.deep.equal([]);
      }
    }
  });

  it('states the Idempotency-Key limit as schema keywords, and the error codes as an enum', () => {
    const createQuote = (document.paths as Record<string, Record<string, { parameters: { name: string; in: string; schema: JsonSchema }[] }>>)['/v1/quotes']!.post!;
    expect(createQuote.parameters.find((p) => p.name === 'Idempotency-Key')).to.deep.include({ in: 'header', schema: { type: 'string', minLength: 1, maxLength: 100 } });
    const errorSchema = ((document.components as { schemas: Record<string, JsonSchema> }).schemas.ErrorResponse as { properties: { error: { properties: { code: { enum: string[] } } } } });
    expect(errorSchema.properties.error.properties.code.enum).to.include.members(['invalid_input', 'not_found', 'conflict', 'rate_limited']);
  });
});
