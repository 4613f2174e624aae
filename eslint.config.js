// Lint gate run by `npm test` (`npm run lint`): typescript-eslint's recommended rules without type
// information (fast; `tsc` already does the type checking), and prettier for the layout.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.tools/**',
      '.data/**',
      'test-results/**',
      'coverage/**',
      'tests/emulator-selftest/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The emulator's handles refer to themselves (`self = makeHandle(…, { f: () => self })`).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Input validation matches NUL and other control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read JSON answers of the API under test; typing every body would only restate the contracts.
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
