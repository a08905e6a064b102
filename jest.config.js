/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 300000,
  maxWorkers: 2,
  // The second reporter counts the suites that skipped tests needing ../shared (tests/support/shared.ts).
  reporters: ['default', '<rootDir>/tests/support/skip-reporter.js'],
};
