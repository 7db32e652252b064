// The fuzz engine shared by test/hardening/fuzz.test.ts (a bounded run) and scripts/fuzz.ts
// (`npm run fuzz -- --count N --seed S`). For every route of the route table it builds a valid
// baseline request from the route's own schemas (and fixtures for the few bodies a schema cannot
// describe usefully), then applies one mutation. Case i of seed s is always the same request:
// its random stream is derived from (s, i) alone, so a failing case can be replayed by index.
// Requests go over a real socket so raw bodies, duplicated headers and bad encodings reach the
// HTTP parser exactly as sent.
import http from 'node:http';
import { toExpressPath } from '../../src/http/mount-routes.ts';
import type { RouteDefinition } from '../../src/http/route.ts';
import { errorShapeProblems } from './error-shape.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, unknown>;

/** What a target offers the fuzzer: where it listens, keys by role, and ids of real resources. */
export interface FuzzTarget {
  baseUrl: string;
  /** API key per role, plus others (e.g. a foreign insurer); the fuzzer picks a fitting one. */
  keysByRole: Record<string, string[]>;
  /** Values for path parameters by the collection they follow: organisations, quotes, policies, api-keys, products, versions. */
  pathValues: Record<string, string[]>;
  /** Valid bodies by operationId for bodies the schema sampler cannot make valid (product definitions, rating inputs). */
  bodies: Record<string, (index: number) => unknown>;
  /** Schemas by `$id`, to follow `$ref`s. */
  schemas: ReadonlyMap<string, Schema>;
  /** The service's body limit in bytes (oversized bodies go just over it). */
  bodyLimitBytes: number;
}

export interface FuzzCase {
  index: number;
  operationId: string;
  mutation: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer;
}

export interface FuzzFailure {
  case: Omit<FuzzCase, 'body'> & { bodyPreview?: string };
  status: number;
  problem: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  durationMs: number;
  byStatus: Record<string, number>;
  byMutation: Record<string, number>;
  byRoute: Record<string, number>;
  /** Total milliseconds spent per mutation (where the time goes). */
  msByMutation: Record<string, number>;
  msByRoute: Record<string, number>;
  fiveXx: number;
  shapeViolations: number;
  transportErrors: number;
  failures: FuzzFailure[];
}

