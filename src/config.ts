import { isIP } from 'node:net';
import { describeAjvErrors } from './http/schema-registry.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';

/** A size setting: digits and a unit, e.g. 512kb, 5mb. */
const BYTES = '^\\d+(b|kb|mb)$';

/** Every environment variable the service reads, with its type, default and meaning. */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000, description: 'HTTP port (0 picks a free one).' },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'Address to listen on; 0.0.0.0 behind a load balancer.' },
    MONGODB_URI: { type: 'string', pattern: '^mongodb(\\+srv)?://', description: 'A MongoDB (or FerretDB) URI. When set, the embedded database is not started.' },
    DATA_DIR: { type: 'string', minLength: 1, default: './data', description: 'Folder for the embedded database files and demo keys.' },
    PRODUCTS_DIR: { type: 'string', minLength: 1, default: './products', description: 'Product files loaded (and published) into an empty database at start.' },
    DB_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 27018, description: 'Port of the embedded database (0 picks a free one).' },
    SEED_DEMO: { type: 'boolean', description: 'Create demo organisations and keys in an empty database, and accept the shipped pools on the demo members\' behalf when the shipped catalogue is published at start (default: true on the embedded database, false with MONGODB_URI).' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', description: 'pino log level.' },
    BODY_LIMIT: { type: 'string', pattern: '^\\d+(b|kb|mb)$', default: '1mb', description: 'Largest accepted JSON body.' },
    REQUEST_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600000, default: 30000, description: 'A request still running after this answers 503.' },
    SHUTDOWN_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600000, default: 15000, description: 'How long shutdown waits for in-flight requests.' },
    CHROME_PATH: { type: 'string', minLength: 1, default: '/usr/bin/chromium-headless-shell', description: 'Chromium binary used to render PDFs.' },
    PDF_POOL_SIZE: { type: 'integer', minimum: 1, maximum: 64, description: 'Reused browser pages (default: the number of cores).' },
    POLICY_SCHEDULE_BACKLOG: { type: 'integer', minimum: 0, maximum: 100000, default: 200, description: 'Policies whose schedule PDFs may wait to be rendered behind their binds\' answers in an instance; past it (0: always), a schedule is rendered and stored by its first download.' },
    DB_CONNECT_RETRIES: { type: 'integer', minimum: 0, maximum: 100, default: 8, description: 'Attempts to reach the database at start before giving up.' },
    VALIDATE_RESPONSES: { type: 'boolean', description: 'Check every JSON response against its schema (default: on unless NODE_ENV=production).' },
    NODE_ENV: { type: 'string', enum: ['development', 'production', 'test'], default: 'development', description: 'Run mode.' },
    RATE_LIMIT_PER_MINUTE: { type: 'integer', minimum: 0, maximum: 1000000, default: 600, description: 'Requests per API key per minute, counted across instances in the database; over it → 429 with Retry-After (0 = off).' },
    METRICS_TOKEN: { type: 'string', minLength: 16, description: 'When set, GET /metrics answers only `Authorization: Bearer <token>`; unset, /metrics is open to whoever reaches the instance (keep it off the public load balancer: docs/deploy.md).' },
    TRUST_PROXY: { type: 'string', minLength: 1, default: 'loopback', description: 'Which proxies in front of the service are believed about the client (X-Forwarded-For) and the scheme (X-Forwarded-Proto: https makes the cookies Secure), in Express\'s `trust proxy` syntax: `loopback`, `linklocal`, `uniquelocal`, addresses or CIDR ranges (comma-separated), a number of hops, or `false` (believe no one).' },
    AUTH_FAILURES_PER_MINUTE: { type: 'integer', minimum: 0, maximum: 1000000, default: 20, description: 'Failed authentications (a wrong or revoked API key, a bad web sign-in) per client address per minute, counted across instances; over it → 429 with Retry-After for further wrong keys, never for a valid one (0 = off).' },
    API_KEY_CACHE_MS: { type: 'integer', minimum: 0, maximum: 60000, description: 'How long a resolved API key is remembered per process; a revoked key keeps working this long (default: 5000, 0 when NODE_ENV=test).' },
    // Uploads (docs/deploy.md "Upload limits"): each is checked while the file streams in, before it is parsed.
    SHEET_MAX_BYTES: { type: 'string', pattern: BYTES, default: '5mb', description: 'Largest rate-table or version spreadsheet upload (CSV or XLSX, API and pages); over it → 413.' },
    SHEET_MAX_ZIP_ENTRIES: { type: 'integer', minimum: 1, maximum: 65535, default: 500, description: 'Most entries an uploaded XLSX (a zip) may hold.' },
    SHEET_MAX_ENTRY_INFLATED_BYTES: { type: 'string', pattern: BYTES, default: '10mb', description: 'Largest size any one entry of an uploaded XLSX may inflate to, counted while inflating (zip bombs stop here).' },
    SHEET_MAX_INFLATED_BYTES: { type: 'string', pattern: BYTES, default: '50mb', description: 'Largest size all entries of an uploaded XLSX may inflate to together.' },
    SHEET_MAX_SHEETS: { type: 'integer', minimum: 1, maximum: 1000, default: 50, description: 'Most worksheets in an uploaded workbook (a version has a few tables).' },
    SHEET_MAX_ROWS: { type: 'integer', minimum: 1, maximum: 1048576, default: 1000, description: 'Last row number a sheet of an uploaded spreadsheet may use (a rate table has tens of rows).' },
    SHEET_MAX_COLUMNS: { type: 'integer', minimum: 1, maximum: 16384, default: 50, description: 'Most columns in a row of an uploaded spreadsheet.' },
    SHEET_MAX_CELL_LENGTH: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000, description: 'Most characters in one cell of an uploaded spreadsheet.' },
    BULK_MAX_BYTES: { type: 'string', pattern: BYTES, default: '50mb', description: 'Largest bulk-quoting CSV (POST /v1/pricing/bulk); over it → 413.' },
    BULK_MAX_ROWS: { type: 'integer', minimum: 1, maximum: 10000000, default: 100000, description: 'Most rows under the header of a bulk-quoting CSV (API and `quotes bulk`); more → 400 before any row is priced.' },
    BULK_MAX_COLUMNS: { type: 'integer', minimum: 1, maximum: 100000, default: 500, description: 'Most columns of a bulk-quoting CSV.' },
    BULK_MAX_CELL_LENGTH: { type: 'integer', minimum: 1, maximum: 1000000, default: 2000, description: 'Most characters in one cell of a bulk-quoting CSV.' },
    FORM_MAX_FILES: { type: 'integer', minimum: 1, maximum: 100, default: 1, description: 'Most files in one multipart form posted to the pages.' },
    FORM_MAX_FIELDS: { type: 'integer', minimum: 1, maximum: 10000, default: 50, description: 'Most non-file fields in one multipart form posted to the pages.' },
    FORM_MAX_PARTS: { type: 'integer', minimum: 1, maximum: 10000, default: 60, description: 'Most parts (files and fields together) in one multipart form posted to the pages.' },
    FORM_MAX_FIELD_BYTES: { type: 'string', pattern: BYTES, default: '100kb', description: 'Largest non-file field of a multipart form (a file is bounded by SHEET_MAX_BYTES).' },
  },
} as const;

