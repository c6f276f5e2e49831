/**
 * The layering of src/ and of the web app, checked by `npm run lint:deps` (depcruise src web/src --config .dependency-cruiser.cjs).
 *   platform  <- services/<x> <- mesh, demo, main.ts
 *   gen (ts-proto output) stands apart; services/<x>/domain is pure logic.
 *   web/ (the browser app) and src/ (the Node services) never import each other: they meet over HTTP.
 * Type-only imports count (tsPreCompilationDeps): a layer may not reach another even for its types.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cross-service',
      comment: 'A service imports nothing of another service: what they share lives in src/platform (or goes over gRPC / the bus).',
      severity: 'error',
      from: { path: '^src/services/([^/]+)/' },
      to: { path: '^src/services/', pathNot: '^src/services/$1/' },
    },
    {
      name: 'platform-is-a-leaf',
      comment:
        "src/platform is shared by every service: it imports no service, nor the composition root (mesh, demo, main.ts), nor the operators' tools (stat).",
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: ['^src/services/', '^src/mesh/', '^src/demo/', '^src/stat/', '^src/main\\.ts$'] },
    },
    {
      name: 'gen-stays-apart',
      comment: 'Generated code (ts-proto) imports only itself, npm packages and Node built-ins: never the hand-written tree.',
      severity: 'error',
      from: { path: '^src/gen/' },
      to: { pathNot: ['^src/gen/', '(^|/)node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'gen-imports-no-platform-or-services',
      comment: 'Explicit form of gen-stays-apart for the two layers most likely to leak into it.',
      severity: 'error',
      from: { path: '^src/gen/' },
      to: { path: ['^src/platform/', '^src/services/'] },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere in src or web.',
      severity: 'error',
      from: { path: '^(src|web)/' },
      to: { circular: true },
    },
    {
      name: 'web-stays-in-the-browser',
      comment:
        "The web app runs in the browser and speaks to the gateway's REST and WebSocket JSON only: it imports none of the services' code, generated types included; Node built-ins do not exist there.",
      severity: 'error',
      from: { path: '^web/' },
      to: { path: ['^src/', '^scripts/', '^test/'] },
    },
    {
      name: 'web-no-node-builtins',
      comment: 'No Node built-in reaches the browser bundle.',
      severity: 'error',
      from: { path: '^web/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'services-import-no-web',
      comment: 'The services serve the built app (dist/web) as files; they import none of its sources.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^web/' },
    },
    {
      name: 'domain-is-pure',
      comment:
        "A service's domain/ is pure logic: no gRPC, no generated protobuf types, and none of its own service's transport or storage (handlers, server, consumers, *store*).",
      severity: 'error',
      from: { path: '^src/services/([^/]+)/domain/' },
      to: {
        path: [
          '(^|/)node_modules/@grpc/grpc-js/',
          '^src/gen/',
          '^src/services/$1/(handlers|server|consumers)(\\.ts$|/)',
          '^src/services/$1/[^/]*store[^/]*(\\.ts$|/)',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
