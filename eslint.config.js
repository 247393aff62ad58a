// @ts-check
/**
 * ESLint flat config (ESLint 9 + typescript-eslint, type-aware).
 *
 * What it enforces beyond the presets, from ARCHITECTURE.md "Tooling habits" and "Boundary rules":
 * - Promises are awaited or explicitly `void`ed; no promise where a callback must return void.
 * - No `any`; type-only imports are written `import type` / `type X` (pairs with
 *   `verbatimModuleSyntax`).
 * - Node builtins are imported with the `node:` protocol (no eslint-plugin-n here, so bare names
 *   are banned with `no-restricted-imports`, generated from `module.builtinModules`).
 * - `protocol` (and `sdk`/`web` source once they exist) is isomorphic: no `Buffer`/`process`
 *   globals and no Node builtins at all.
 * - In `packages/server/src`, only `main.ts` may touch `process.env` / `process.exit` (boundary
 *   rule 5; dependency-cruiser cannot see property reads, so it lives here).
 * - In `packages/server/src`, request inputs are never cast (`request.body as …`): their types
 *   come from the route's schemas through the TypeBox type provider, so a cast could only hide
 *   a mismatch between what is validated and what the code reads.
 * Import-graph rules (who may import whom) live in `.dependency-cruiser.cjs`, not here.
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
const JS_FILES = ['**/*.js', '**/*.mjs', '**/*.cjs'];
const TEST_FILES = ['**/*.test.ts', '**/*.test-d.ts', '**/test-support/**', '**/test/**'];

/** Bare builtin names (`fs`, `fs/promises`, `child_process`, …) must be written `node:<name>`. */
const bareBuiltinImports = builtinModules
  .filter((name) => !name.startsWith('_') && !name.startsWith('node:'))
  .map((name) => ({ name, message: `Import Node builtins with the node: protocol: 'node:${name}'.` }));

/** Enough Node globals for the plain-JS scripts (bin shims, tools/*.mjs, config files). */
/**
 * `request.body as X`, `<X>request.query`, … on a Fastify request: what validation checked is
 * the route's schema, so the type must come from that schema (platform/routes/route-app.ts),
 * never from an assertion that can say something else.
 */
const REQUEST_INPUT = 'MemberExpression[object.name=/^(request|req)$/][property.name=/^(body|params|query|headers)$/]';
export const uncheckedRequestInputCasts = [
  {
    selector: `TSAsExpression > ${REQUEST_INPUT}.expression`,
    message: 'Do not cast request inputs: declare the schema on the route and let the type provider type it (RouteApp).',
  },
  {
    selector: `TSTypeAssertion > ${REQUEST_INPUT}.expression`,
    message: 'Do not cast request inputs: declare the schema on the route and let the type provider type it (RouteApp).',
  },
];

