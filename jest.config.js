// Tests run against the TypeScript sources; CLI tests run the built bin, which `npm test` builds first.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/proofs', '<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper: {
    '^@trailmark/proofs$': '<rootDir>/proofs/src/index.ts',
    '^@trailmark/(merkle|checkpoint|domain|event-store)$': '<rootDir>/libs/$1/src/index.ts',
    '^@trailmark/ledger$': '<rootDir>/apps/ledger/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