/** mulberry32: small, fast, good enough for test generation. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
}

// ---------------------------------------------------------------- baseline values from schemas

function resolve(schema: Schema | undefined, target: FuzzTarget): Schema {
  let s = schema ?? {};
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) s = { ...(target.schemas.get(s.$ref) ?? {}), ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$ref')) };
  return s;
}

const PATTERN_SAMPLES: [RegExp, string][] = [
  [/\[0-9a-f\]\{24\}/, '0123456789abcdef01234567'],
  [/\^\[A-Z\]\[A-Z0-9-\]/, 'FIRST-SET-EQUIPMENT'],
  [/\^\[A-Z0-9\]\[A-Z0-9-\]/, 'FUZZ-ORG'],
];

/** A value that satisfies the schema where that is easy (types, enums, bounds, required fields). */
export function sampleValue(schemaIn: Schema | undefined, target: FuzzTarget, g: Gen, depth = 0): Json {
  const schema = resolve(schemaIn, target);
  if ('const' in schema) return schema.const as Json;
  if (Array.isArray(schema.enum)) return g.pick(schema.enum as Json[]);
  if ('default' in schema && g.chance(0.3)) return schema.default as Json;
  for (const key of ['oneOf', 'anyOf'] as const) if (Array.isArray(schema[key])) return sampleValue(g.pick(schema[key] as Schema[]), target, g, depth + 1);
  if (Array.isArray(schema.allOf)) return sampleValue(Object.assign({}, ...(schema.allOf as Schema[]).map((s) => resolve(s, target))), target, g, depth + 1);
  const type = Array.isArray(schema.type) ? g.pick(schema.type as string[]) : (schema.type as string | undefined);
  switch (type) {
    case 'object': {
      const out: Record<string, Json> = {};
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      for (const [name, sub] of Object.entries(properties)) {
        if (required.has(name) || (depth < 3 && g.chance(0.4))) out[name] = sampleValue(sub, target, g, depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = (schema.minItems as number | undefined) ?? 0;
      const n = Math.max(min, depth < 3 ? g.int(3) : 0);
      return Array.from({ length: n }, () => sampleValue(schema.items as Schema, target, g, depth + 1));
    }
    case 'integer':
    case 'number': {
      const min = (schema.minimum as number | undefined) ?? 0;
      const max = (schema.maximum as number | undefined) ?? min + 1000;
      return Math.min(max, min + g.int(Math.max(1, Math.min(1000, max - min + 1))));
    }
    case 'boolean':
      return g.chance(0.5);
    case 'null':
      return null;
    default: {
      if (schema.format === 'date') return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      if (typeof schema.pattern === 'string') {
        for (const [re, sample] of PATTERN_SAMPLES) if (re.test(schema.pattern)) return sample;
      }
      const min = (schema.minLength as number | undefined) ?? 1;
      return 'fuzz'.padEnd(Math.max(min, 4), 'z').slice(0, Math.max(min, Math.min(4, (schema.maxLength as number | undefined) ?? 4)));
    }
  }
}

// ---------------------------------------------------------------- mutations

const WRONG_TYPES: Json[] = [null, true, false, 0, -1, 1.5, '', 'x', [], [1, 2], {}, { a: 1 }];
const HUGE_NUMBERS: Json[] = [1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER - 2, -1, -0.0000001, 5e-324, 2 ** 64, -(2 ** 31), 123456789012345680000];
const NUMERIC_STRINGS: Json[] = ['0', '-1', '1e3', ' 42 ', '0x10', '1,000', '１２３', '1_000', '+5', '.5', '00012'];
const ODD_STRINGS: Json[] = [
  '\ud800', 'a\udc00b', '\u202eevil\u202c', '\u0000', 'nul\u0000inside', '\ufeffbom', '𠜎𠜱𠝹'.repeat(200), 'e\u0301\u0301\u0301\u0301',
  '\u200b\u200c\u200d', '../../etc/passwd', '%00', '<script>alert(1)</script>', "' OR 1=1 --", '{{constructor.constructor("return process")()}}',
  '$where', '$gt', 'a.b', '\r\nX-Injected: 1', 'NaN', 'Infinity', '-Infinity', 'undefined', 'null', 'true',
];
const OPERATOR_OBJECTS: Json[] = [{ $gt: '' }, { $ne: null }, { $regex: '.*' }, { $where: 'sleep(1000)' }, { $in: [] }, { $exists: true }, { $expr: { $eq: [1, 1] } }];

function leafPaths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => leafPaths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leafPaths(v, [...prefix, k], out);
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string, Json>)[key as string]!, root) as Record<string, Json>;
  parent[path[path.length - 1] as string] = value;
  return root;
}

function mutateBody(body: Json, g: Gen, kind: string): Json {
  const clone = structuredClone(body);
  const paths = leafPaths(clone);
  const path = g.pick(paths.length > 1 ? paths.slice(1) : paths);
  switch (kind) {
    case 'wrong-type':
      return setAt(clone, path, structuredClone(g.pick(WRONG_TYPES)));
    case 'huge-number':
      return setAt(clone, path, g.pick(HUGE_NUMBERS));
    case 'numeric-string':
      return setAt(clone, path, g.pick(NUMERIC_STRINGS));
    case 'nan-string':
      return setAt(clone, path, g.pick(['NaN', 'Infinity', '-Infinity', '1e999', '-0']));
    case 'odd-unicode':
      return setAt(clone, path, g.pick(ODD_STRINGS));
    case 'long-string':
      return setAt(clone, path, g.pick(['a', '中', '\u202e', '𝕏']).repeat(10_000 + g.int(100_000)));
    case 'operator-object':
      return setAt(clone, path, structuredClone(g.pick(OPERATOR_OBJECTS)));
    case 'drop-field': {
      if (path.length === 0) return {};
      const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string, Json>)[key as string]!, clone);
      if (Array.isArray(parent)) parent.splice(path[path.length - 1] as number, 1);
      else delete (parent as Record<string, Json>)[path[path.length - 1] as string];
      return clone;
    }
    case 'extra-field':
      if (clone && typeof clone === 'object' && !Array.isArray(clone)) (clone as Record<string, Json>)[g.pick(['extra', 'role', 'organisationId', 'a.b', '$set', ''])] = 1;
      return clone;
    default:
      return clone;
  }
}

