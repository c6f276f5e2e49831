/**
 * Five projects: `unit` needs nothing but this repository (models included) and the answer-analysis
 * model that scripts/models/ensure-text-model.sh makes under .cache/ (`npm test` runs it first); `integration` runs
 * against real PostgreSQL and RabbitMQ, which its global set-up makes reachable first; `security`
 * attacks a running mesh on those servers from outside (test/security/attacks.py, in Python);
 * `faults` runs the mesh through broker, database, process and network faults on servers of its own;
 * `browser` drives Debian's Chromium (playwright-core) with a fake camera against pages served by the test
 * and against the web app served by a mesh of real processes.
 * ts-jest transpiles only (isolatedModules): `tsc --noEmit` in `npm test` checks types once.
 * @type {import('jest').Config}
 */
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
// Tools' sources downloaded under .cache/ (Consul's has .snap files jest would call obsolete
// snapshots) and the generated clients are no part of the test run.
const modulePathIgnorePatterns = ['<rootDir>/.cache/', '<rootDir>/clients/'];

module.exports = {
  // A hang's net, not a speed test (a global option: jest reads no project's own): PGlite's
  // WebAssembly, buf and the text encoder take seconds on a loaded two-core machine, and jest's 5 s
  // default failed unit files that were only slow. Files that need longer still say so.
  testTimeout: 30_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: '<rootDir>/test/support/native-typed-arrays-environment.js',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      // The tests' CA and certificates (test/support/tls.ts); no server is needed.
      globalSetup: '<rootDir>/test/support/tls-setup.ts',
      transform,
      modulePathIgnorePatterns,
    },
    {
      // Restarts its own PostgreSQL and RabbitMQ: run alone, after the others (scripts/test.sh).
      displayName: 'faults',
      testEnvironment: '<rootDir>/test/support/native-typed-arrays-environment.js',
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      globalSetup: '<rootDir>/test/faults/support/global-setup.ts',
      transform,
      modulePathIgnorePatterns,
    },
    {
      displayName: 'integration',
      testEnvironment: '<rootDir>/test/support/native-typed-arrays-environment.js',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      transform,
      modulePathIgnorePatterns,
    },
    {
      // Floods the mesh it starts past its rate limits: run on its own, after the integration tests (scripts/test.sh).
      displayName: 'security',
      testEnvironment: '<rootDir>/test/support/native-typed-arrays-environment.js',
      testMatch: ['<rootDir>/test/security/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      transform,
      modulePathIgnorePatterns,
    },
    {
      // Debian's Chromium driven by playwright-core, with a fake camera; its global set-up makes
      // PostgreSQL and RabbitMQ reachable (the integration project's, for the mesh the end-to-end
      // test starts), installs the browser when missing, makes the camera's video and builds the web
      // app (scripts/test.sh runs it after the others).
      displayName: 'browser',
      testEnvironment: '<rootDir>/test/support/native-typed-arrays-environment.js',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/test/browser/support/global-setup.ts',
      transform,
      modulePathIgnorePatterns,
    },
  ],
};
