// Lint and the library boundaries of DESIGN.md: a library imports only the libraries below it, and proofs/
// (what an outsider runs) imports nothing of the project. `npm test` runs this before the suite.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * What each library may import of the project; anything else under @trailmark/ is an upward or sideways arrow.
 * The sequencer reads the model (a leaf's key, the identity streams); the model's recorder waits on the sequencer
 * through ports of its own (libs/domain/src/recording/leaf-ports.ts), so the arrow points one way only.
 */
const allowedImports = {
  proofs: [],
  // The verifier CLI, a package of its own: the library's dependencies stay the two noble packages.
  'proofs/cli': ['proofs'],
  // A client of the HTTP API, for services to install: nothing of the project, no Nest.
  'libs/client': [],
  'libs/merkle': ['proofs'],
  'libs/event-store': ['proofs'],
  'libs/checkpoint': ['proofs', 'merkle', 'event-store'],
  'libs/domain': ['proofs', 'merkle', 'event-store'],
  'libs/sequencer': ['proofs', 'merkle', 'event-store', 'domain'],
  'libs/projections': ['proofs', 'merkle', 'event-store', 'domain'],
  'libs/alerts': ['proofs', 'merkle', 'event-store', 'domain'],
  'libs/streams': ['proofs', 'merkle', 'event-store', 'domain', 'checkpoint', 'sequencer'],
};

/** Database drivers: the model in libs/domain does no I/O. */
const databaseDrivers = ['better-sqlite3', 'pg', '@eventstore/db-client'];

function boundary(dir, allowed, forbiddenPackages = [], files = [`${dir}/src/**/*.ts`]) {
  const packages = allowed.map((name) => `!@trailmark/${name}`);
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenPackages.map((name) => ({ name, message: `${dir} does no I/O: no database driver (DESIGN.md).` })),
          patterns: [
            { group: ['@trailmark/*', ...packages], message: `${dir} may import only ${allowed.join(', ') || 'nothing'} of the project (DESIGN.md).` },
            { group: ['**/libs/**', '**/apps/**', '**/proofs/**', '**/test/**'], message: 'import another library by its package name, not by path.' },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/out/**', 'data/**', '**/*.js', '**/*.mjs', '!eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The note, checkpoint and event formats refuse control characters: their validators match them on purpose.
      'no-control-regex': 'off',
    },
  },
  ...Object.entries(allowedImports).map(([dir, allowed]) => boundary(dir, allowed, dir === 'libs/domain' ? databaseDrivers : [])),
);
