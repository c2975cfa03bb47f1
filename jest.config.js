// Tests run against the TypeScript sources; CLI tests run the built bin, which `npm test` builds first.
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/proofs', '<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper: {
    '^@trailmark/proofs$': '<rootDir>/proofs/src/index.ts',
    '^@trailmark/(merkle|checkpoint|domain|sequencer|event-store|projections|streams|alerts)$': '<rootDir>/libs/$1/src/index.ts',
    '^@trailmark/ledger$': '<rootDir>/apps/ledger/src/index.ts',
    '^@trailmark/esdb-double$': '<rootDir>/test/esdb-double/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
};

export default {
  projects: [
    { ...base, displayName: 'sqlite' },
    // The end-to-end HTTP suite again, with every ledger on EventStoreDB (a protocol double per data dir).
    // Not the tamper and CLI tests: `trailmark verify --data-dir` reads the embedded store's file.
    {
      ...base,
      displayName: 'e2e-esdb',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      testPathIgnorePatterns: [...base.testPathIgnorePatterns, '/test/e2e/tamper\\.test\\.ts$', '/test/e2e/trailmark-cli\\.test\\.ts$'],
      globals: { TRAILMARK_TEST_STORE: 'esdb' },
    },
  ],
  // A global option: inside a project it would be ignored. Only a hang detector (tests are sized by counts): ten
  // minutes, so a shared, busy machine never fails a test that would pass; long tests set their own budgets.
  testTimeout: 600000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
