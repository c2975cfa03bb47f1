import type { Command } from 'commander';
import { hashLeaf, verifyInclusion } from '@trailmark/proofs';
import { assertOneStdin, parseIndex, readInput, readInputText } from '../inputs.js';
import { KEY_HELP, PROGRAM } from '../names.js';
import { describe, leafHint, loadVerifier, openCheckpointFile, parseProofLines, withContext } from '../verifier-inputs.js';

/** Adds `trailmark-verify inclusion` to the program. */
export function addInclusionCommand(program: Command, report: (summary: string) => void): void {
  program
    .command('inclusion')
    .description('check that a leaf is in the tree of a signed checkpoint, at a given index')
    .requiredOption('--key <key>', KEY_HELP)
    .requiredOption('--checkpoint <file>', 'signed checkpoint the proof leads to')
    .requiredOption('--index <n>', 'leaf index (decimal, from 0)', parseIndex)
    .requiredOption('--leaf <file>', 'leaf bytes, exactly as logged (the JCS envelope)')
    .requiredOption('--proof <file>', 'inclusion proof: base64 hashes, one a line')
    .addHelpText(
      'after',
      `\nExample:\n  ${PROGRAM} inclusion --key log.vkey --checkpoint checkpoint.txt --index 41 --leaf leaf.json --proof proof.txt`,
    )
    .action(async (options: { key: string; checkpoint: string; index: bigint; leaf: string; proof: string }) => {
      assertOneStdin({ '--checkpoint': options.checkpoint, '--leaf': options.leaf, '--proof': options.proof });
      const verifier = loadVerifier(options.key);
      const checkpoint = openCheckpointFile(await readInput(options.checkpoint, 'checkpoint'), options.checkpoint, verifier);
      const leaf = await readInput(options.leaf, 'leaf');
      const proof = parseProofLines(await readInputText(options.proof, 'proof'), `proof ${options.proof}`);
      try {
        verifyInclusion(options.index, checkpoint.size, hashLeaf(leaf), proof, checkpoint.root);
      } catch (error) {
        throw withContext(error, `leaf ${options.index} is not proven in ${describe(checkpoint)}`, leafHint(leaf));
      }
      report(`OK inclusion of leaf ${options.index} in ${describe(checkpoint)}`);
    });
}
