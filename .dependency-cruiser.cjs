// The import rule of docs/architecture.md ("Folders and the import rule"), enforced by
// `npm run lint`. Each rule's comment says what it protects; docs/architecture.md shows the same
// table. Tests (`*.test.ts`) and the test harness may reach further where a rule says so: they
// set up states (a value sealed under an old key, a hostile plugin) that no public door makes.
const TEST = '\\.test\\.ts$';
const HARNESS = '^server/testing/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment:
        'No import cycles anywhere, type-only ones included: a cycle makes start-up order and mocking fragile. ' +
        'A recursive Svelte component importing itself is not a cycle between modules.',
      from: { pathNot: '^client/src/components/JsonTree\\.svelte$' },
      to: { circular: true },
    },
    {
      name: 'plugins-stay-in-plugins',
      severity: 'error',
      comment: 'Plugins are written against the contract only; they never import the server, schema, sdk or client.',
      from: { path: '^plugins/' },
      to: { path: '^(server|schema|sdk|client|migrations|bench|eval)/' },
    },
    {
      name: 'plugins-only-node-crypto',
      severity: 'error',
      comment:
        'Of node built-ins a plugin uses node:crypto only. Files, paths and streams are the ' +
        "server's: it hands plugins what they need through the setup context (docs/plugins.md).",
      from: { path: '^plugins/', pathNot: TEST },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?crypto$' },
    },
    {
      name: 'plugins-only-core',
      severity: 'error',
      comment:
        'A plugin (built-in or example) imports plugins/core and its own folder, never another plugin; ' +
        "core imports no plugin. Core's tests may run the built-ins through it.",
      from: { path: '^plugins/([^/]+)/', pathNot: TEST },
      to: { path: '^plugins/', pathNot: ['^plugins/$1/', '^plugins/core/'] },
    },
    {
      name: 'server-through-plugin-doors',
      severity: 'error',
      comment:
        "The server and schema reach plugins only through plugins/core's index and each " +
        "built-in's index.ts: a third party gets the same doors as the built-ins.",
      from: { path: '^(server|schema)/', pathNot: [TEST, HARNESS] },
      to: { path: '^plugins/', pathNot: '^plugins/(core|redaction|encryption|audit)/index\\.ts$' },
    },
    {
      name: 'schema-not-server-internals',
      severity: 'error',
      comment:
        'Resolvers call services. From server/ the schema imports services (and their model ' +
        'types), server/model (role names, provider list, row types), errors and the request context type.',
      from: { path: '^schema/', pathNot: TEST },
      to: { path: '^server/', pathNot: '^server/(services/|model/|errors\\.ts$|context\\.ts$)' },
    },
    {
      name: 'only-the-composition-root-imports-schema',
      severity: 'error',
      comment: 'The schema sits above the services: only http/, the CLI, commands and the test harness build it.',
      from: { path: '^server/', pathNot: ['^server/(http|commands|testing)/', '^server/(cli|app)\\.ts$', TEST] },
      to: { path: '^schema/' },
    },
    {
      name: 'sdk-is-standalone',
      severity: 'error',
      comment:
        'The SDK is its own package: it imports nothing outside sdk/ except the redaction engine ' +
        'and PII rules it compiles in (plugins/core/redaction, plugins/redaction/pii-rules.ts and rules/). ' +
        'Its tests (sdk/test) may start the real server and compare with the server-side rules.',
      from: { path: '^sdk/', pathNot: '^sdk/test/' },
      to: {
        path: '^[^/]+',
        dependencyTypes: ['local', 'localmodule'],
        pathNot: ['^sdk/', '^plugins/core/redaction/', '^plugins/redaction/pii-rules\\.ts$', '^plugins/redaction/rules/'],
      },
    },
    {
      name: 'client-is-standalone',
      severity: 'error',
      comment: 'The dashboard talks to the server over GraphQL only.',
      from: { path: '^client/' },
      to: { path: '^(server|schema|plugins|sdk|migrations)/' },
    },
    {
      name: 'migrations-frozen',
      severity: 'error',
      comment: 'Migrations are frozen in time: they import kysely only, never code that changes later.',
      from: { path: '^migrations/' },
      to: { path: '^[^/]+', dependencyTypes: ['local', 'localmodule'], pathNot: '^migrations/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.svelte-kit)/|^client/src/lib/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.svelte', '.json'],
    },
    skipAnalysisNotInRules: true,
  },
};
