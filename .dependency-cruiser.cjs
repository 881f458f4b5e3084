// The import rules of issue 17, checked by `npm run deps` (part of `npm test`); see docs/architecture.md,
// "Rules that are checked". Violations that main still has are listed in
// .dependency-cruiser-known-violations.json (`--ignore-known`): a new one fails the run, and each entry
// is deleted once the change that removes it lands (regenerate with `npm run deps:baseline`).

/** Files that build or run over real services: only the wiring, the handlers and the tools outside lib/ import them. */
const CONCRETE_ADAPTERS = [
  '^lib/store/',
  '^lib/sources/.+-client\\.ts$',
  '^lib/alerts/sns-',
  '^lib/metrics/powertools-',
  '^lib/lambda/',
  '^lib/venues/indx-credentials\\.ts$',
  '^lib/auth/issuer-verifier\\.ts$',
];

/** Who may import a concrete adapter: the wiring, the handlers' containers, and bench/, scripts/, test/. */
/**
 * Who may import a concrete adapter: the wiring, the handlers' containers and middlewares (the edge: `authorize`
 * verifies tokens with the issuer's verifier), the INDX venue adapter (signing per trader over the INDX client),
 * and bench/, scripts/, test/.
 */
const WIRING = [
  '^lib/wiring\\.ts$',
  '^lib/[^/]+-(wiring|adapters)\\.ts$',
  '^lib/handlers/',
  '^lib/middleware/',
  '^lib/venues/indx-credentials\\.ts$',
  '^bench/',
  '^scripts/',
  '^test/',
];

/** npm packages that talk to AWS or the network: adapters' business, never a use case's. */
const SERVICE_PACKAGES = '(^|/)node_modules/(@aws-sdk|@aws-lambda-powertools|@middy|undici|aws-jwt-verify)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Two modules that import each other (type-only imports count) cannot be read, tested or moved one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'lib/domain/ is pure: it imports lib/domain/, node built-ins and the error base (lib/errors.ts) only.',
      from: { path: '^lib/domain/' },
      to: { pathNot: ['^lib/domain/', '^lib/errors\\.ts$'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'sandbox-imports-no-lib',
      severity: 'error',
      comment: 'The sandbox stands in for the upstream APIs: sharing code with lib/ would let a bug agree with itself.',
      from: { path: '^sandbox/' },
      to: { path: '^lib/' },
    },
    {
      name: 'no-concrete-adapter-in-lib',
      severity: 'error',
      comment:
        'Only the wiring (lib/wiring.ts, lib/*-wiring.ts, lib/handlers/) builds real adapters; everything else gets ports. ' +
        'An adapter may import files of its own folder.',
      from: { path: '^lib/([^/]+)/', pathNot: WIRING },
      to: { path: CONCRETE_ADAPTERS, pathNot: '^lib/$1/' },
    },
    {
      name: 'no-concrete-adapter-at-the-edges',
      severity: 'error',
      comment: 'Handlers, the sandbox and the top of lib/ reach real adapters through the wiring only.',
      from: { path: ['^functions/', '^sandbox/', '^lib/[^/]+\\.ts$'], pathNot: WIRING },
      to: { path: CONCRETE_ADAPTERS },
    },
    {
      name: 'ports-import-only-ports-and-domain',
      severity: 'error',
      comment:
        'lib/ports/ holds the port interfaces and the types crossing them: it depends on nothing but the domain (and zod), and the venue mapping whose types its schema infers (lib/venues/venue-accounts.ts).',
      from: { path: '^lib/ports/' },
      to: {
        pathNot: ['^lib/(ports|domain)/', '^lib/errors\\.ts$', '^lib/venues/venue-accounts\\.ts$', '(^|/)node_modules/zod/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'runs-import-only-ports-and-domain',
      severity: 'error',
      comment:
        'lib/runs/ holds the use cases: they import ports, the domain, pure policy (lib/policy/), their own folder and the error base (lib/errors.ts).',
      from: { path: '^lib/runs/' },
      to: { path: '^lib/', pathNot: ['^lib/(runs|ports|domain|policy)/', '^lib/errors\\.ts$', '^lib/venues/venue-accounts\\.ts$'] },
    },
    {
      name: 'policy-imports-only-ports-and-domain',
      severity: 'error',
      comment: 'lib/policy/ holds pure policy (circuit breaker, concurrency limit, venue schedule): no I/O, no adapter.',
      from: { path: '^lib/policy/' },
      to: { path: '^lib/', pathNot: ['^lib/(policy|ports|domain)/', '^lib/errors\\.ts$'] },
    },
    {
      name: 'runs-no-adapters-or-aws',
      severity: 'error',
      comment: 'A use case never reaches a store, an upstream client or an AWS SDK package, even inside lib/runs/.',
      from: { path: '^lib/runs/' },
      to: { path: [...CONCRETE_ADAPTERS, SERVICE_PACKAGES] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules is a symlink in a git worktree: keep its path, so the baseline reads the same everywhere.
    preserveSymlinks: true,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
