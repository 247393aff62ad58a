/**
 * Import-graph rules from ARCHITECTURE.md "Boundary rules", checked by `npm run boundaries`
 * (`depcruise packages --config .dependency-cruiser.cjs`) in `.ci/run`. This is the TypeScript
 * equivalent of jose's `tools/bundle-report.js`: the architecture is enforced, not just described.
 *
 * Rule 5 ("only main.ts reads process.env / calls process.exit") is a property access, not an
 * import, so it lives in eslint.config.js (`no-restricted-properties`).
 *
 * Paths are matched after resolution, relative to the repository root: workspace packages
 * resolve through their node_modules symlink to `packages/<name>/src/...`, npm packages to
 * `node_modules/<name>/...`. Type-only imports count (`tsPreCompilationDeps`): a service that
 * imports Fastify's types is still coupled to Fastify.
 */

/** Test code: may use devDependencies and test-support. */
const TEST_CODE = ['\\.test\\.ts$', '\\.test-d\\.ts$', '\\.security\\.test\\.ts$', '/test-support/', '^packages/[^/]+/test/'];

/** What ships to users: package sources and CLI shims. */
const PACKAGE_CODE = '^packages/[^/]+/(src|bin)/';

const SERVER = '^packages/server/src/';
const MODULES = `${SERVER}modules/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ── Graph hygiene ──────────────────────────────────────────────────────────────────────────
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Circular imports make initialisation order matter and blur ownership. Break the cycle by moving the shared piece down (into platform/ or protocol) or by passing it in as a dependency.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'The import does not resolve to a file: a typo, a missing dependency, or a wrong extension (use `.ts` for TypeScript sources).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Package source (outside tests and test-support) must not import devDependencies: they are not installed for users. Move the package to the "dependencies" of the package that uses it.',
      from: { path: PACKAGE_CODE, pathNot: TEST_CODE },
      // With combinedDependencies a package listed in both the package's "dependencies" and the
      // root devDependencies (tsx) is npm *and* npm-dev; only dev-only packages are a problem.
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['npm', 'npm-peer', 'npm-optional'] },
    },
    {
      name: 'no-undeclared-dep',
      severity: 'error',
      comment:
        'The package imports an npm package that its own package.json (or the root one) does not declare; it works only by accident of hoisting. Add it to that package\'s "dependencies".',
      from: { path: PACKAGE_CODE, pathNot: TEST_CODE },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-test-code',
      severity: 'error',
      comment: 'Production code must not import tests or test-support; only *.test.ts files (and test-support itself) may.',
      from: { path: PACKAGE_CODE, pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },

    // ── Rule 1: protocol is the leaf of the workspace ──────────────────────────────────────────
    {
      name: 'protocol-imports-no-workspace-package',
      severity: 'error',
      comment: 'Rule 1: @portcullis/protocol is the shared wire contract and imports nothing from the other workspace packages.',
      from: { path: '^packages/protocol/' },
      to: { path: ['^packages/(?!protocol/)[^/]+/', 'node_modules/@portcullis/(?!protocol/)'] },
    },
    {
      name: 'isomorphic-no-node-builtins',
      severity: 'error',
      comment: 'protocol, sdk and web run in browsers and React Native: no Node builtins (use WebCrypto, Uint8Array, TextEncoder).',
      from: { path: '^packages/(protocol|sdk|web)/src/', pathNot: TEST_CODE },
      to: { dependencyTypes: ['core'] },
    },

    // ── Rule 2: clients never import the server ────────────────────────────────────────────────
    {
      name: 'client-never-imports-server',
      severity: 'error',
      comment:
        'Rule 2: sdk and web never import server or scanner, not even types (better-auth .postmortem/client-side-import-server.md). Shared types belong in @portcullis/protocol.',
      from: { path: '^packages/(sdk|web)/' },
      to: { path: ['^packages/(server|scanner)/', 'node_modules/@portcullis/(server|scanner)/'] },
    },
    {
      name: 'web-uses-sdk-public-entry',
      severity: 'error',
      comment:
        "Rule 2: web imports @portcullis/sdk only through its public entries (package.json#exports: the main entry and one per feature), never sdk's internals.",
      from: { path: '^packages/web/' },
      to: { path: '^packages/sdk/', pathNot: ['^packages/sdk/src/index\\.ts$', '^packages/sdk/src/[a-z-]+/index\\.ts$'] },
    },

    // ── Rule 3: server modules are encapsulated; platform knows nothing of modules ─────────────
    {
      name: 'module-only-through-index',
      severity: 'error',
      comment:
        "Rule 3: modules/A may use modules/B only through modules/B/index.ts (its public surface), never B's routes, service or repository directly.",
      from: { path: `${MODULES}([^/]+)/` },
      to: { path: `${MODULES}[^/]+/`, pathNot: [`${MODULES}$1/`, `${MODULES}[^/]+/index\\.ts$`] },
    },
    {
      name: 'routes-only-from-own-module',
      severity: 'error',
      comment:
        "A module's routes files are its HTTP surface, registered by its own index.ts; nothing outside the module imports them. Request helpers every module needs (principalOf, requestContext) live in platform/routes/request.ts.",
      from: { path: `${MODULES}([^/]+)/`, pathNot: TEST_CODE },
      to: { path: `${MODULES}[^/]+/[a-z-]*routes\\.ts$`, pathNot: `${MODULES}$1/` },
    },
    {
      name: 'modules-audit-through-the-door',
      severity: 'error',
      comment:
        "Modules write audit events only through the request's door (request.audit, or context.audit in services), which fills actor, session, request id and network in one place. The raw writer platform/audit/audit.ts is the platform's own.",
      from: { path: MODULES, pathNot: TEST_CODE },
      to: { path: `${SERVER}platform/audit/audit\\.ts$` },
    },
    {
      name: 'server-uses-module-index',
      severity: 'error',
      comment: 'Rule 3: outside modules/ (app.ts, server.ts, …) a module is used only through its index.ts. Tests may reach inside.',
      from: { path: SERVER, pathNot: [`${MODULES}`, ...TEST_CODE] },
      to: { path: `${MODULES}[^/]+/`, pathNot: `${MODULES}[^/]+/index\\.ts$` },
    },
    {
      name: 'platform-never-imports-modules',
      severity: 'error',
      comment:
        'Rule 3: platform/ is infrastructure shared by every module; it must not depend on any module. Invert the dependency (a hook, decorator or port).',
      from: { path: `${SERVER}platform/` },
      to: { path: MODULES },
    },

    // ── Rule 4: layering inside a module ───────────────────────────────────────────────────────
    {
      name: 'service-never-imports-fastify',
      severity: 'error',
      comment: 'Rule 4: service.ts is domain logic with an explicit deps object; HTTP (Fastify) stays in routes.ts and index.ts.',
      from: { path: `${MODULES}[^/]+/service\\.ts$` },
      to: { path: 'node_modules/(fastify|fastify-plugin|@fastify/[^/]+)/' },
    },
    {
      name: 'routes-never-import-db-driver',
      severity: 'error',
      comment: 'Rule 4: routes.ts is HTTP only; data access goes through the service and its repository.',
      from: { path: `${MODULES}[^/]+/routes\\.ts$` },
      to: { path: ['node_modules/(better-sqlite3|pg|kysely)/', 'node_modules/pg-[^/]+/', 'node_modules/@types/(pg|better-sqlite3)/'] },
    },
  ],

  options: {
    // npm packages stay in the graph (rules 4 and the dependency checks need them) but are not
    // cruised into. Build output and runtime data are not source.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^packages/[^/]+/(dist|build|coverage|data)/' },
    // Type-only imports are dependencies too (see header).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    // Root devDependencies (vitest, @types/*, …) are classified as npm-dev for every package.
    combinedDependencies: true,
    enhancedResolveOptions: {
      // Sources import each other with explicit `.ts` extensions (allowImportingTsExtensions);
      // extensionless and `.js` specifiers still resolve.
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['portcullis-source', 'import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    moduleSystems: ['es6', 'cjs'],
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
