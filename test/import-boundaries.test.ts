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
    ['no upward arrow from a lower library', 'libs/merkle/src/x.ts', "import { Sequencer } from '@trailmark/domain';"],
    ['no arrow into the app', 'libs/projections/src/x.ts', "import { LedgerCore } from '@trailmark/ledger';"],
    ['no sideways arrow between libraries of one tier', 'libs/checkpoint/src/x.ts', "import { Projector } from '@trailmark/projections';"],
    ['the domain model does no I/O', 'libs/domain/src/x.ts', "import Database from 'better-sqlite3';"],
    ['no reaching into another library by path', 'libs/merkle/src/x.ts', "import { hashLeaf } from '../../../proofs/src/hash.js';"],
  ])('%s', async (_name, file, source) => {
    expect(await restrictedImports(file, `${source}\nexport {};\n`)).toHaveLength(1);
  });

  test.each([
    ['merkle uses the shared hashing of proofs', 'libs/merkle/src/x.ts', "import { hashLeaf } from '@trailmark/proofs';"],
    ['projections read the domain model', 'libs/projections/src/x.ts', "import { Vocabulary } from '@trailmark/domain';"],
    ['the app wires everything', 'apps/ledger/src/x.ts', "import { Projector } from '@trailmark/projections';"],
  ])('allowed: %s', async (_name, file, source) => {
    expect(await restrictedImports(file, `${source}\nexport {};\n`)).toEqual([]);
  });
});
