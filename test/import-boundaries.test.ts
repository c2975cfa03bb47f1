import { ESLint } from 'eslint';

// The boundaries of DESIGN.md are enforced by eslint.config.js, which `npm test` runs over the tree. These cases
// show that the configuration still catches each kind of arrow it exists for: a configuration that silently
// stopped matching would otherwise pass every tree.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('import boundaries', () => {
  test.each([
    ['proofs imports nothing of the project', 'proofs/src/x.ts', "import { MerkleTree } from '@trailmark/merkle';"],
    ['no upward arrow from a lower library', 'libs/merkle/src/x.ts', "import { Sequencer } from '@trailmark/sequencer';"],
    ['no arrow into the app', 'libs/projections/src/x.ts', "import { LedgerCore } from '@trailmark/ledger';"],
    ['no sideways arrow between libraries of one tier', 'libs/checkpoint/src/x.ts', "import { Projector } from '@trailmark/projections';"],
    ['the domain model does no I/O', 'libs/domain/src/x.ts', "import Database from 'better-sqlite3';"],
    ['no database driver in any folder of the domain model', 'libs/domain/src/recording/x.ts', "import pg from 'pg';"],
    ['no EventStoreDB client in the domain model', 'libs/domain/src/commands/x.ts', "import { EventStoreDBClient } from '@eventstore/db-client';"],
    ['the domain model does not import the sequencer that follows it', 'libs/domain/src/x.ts', "import { Sequencer } from '@trailmark/sequencer';"],
    ['the sequencer does not import the projections beside it', 'libs/sequencer/src/x.ts', "import { Projector } from '@trailmark/projections';"],
    ['no reaching into another library by path', 'libs/merkle/src/x.ts', "import { hashLeaf } from '../../../proofs/src/hash.js';"],
  ])('%s', async (_name, file, source) => {
    expect(await restrictedImports(file, `${source}\nexport {};\n`)).toHaveLength(1);
  });

  test.each([
    ['merkle uses the shared hashing of proofs', 'libs/merkle/src/x.ts', "import { hashLeaf } from '@trailmark/proofs';"],
    ['projections read the domain model', 'libs/projections/src/x.ts', "import { Vocabulary } from '@trailmark/domain';"],
    ['the sequencer reads the domain model', 'libs/sequencer/src/x.ts', "import { eventKeyOf } from '@trailmark/domain';"],
    ['the sequencer keeps its index in SQLite', 'libs/sequencer/src/x.ts', "import Database from 'better-sqlite3';"],
    ['the app wires everything', 'apps/ledger/src/x.ts', "import { Projector } from '@trailmark/projections';"],
  ])('allowed: %s', async (_name, file, source) => {
    expect(await restrictedImports(file, `${source}\nexport {};\n`)).toEqual([]);
  });

  test('every source file of the domain model and the sequencer keeps to its arrows', async () => {
    const results = await eslint.lintFiles(['libs/domain/src/**/*.ts', 'libs/sequencer/src/**/*.ts']);
    const arrows = results.flatMap((result) =>
      result.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => `${result.filePath}: ${message.message}`),
    );
    expect(results.length).toBeGreaterThan(10);
    expect(arrows).toEqual([]);
  });
});