/** Raw JSON texts no serializer would produce. */
function rawBodyText(body: Json, g: Gen, kind: string, limit: number): string | Buffer {
  const text = JSON.stringify(body);
  switch (kind) {
    case 'nan-token': {
      const token = g.pick(['NaN', 'Infinity', '-Infinity', 'undefined', '1e999999', '0x1F', '.5', '01']);
      return text.replace(/(:)(-?\d+(\.\d+)?|"[^"]*")/, `$1${token}`) || `{"a":${token}}`;
    }
    case 'deep-nesting': {
      const depth = g.pick([1000, 10_000, 50_000]);
      return g.chance(0.5) ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    }
    case 'proto-keys': {
      const evil = g.pick([
        '"__proto__":{"isAdmin":true,"role":"platform-admin"}',
        '"constructor":{"prototype":{"polluted":1}}',
        '"__proto__":null',
        '"__proto__":[1,2]',
        '"prototype":{"x":1}',
      ]);
      return text.startsWith('{') && text !== '{}' ? `{${evil},${text.slice(1)}` : `{${evil}}`;
    }
    case 'duplicate-keys':
      return text.startsWith('{') && text !== '{}' ? `{"productCode":"A","productCode":{"$gt":""},${text.slice(1)}` : '{"a":1,"a":2}';
    case 'malformed-json':
      return g.pick([text.slice(0, Math.max(1, g.int(text.length))), `${text}}`, `${text},`, "{'a':1}", '{"a":1,}', '', ' ', 'null', '1', '"str"', 'true', '[]', '\u0000', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '\ufeff{}']);
    case 'oversized':
      return `{"pad":"${'x'.repeat(limit + 1 + g.int(1024))}"}`;
    case 'binary':
      return Buffer.from(Array.from({ length: 1 + g.int(4096) }, () => g.int(256)));
    default:
      return text;
  }
}

const BODY_MUTATIONS = ['wrong-type', 'huge-number', 'numeric-string', 'nan-string', 'odd-unicode', 'long-string', 'operator-object', 'drop-field', 'extra-field'];
const RAW_MUTATIONS = ['nan-token', 'deep-nesting', 'proto-keys', 'duplicate-keys', 'malformed-json', 'oversized', 'binary'];
const HEADER_MUTATIONS = ['no-key', 'bad-key', 'duplicate-authorization', 'odd-authorization', 'content-type-variant', 'duplicate-content-type', 'content-encoding'];
const URL_MUTATIONS = ['path-param', 'query-param', 'query-duplicate', 'query-unknown'];
/** Every mutation the engine knows, with a weight (how often it is picked). */
export const MUTATIONS: Record<string, number> = {
  valid: 3,
  ...Object.fromEntries(BODY_MUTATIONS.map((m) => [m, 2])),
  ...Object.fromEntries(RAW_MUTATIONS.map((m) => [m, 2])),
  ...Object.fromEntries(HEADER_MUTATIONS.map((m) => [m, 1.5])),
  ...Object.fromEntries(URL_MUTATIONS.map((m) => [m, 3])),
};
const MUTATION_TABLE = Object.entries(MUTATIONS);
const MUTATION_TOTAL = MUTATION_TABLE.reduce((sum, [, w]) => sum + w, 0);

function pickMutation(g: Gen): string {
  let r = g.random() * MUTATION_TOTAL;
  for (const [name, weight] of MUTATION_TABLE) if ((r -= weight) < 0) return name;
  return 'valid';
}

const PATH_ODDITIES = [
  '{"$gt":""}', '[$ne]', '$gt', '__proto__', 'constructor', '..', '%2e%2e%2f', '%00', '%ZZ', '%', '0'.repeat(24), 'f'.repeat(25), 'ＡＢＣ', '\u202e', '%F0%9F%92%A9', 'a'.repeat(5000),
  'null', 'undefined', '-1', '1e3', 'NaN', ' ', '%20', '%0d%0aX-Injected:%201',
];
const QUERY_ODDITIES = ['', '{"$gt":""}', '[object Object]', '%00', '%ZZ', '-1', '1e400', 'NaN', 'Infinity', '9'.repeat(400), 'true', 'false', '\u202e', '__proto__', 'x'.repeat(10_000), '%F0%9F', ','.repeat(50)];

function pathValue(route: RouteDefinition, param: string, target: FuzzTarget, g: Gen): string {
  const segments = route.path.split('/');
  const before = segments[segments.indexOf(`{${param}}`) - 1] ?? '';
  const values = target.pathValues[before] ?? target.pathValues[param];
  if (values?.length) return g.pick(values);
  return String(sampleValue(((route.params as Schema | undefined)?.properties as Record<string, Schema> | undefined)?.[param], target, g));
}

function keyFor(route: RouteDefinition, target: FuzzTarget, g: Gen): string | undefined {
  if (route.access === 'public') return undefined;
  const roles = route.access === 'signed-in' ? Object.keys(target.keysByRole) : g.chance(0.85) ? [...route.access] : Object.keys(target.keysByRole);
  const keys = target.keysByRole[g.pick(roles)] ?? Object.values(target.keysByRole).flat();
  return g.pick(keys);
}

/** Case `index` of `seed`: the same request every time. */
export function generateCase(routes: readonly RouteDefinition[], target: FuzzTarget, seed: number, index: number): FuzzCase {
  const g = new Gen(seededRandom((seed * 0x9e3779b1 + index * 0x85ebca77) >>> 0));
  const route = routes[g.int(routes.length)]!;
  const mutation = pickMutation(g);
  const headers: Record<string, string | string[]> = {};
  const key = keyFor(route, target, g);
  if (key) headers.authorization = `Bearer ${key}`;

  // Path
  let path = toExpressPath(route.path).replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(pathValue(route, name, target, g)));
  if (mutation === 'path-param' && /\{\w+\}/.test(route.path)) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const victim = g.pick(params);
    const odd = g.pick(PATH_ODDITIES);
    const encoded = /^%|%[0-9A-Fa-f]{2}|%ZZ/.test(odd) ? odd : encodeURIComponent(odd);
    path = toExpressPath(route.path).replace(/:(\w+)/g, (_m, name: string) => (name === victim ? encoded : encodeURIComponent(pathValue(route, name, target, g))));
  }

  // Query
  const querySchema = resolve(route.query as Schema | undefined, target);
  const query = route.query ? (sampleValue(querySchema, target, g) as Record<string, Json>) : {};
  const pairs: [string, string][] = Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  const queryNames = Object.keys((querySchema.properties ?? {}) as object);
  if (mutation === 'query-param') {
    const name = queryNames.length ? g.pick(queryNames) : 'q';
    const value = g.pick(QUERY_ODDITIES);
    const filtered = pairs.filter(([k]) => k !== name);
    filtered.push([g.chance(0.3) ? `${name}[$gt]` : name, value]);
    pairs.splice(0, pairs.length, ...filtered);
  } else if (mutation === 'query-duplicate' && (queryNames.length || pairs.length)) {
    const name = queryNames.length ? g.pick(queryNames) : pairs[0]![0];
    pairs.push([name, 'a'], [name, '1'], [name, '']);
  } else if (mutation === 'query-unknown') {
    pairs.push([g.pick(['__proto__', 'constructor', '$where', 'a[b]', 'x', '__proto__[polluted]', 'toString']), g.pick(['1', '{"$gt":""}', ''])]);
  }
  const search = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${/^%|%ZZ/.test(v) ? v : encodeURIComponent(v)}`).join('&');
  if (search) path += `?${search}`;

  // Body
  let body: string | Buffer | undefined;
  const takesBody = route.method !== 'get' && route.method !== 'delete';
  if (takesBody) {
    const baseline: Json = (target.bodies[route.operationId]?.(index) as Json | undefined) ?? (route.body ? sampleValue(route.body as Schema, target, g) : {});
    if (BODY_MUTATIONS.includes(mutation)) body = JSON.stringify(mutateBody(baseline, g, mutation));
    else if (RAW_MUTATIONS.includes(mutation)) body = rawBodyText(baseline, g, mutation, target.bodyLimitBytes);
    else body = JSON.stringify(baseline);
    headers['content-type'] = 'application/json';
  } else if (RAW_MUTATIONS.includes(mutation) || BODY_MUTATIONS.includes(mutation)) {
    // A body on a GET/DELETE: the service must ignore or refuse it, never crash.
    body = rawBodyText({ a: 1 }, g, RAW_MUTATIONS.includes(mutation) ? mutation : 'malformed-json', target.bodyLimitBytes);
    headers['content-type'] = 'application/json';
  }

  // Headers
  switch (mutation) {
    case 'no-key':
      delete headers.authorization;
      break;
    case 'bad-key':
      headers.authorization = `Bearer ${g.pick(['tik_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', 'tik_', 'x', '{"$gt":""}', `tik_${'A'.repeat(12)}_${'%00'.repeat(11)}`, 'a'.repeat(8000)])}`;
      break;
    case 'duplicate-authorization': {
      const other = g.pick(Object.values(target.keysByRole).flat());
      headers.authorization = g.chance(0.5) ? [`Bearer ${other}`, headers.authorization as string ?? 'Bearer x'] : [(headers.authorization as string) ?? 'Bearer x', 'Bearer tik_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'];
      break;
    }
    case 'odd-authorization':
      headers.authorization = g.pick(['Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer  ', `bearer ${key ?? ''}`, `Bearer ${key ?? ''} extra`, `Token ${key ?? ''}`, 'Bearer \ttik_x', `Bearer ${key ?? ''}\u00ff`]);
      break;
    case 'content-type-variant':
      headers['content-type'] = g.pick(['text/plain', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json, text/plain', 'application/vnd.api+json', '*/*', '', 'text/csv', 'application/json; charset=']);
      if (headers['content-type'] === '') delete headers['content-type'];
      body ??= '{}';
      break;
    case 'duplicate-content-type':
      headers['content-type'] = ['application/json', g.pick(['text/plain', 'application/json', 'text/csv'])];
      body ??= '{}';
      break;
    case 'content-encoding':
      headers['content-encoding'] = g.pick(['gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip']);
      body ??= '{}';
      break;
  }
  if (g.chance(0.05)) headers['x-request-id'] = g.pick(['a'.repeat(65), '../x', 'ok-id', '\u202e']);
  if (g.chance(0.05)) headers['idempotency-key'] = g.pick(['', 'k'.repeat(101), 'same-key', '{"$gt":""}']);
  return { index, operationId: route.operationId, mutation, method: route.method.toUpperCase(), path, headers, ...(body !== undefined ? { body } : {}) };
}

// ---------------------------------------------------------------- running

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function send(target: FuzzTarget, c: FuzzCase, timeoutMs: number): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(target.baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...c.headers };
    // Header values must be latin-1 on the wire; anything else is sent as its UTF-8 bytes.
    for (const [k, v] of Object.entries(headers)) headers[k] = Array.isArray(v) ? v.map(toLatin1) : toLatin1(v);
    if (c.body !== undefined) headers['content-length'] = String(Buffer.byteLength(c.body));
    const req = http.request({ agent, host: url.hostname, port: url.port, method: c.method, path: c.path, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    if (c.body !== undefined) req.end(c.body);
    else req.end();
  });
}

function toLatin1(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

/** Checks one answer: no 5xx, and every 4xx in the JSON error shape. Returns the problem or undefined. */
export function judge(status: number, headers: http.IncomingHttpHeaders, body: string): string | undefined {
  if (status >= 500) return `${status} answer`;
  if (status >= 400) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return `${status} with a body that is not JSON: ${body.slice(0, 120)}`;
    }
    const problems = errorShapeProblems(headers['content-type'], parsed);
    if (problems.length) return `${status} not in the error shape: ${problems.join('; ')}`;
  }
  return undefined;
}

export interface RunFuzzOptions {
  routes: readonly RouteDefinition[];
  target: FuzzTarget;
  count: number;
  seed: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  timeoutMs?: number;
  /** Called after every `every` requests. */
  onProgress?: (done: number, report: FuzzReport) => void;
  /** Skip cases (e.g. routes that need infrastructure the target lacks). */
  skip?: (c: FuzzCase) => boolean;
}

/** Runs `count` cases of `seed` against the target and tallies the outcomes. */
export async function runFuzz(options: RunFuzzOptions): Promise<FuzzReport> {
  const { routes, target, count, seed, concurrency = 8, timeoutMs = 30_000, onProgress, skip } = options;
  const report: FuzzReport = { seed, requests: 0, durationMs: 0, byStatus: {}, byMutation: {}, byRoute: {}, msByMutation: {}, msByRoute: {}, fiveXx: 0, shapeViolations: 0, transportErrors: 0, failures: [] };
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const c = generateCase(routes, target, seed, next++);
      if (skip?.(c)) continue;
      let problem: string | undefined;
      let status = 0;
      const sent = Date.now();
      try {
        const res = await send(target, c, timeoutMs);
        status = res.status;
        problem = judge(res.status, res.headers, res.body);
        if (problem && status >= 500) report.fiveXx++;
        else if (problem) report.shapeViolations++;
      } catch (err) {
        problem = `transport error: ${(err as Error).message}`;
        report.transportErrors++;
      }
      report.requests++;
      report.msByMutation[c.mutation] = (report.msByMutation[c.mutation] ?? 0) + (Date.now() - sent);
      report.msByRoute[c.operationId] = (report.msByRoute[c.operationId] ?? 0) + (Date.now() - sent);
      report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
      report.byMutation[c.mutation] = (report.byMutation[c.mutation] ?? 0) + 1;
      report.byRoute[c.operationId] = (report.byRoute[c.operationId] ?? 0) + 1;
      if (problem && report.failures.length < 50) {
        const { body, ...rest } = c;
        report.failures.push({ case: { ...rest, ...(body !== undefined ? { bodyPreview: body.toString().slice(0, 300) } : {}) }, status, problem });
      }
      if (onProgress && report.requests % 500 === 0) onProgress(report.requests, report);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  report.durationMs = Date.now() - started;
  return report;
}