export interface Config {
  PORT: number;
  HOST: string;
  MONGODB_URI?: string;
  DATA_DIR: string;
  PRODUCTS_DIR: string;
  DB_PORT: number;
  SEED_DEMO: boolean;
  LOG_LEVEL: string;
  BODY_LIMIT: string;
  REQUEST_TIMEOUT_MS: number;
  SHUTDOWN_TIMEOUT_MS: number;
  CHROME_PATH: string;
  PDF_POOL_SIZE?: number;
  POLICY_SCHEDULE_BACKLOG: number;
  DB_CONNECT_RETRIES: number;
  VALIDATE_RESPONSES: boolean;
  NODE_ENV: 'development' | 'production' | 'test';
  RATE_LIMIT_PER_MINUTE: number;
  API_KEY_CACHE_MS: number;
  METRICS_TOKEN?: string;
  /** The raw setting; `trustProxySetting()` turns it into Express's value. */
  TRUST_PROXY: string;
  AUTH_FAILURES_PER_MINUTE: number;
  SHEET_MAX_BYTES: string;
  SHEET_MAX_ZIP_ENTRIES: number;
  SHEET_MAX_ENTRY_INFLATED_BYTES: string;
  SHEET_MAX_INFLATED_BYTES: string;
  SHEET_MAX_SHEETS: number;
  SHEET_MAX_ROWS: number;
  SHEET_MAX_COLUMNS: number;
  SHEET_MAX_CELL_LENGTH: number;
  BULK_MAX_BYTES: string;
  BULK_MAX_ROWS: number;
  BULK_MAX_COLUMNS: number;
  BULK_MAX_CELL_LENGTH: number;
  FORM_MAX_FILES: number;
  FORM_MAX_FIELDS: number;
  FORM_MAX_PARTS: number;
  FORM_MAX_FIELD_BYTES: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p.variable} ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv2020({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
const validateConfig = ajv.compile(configSchema);

/** Reads and checks the environment; throws one ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(configSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const problems = validateConfig(raw) ? [] : describeAjvErrors(validateConfig.errors, '').map((d) => ({ variable: d.path.replace(/^\./, ''), message: d.message }));
  const trustProblem = typeof raw.TRUST_PROXY === 'string' ? validTrustProxy(raw.TRUST_PROXY) : null;
  if (trustProblem) problems.push({ variable: 'TRUST_PROXY', message: trustProblem });
  if (problems.length > 0) throw new ConfigError(problems);
  const config = raw as unknown as Config;
  config.SEED_DEMO ??= !config.MONGODB_URI;
  config.VALIDATE_RESPONSES ??= config.NODE_ENV !== 'production';
  config.API_KEY_CACHE_MS ??= config.NODE_ENV === 'test' ? 0 : 5000;
  return config;
}

const TRUST_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** What is wrong with a TRUST_PROXY value (null when Express accepts it): names, addresses, CIDRs, hops, true/false. */
function validTrustProxy(value: string): string | null {
  if (/^(true|false|\d+)$/.test(value)) return null;
  for (const item of value.split(',').map((v) => v.trim())) {
    const [address, bits, extra] = item.split('/');
    if (TRUST_NAMES.has(item)) continue;
    const family = isIP(address ?? '');
    const maxBits = family === 4 ? 32 : 128;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits) || (family === 4 && isIP(bits) === 4);
    if (!family || !bitsOk || extra !== undefined) return `must be loopback, linklocal, uniquelocal, IP addresses or CIDR ranges (comma-separated), a number of hops, true or false; "${item}" is none of these (trust proxy)`;
  }
  return null;
}

/** Express's `trust proxy` value for the setting: false, true, a hop count, or the list of names/addresses. */
export function trustProxySetting(value: string): boolean | number | string {
  if (value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** A size setting (512kb, 5mb, 100b) in bytes. */
export function byteSize(setting: string): number {
  const m = /^(\d+)(b|kb|mb)$/.exec(setting);
  if (!m) throw new ConfigError([{ variable: 'size', message: `${setting} is not a size such as 5mb` }]);
  return Number(m[1]) * (m[2] === 'mb' ? 1024 * 1024 : m[2] === 'kb' ? 1024 : 1);
}