const nodeGlobals = /** @type {const} */ ({
  process: 'readonly',
  console: 'readonly',
  URL: 'readonly',
  URLSearchParams: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
  setImmediate: 'readonly',
  structuredClone: 'readonly',
  globalThis: 'readonly',
  module: 'writable',
  require: 'readonly',
  __dirname: 'readonly',
  __filename: 'readonly',
});

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    '**/build/',
    '**/.build/',
    '**/data/',
    '**/coverage/',
    '.test-results/',
    'bench/results/',
    // Declaration files are build output or vendored typings, except ones we write under src/.
    '**/*.d.ts',
    '!packages/*/src/**/*.d.ts',
  ]),

  js.configs.recommended,

  {
    name: 'portcullis/typescript',
    files: TS_FILES,
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig that owns it (packages/*/tsconfig.json,
        // tools/tsconfig.json via the root solution file). Root-level config files that no
        // tsconfig includes are checked with a default project.
        projectService: { allowDefaultProject: ['*.config.ts'], defaultProject: 'tsconfig.base.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // ARCHITECTURE.md "Tooling habits": these four are the point of type-aware linting.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      // With verbatimModuleSyntax, `import { type A }` keeps a side-effect import; prefer `import type { A }`.
      '@typescript-eslint/no-import-type-side-effects': 'error',

      // Numbers and booleans in template literals are how log lines and messages are written
      // throughout (`port ${port}`); strict mode would demand String(n) everywhere for no safety
      // gain. Objects, arrays, `any` and nullish values are still refused (the "[object Object]" bug).
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `noUnusedLocals/Parameters` in tsconfig already reports these; keep the lint version for
      // the `_` convention only.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `() => app.close()` and `return done()` in Fastify callback hooks are idiomatic: the
      // callee returns void, so nothing is lost. Still flags void used as a value elsewhere.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // Fastify plugins and hooks are declared `async` to satisfy the plugin signature even when
      // nothing inside awaits.
      '@typescript-eslint/require-await': 'off',

      'no-restricted-imports': ['error', { paths: bareBuiltinImports }],
    },
  },

  {
    // Plain JS (bin shims, scripts, this file): syntax-level rules only, no type information.
    name: 'portcullis/javascript',
    files: JS_FILES,
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: nodeGlobals },
    rules: {
      'no-restricted-imports': ['error', { paths: bareBuiltinImports }],
    },
  },

  {
    name: 'portcullis/tests',
    files: TEST_FILES,
    rules: {
      // `expect(x!.y)` after an explicit existence assertion is normal in tests.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },

  {
    // The wire contract runs in browsers and React Native: no Node globals, no Node builtins.
    name: 'portcullis/isomorphic',
    files: ['packages/protocol/**/*.ts', 'packages/sdk/src/**/*.ts', 'packages/web/src/**/*.{ts,tsx}'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'Isomorphic package: use Uint8Array and TextEncoder/TextDecoder instead of Buffer.' },
        { name: 'process', message: 'Isomorphic package: no process; take values as explicit parameters.' },
        { name: 'global', message: 'Isomorphic package: use globalThis.' },
        { name: '__dirname', message: 'Isomorphic package: no Node module globals.' },
        { name: '__filename', message: 'Isomorphic package: no Node module globals.' },
        { name: 'require', message: 'Isomorphic package: ESM imports only.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: bareBuiltinImports,
          patterns: [{ group: ['node:*'], message: 'Isomorphic package: Node builtins are not available in browsers or React Native.' }],
        },
      ],
    },
  },

  {
    name: 'portcullis/typed-request-inputs',
    files: ['packages/server/src/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...uncheckedRequestInputCasts] },
  },

  {
    // The SDK takes only types from the protocol: its modules build TypeBox schemas when they
    // load, which would put the schema runtime into every app (see packages/sdk/src/lib/wire-constants.ts).
    name: 'portcullis/sdk-protocol-types-only',
    files: ['packages/sdk/src/**/*.ts', 'packages/web/src/**/*.{ts,tsx}'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@portcullis/protocol',
              allowTypeImports: true,
              message:
                'The SDK imports only types from @portcullis/protocol; copy a constant into lib/wire-constants.ts, typed against the protocol.',
            },
          ],
        },
      ],
    },
  },

  {
    // Boundary rule 5: configuration and process lifetime belong to the CLI entry point.
    // Test files and test-support (Vitest global setup reads CI/DATABASE_URL) are exempt.
    name: 'portcullis/server-process-boundary',
    files: ['packages/server/src/**/*.ts'],
    ignores: ['packages/server/src/main.ts', ...TEST_FILES],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only packages/server/src/main.ts reads process.env; take config as a parameter.' },
        { object: 'process', property: 'exit', message: 'Only packages/server/src/main.ts calls process.exit; throw or return instead.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...bareBuiltinImports,
            {
              name: 'node:process',
              importNames: ['env', 'exit'],
              message: 'Only packages/server/src/main.ts reads process.env or calls process.exit.',
            },
          ],
        },
      ],
    },
  },
);
