import { defineConfig } from 'vitest/config';

// Suites that fail and leak on purpose, run by tests/backend/test-databases.test.ts in a vitest of
// their own (the same global setup as the real runs): afterwards no database of theirs may remain.
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['tests/support/leaky-suites/*.fixture.ts'],
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
