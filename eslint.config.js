// Lint is part of `npm test`. The rating core must stay pure: no I/O, no clock, no environment.
// The house keeps its rooms apart: routes call services (only src/app.ts and src/service.ts
// import routes), and a capability's mongoose models are its own (others call its service).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const routesImports = {
  group: ['**/*-routes', '**/*-routes.ts', '!**/http/mount-routes', '!**/http/mount-routes.ts'],
  message: 'Routes call services, never the reverse: only src/app.ts and src/service.ts import a *-routes.ts file.',
};
const otherCapabilityModels = {
  group: ['../**/*-model', '../**/*-model.ts'],
  message: "Another capability's mongoose model: call its service instead (each capability owns its models).",
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.cache/**', 'test-artifacts/**', 'tools/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', structuredClone: 'readonly', performance: 'readonly', AbortController: 'readonly', fetch: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // mocha loads reporters with require(): the summary reporter is CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // chai assertions read as expressions (`expect(x).to.be.true`).
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/app.ts', 'src/service.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [routesImports] }] },
  },
  {
    // src/cli and src/db are tools and plumbing, not rooms: they may read any model.
    files: ['src/*/**/*.ts'],
    ignores: ['src/cli/**', 'src/db/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [routesImports, otherCapabilityModels] }] },
  },
  {
    files: ['src/rating/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['express', 'mongoose', 'mongodb', 'fs', 'node:*', 'puppeteer-core', 'pino*', '../*/**', '!../rating/**'], message: 'src/rating is pure: no I/O, frameworks or other capabilities.' }],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/rating is pure: pass configuration in.' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'src/rating is pure: pass the clock in.' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/rating is pure: pass the clock in.' }],
    },
  },
);
