import { describeAjvErrors } from './http/schema-registry.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';

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
    DB_CONNECT_RETRIES: { type: 'integer', minimum: 0, maximum: 100, default: 8, description: 'Attempts to reach the database at start before giving up.' },
    VALIDATE_RESPONSES: { type: 'boolean', description: 'Check every JSON response against its schema (default: on unless NODE_ENV=production).' },
    NODE_ENV: { type: 'string', enum: ['development', 'production', 'test'], default: 'development', description: 'Run mode.' },
    RATE_LIMIT_PER_MINUTE: { type: 'integer', minimum: 0, maximum: 1000000, default: 600, description: 'Requests per API key per minute, counted across instances in the database; over it → 429 with Retry-After (0 = off).' },
    METRICS_TOKEN: { type: 'string', minLength: 16, description: 'When set, GET /metrics answers only `Authorization: Bearer <token>`; unset, /metrics is open to whoever reaches the instance (keep it off the public load balancer: docs/deploy.md).' },
    API_KEY_CACHE_MS: { type: 'integer', minimum: 0, maximum: 60000, description: 'How long a resolved API key is remembered per process; a revoked key keeps working this long (default: 5000, 0 when NODE_ENV=test).' },
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
  DB_CONNECT_RETRIES: number;
  VALIDATE_RESPONSES: boolean;
  NODE_ENV: 'development' | 'production' | 'test';
  RATE_LIMIT_PER_MINUTE: number;
  API_KEY_CACHE_MS: number;
  METRICS_TOKEN?: string;
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
  if (!validateConfig(raw)) {
    const problems = describeAjvErrors(validateConfig.errors, '').map((d) => ({ variable: d.path.replace(/^\./, ''), message: d.message }));
    throw new ConfigError(problems);
  }
  const config = raw as unknown as Config;
  config.SEED_DEMO ??= !config.MONGODB_URI;
  config.VALIDATE_RESPONSES ??= config.NODE_ENV !== 'production';
  config.API_KEY_CACHE_MS ??= config.NODE_ENV === 'test' ? 0 : 5000;
  return config;
}
