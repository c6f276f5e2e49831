/**
 * The layering of src/, checked by `npm run lint:deps` (depcruise src --config .dependency-cruiser.cjs).
 *   platform  <- services/<x> <- mesh, demo, main.ts
 *   gen (ts-proto output) stands apart; services/<x>/domain is pure logic.
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
      comment: 'No import cycles anywhere in src.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
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
