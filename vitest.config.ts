import { defineConfig } from 'vitest/config';

// Integration suites start real servers and databases; keep files in separate forks so a
// SIGKILL test or a crashed server cannot take a neighbour down.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Test databases: sweep what dead runs left, drop what this run left (tests/support/postgres.ts).
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
