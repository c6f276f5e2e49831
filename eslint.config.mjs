// ESLint flat config. TypeScript sources get typescript-eslint's strictTypeChecked and stylisticTypeChecked rules, with type
// information from tsconfig.json (through the project service); the few plain JS files (jest's
// config and test environment, these lint configs) get ESLint's recommended rules only. Formatting
// is Prettier's job: eslint-config-prettier, last, turns off every rule that would fight it.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// web/ is the browser app (its own tsconfig: DOM, JSX), found by the project service like the rest.
const TS_FILES = ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'web/**/*.ts', 'web/**/*.tsx'];

// Node's CommonJS globals, for the .js/.cjs files (seven names: no need for the `globals` package).
const NODE_COMMONJS_GLOBALS = {
  require: 'readonly',
  module: 'writable',
  exports: 'writable',
  __dirname: 'readonly',
  __filename: 'readonly',
  process: 'readonly',
  console: 'readonly',
};

export default defineConfig([
  globalIgnores(['src/gen/**', '.cache/**', 'clients/**', 'node_modules/**', '.data/**', 'models/**', 'deploy/**', 'dist/**', 'coverage/**']),
  {
    files: TS_FILES,
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Numbers read as themselves in messages (`${ms} ms`); objects, undefined and null still may not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    // In tests an assertion that is wrong fails the test where it stands, which is what `!` says.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: NODE_COMMONJS_GLOBALS },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
  },
  prettier,
]);
