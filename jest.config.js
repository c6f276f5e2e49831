/**
 * Jest runs TypeScript through ts-jest in transpile-only mode (isolatedModules): type errors are
 * caught once, by `tsc --noEmit` in `npm test`, not again per test file.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
